"""Management reports across the tenant ("transparent management"): what each employee
did, and whether it turned into results. ``activity`` builds the activity report."""
