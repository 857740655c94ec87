"""Stamp cards: a coffee shop's paper loyalty card, as a Rapport plugin.

Read ``plugin.py`` top to bottom: it is the whole contract a vendor implements.
"""
