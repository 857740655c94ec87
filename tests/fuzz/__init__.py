"""schemathesis fuzzing of the whole OpenAPI document, one file per group of paths (support.py)."""
