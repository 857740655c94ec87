"""Interactions: the contact's timeline of calls, emails, visits, purchases and ads seen.

``service`` logs, lists, edits and deletes them (audit + ``interaction.logged``);
``entries`` turns them into timeline lines; ``colleagues`` answers "who here worked with
this person"; ``plugin`` registers the routes and the ``rapport_contact_summary`` hook.
"""
