"""What a FHIR or SMART client discovers before it holds a token: the
CapabilityStatement (``[base]/metadata``), built from the same resource list the search
honours, and the SMART configuration (``[base]/.well-known/smart-configuration``)."""

from __future__ import annotations

from typing import Any

from rapport_plugins.medical.fhir import mapping
from rapport_plugins.medical.fhir.resources import COMMON, KINDS, Kind

# Signed once, when this statement's shape last changed: a client compares it, it is
# not the time of the request.
PUBLISHED = "2026-12-02"
SMART_OAUTH = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
ALGORITHMS = ["ES384", "RS384"]  # the assertion algorithms the token endpoint accepts
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
INTERACTIONS = ("read", "vread", "history-instance", "search-type")


def _resource(kind: Kind) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind.name,
        "interaction": [{"code": c} for c in INTERACTIONS],
        "versioning": "versioned",
        # vread answers the current version; earlier ones are not kept (``_history``
        # lists the one version).
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [
            {"name": p.name, "type": p.type, "documentation": p.documentation}
            for p in (*kind.params, *COMMON)
        ],
    }
    includes = [f"{kind.name}:{p.name}" for p in kind.params if p.type == "reference"]
    revincludes = [f"{k.name}:{p.name}" for k in KINDS.values() for p in k.params
                   if p.type == "reference" and p.target == kind.name]
    if includes:
        body["searchInclude"] = includes
    if revincludes:
        body["searchRevInclude"] = revincludes
    if kind.name == "Patient":
        body["operation"] = [{"name": "everything", "definition": EVERYTHING}]
    return body


def statement(base: str, token_url: str, software: str) -> dict[str, Any]:
    return mapping.validated({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": PUBLISHED,
        "publisher": software,
        "kind": "instance",
        "software": {"name": software},
        "implementation": {"description": "Records shared with federation peers, "
                                          "read-only, within the patients' consents",
                           "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", mapping.FHIR_JSON],
        "rest": [{
            "mode": "server",
            "documentation": "Read and search only. Clinical searches without patient or "
                             "subject cover every patient whose consent admits you.",
            "security": {
                "cors": False,
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "SMART-on-FHIR"}]}],
                "description": "SMART Backend Services: client_credentials with a "
                               "private_key_jwt assertion (ES384 or RS384)",
                "extension": [{"url": SMART_OAUTH,
                               "extension": [{"url": "token", "valueUri": token_url}]}],
            },
            "resource": [_resource(k) for k in KINDS.values()],
        }],
    })


def smart_configuration(token_url: str) -> dict[str, Any]:
    kinds = ["*", *KINDS]
    return {
        "token_endpoint": token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": [f"system/{k}.{p}" for k in kinds for p in ("rs", "read")],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }
