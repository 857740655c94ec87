"""FHIR R4 (the ``fhir.resources`` R4B models): mapping records to resources, and the
``/api/v1/medical/fhir`` endpoints that federation peers read with their tokens."""
