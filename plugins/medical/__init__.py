"""Medical vertical: patient records that clinics share with the patient's consent.

Entry points: ``plugin`` (the hooks), ``records`` (patient data actions), ``access``
(requests between clinics), ``consents`` (grants as FHIR Consent), ``break_glass``,
``fhir`` (FHIR R4 mapping and endpoints), ``federation`` (deployments trusting each other).
"""
