"""The medical plugin's member-facing HTTP API, mounted under ``/api/v1/medical/``."""
