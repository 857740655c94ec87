"""The survey screens: surveys and their editor, invitations from the survey's or the
customer's page, the report with its chart, and the public answer page of a signed link."""
