"""Relationships between contacts: a family, colleagues, a group — many-to-many, each a
named set of members with optional roles ("parent", "team lead"), so "the others in this
customer's group" is one query (``service.related``).
"""
