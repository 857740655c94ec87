"""W3C VC Data Integrity, cryptosuite ``eddsa-rdfc-2022`` (the suite 1EdTech conformance
and common wallets use): the credential and the proof's options are each canonicalised
with RDFC-1.0 (PyLD's URDNA2015, with the contexts this package ships: no network), each
hashed with SHA-256, and the two hashes (options first) signed with Ed25519. The
``proofValue`` and the public key (a ``Multikey``) are multibase base58btc.

Canonicalisation runs in PyLD's safe mode: a property no context defines would be dropped
from the signed statements (and so could be changed without breaking the signature), so it
is an error instead, for the signer and the verifier alike."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

from rapport_plugins.education.credentials.contexts import CONTEXTS

SUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
_ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, varint-encoded
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Invalid(ValueError):
    """The document cannot be canonicalised or its proof does not hold; says why."""


def b58encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        at = _ALPHABET.find(char)
        if at < 0:
            raise Invalid(f"not base58btc: {char!r}")
        number = number * 58 + at
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public: Ed25519PublicKey) -> str:
    """The key as a ``Multikey`` ``publicKeyMultibase`` (``z6Mk…``)."""
    return "z" + b58encode(_ED25519_PUB + public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key(multibase: str) -> Ed25519PublicKey:
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise Invalid("publicKeyMultibase must be multibase base58btc ('z…')")
    raw = b58decode(multibase[1:])
    if len(raw) != 34 or not raw.startswith(_ED25519_PUB):
        raise Invalid("publicKeyMultibase is not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def _load(url: str, options: Any = None) -> dict[str, Any]:
    document = CONTEXTS.get(url.split("#", 1)[0])
    if document is None:
        raise Invalid(f"unknown JSON-LD context {url!r} (only the VC, Open Badges 3.0 and "
                      "CLR 2.0 contexts are accepted)")
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}


def _dropped(*args: Any, **kwargs: Any) -> None:
    prop = kwargs.get("expanded_property", args[0] if args else "?")
    raise Invalid(f"the property {prop!r} is not defined by the credential's contexts")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _absolute_types(node: Any) -> None:
    """Safe mode for ``type`` values too: one no context defines is a relative IRI, which
    other processors drop from the statements (so it could be added or changed under a
    valid signature there) and PyLD resolves against a placeholder base: refused."""
    if isinstance(node, list):
        for item in node:
            _absolute_types(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                for kind in value if isinstance(value, list) else [value]:
                    # PyLD resolves a relative IRI against a placeholder base.
                    if (not isinstance(kind, str) or not _SCHEME.match(kind)
                            or kind.startswith(jsonld.DEFAULT_BASE_IRI)):
                        name = str(kind).removeprefix(jsonld.DEFAULT_BASE_IRI)
                        raise Invalid(f"the type {name!r} is not defined by the "
                                      "credential's contexts")
            else:
                _absolute_types(value)


def canonical(document: dict[str, Any]) -> bytes:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, contexts from the package."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=_dropped)
    try:
        expanded = processor.expand(document, {"documentLoader": _load})
        _absolute_types(expanded)
        nquads = processor.normalize(expanded, {
            "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _load})
    except Invalid:
        raise
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, Invalid):
                raise cause from exc
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise Invalid(f"the credential is not valid JSON-LD: {exc}") from exc
    return str(nquads).encode()


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    config = {**options, "@context": document["@context"]}
    return hashlib.sha256(canonical(config)).digest() + hashlib.sha256(
        canonical(document)).digest()


def sign(credential: dict[str, Any], key: Ed25519PrivateKey, verification_method: str,
         created: str) -> dict[str, Any]:
    """The credential with an ``eddsa-rdfc-2022`` proof for ``assertionMethod``."""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    options = {"type": PROOF_TYPE, "cryptosuite": SUITE, "created": created,
               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = key.sign(_hash_data(unsecured, options))
    return {**unsecured, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one ``eddsa-rdfc-2022`` proof (Invalid if it has none or others)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise Invalid("the credential has no proof (one Data Integrity proof expected)")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != SUITE:
        raise Invalid(f"unsupported proof: {proof.get('type')!r} / "
                      f"{proof.get('cryptosuite')!r} (DataIntegrityProof / {SUITE} accepted)")
    if proof.get("proofPurpose") != "assertionMethod":
        raise Invalid("the proof's purpose must be assertionMethod")
    if not isinstance(proof.get("verificationMethod"), str):
        raise Invalid("the proof names no verificationMethod")
    return proof


def check(document: dict[str, Any], key: Ed25519PublicKey) -> None:
    """Raise Invalid unless the document's proof was made by ``key`` over exactly it."""
    proof = proof_of(document)
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise Invalid("the proofValue must be multibase base58btc ('z…')")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise Invalid("the proof's @context differs from the credential's")
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        key.verify(b58decode(value[1:]), _hash_data(unsecured, options))
    except InvalidSignature as exc:
        raise Invalid("the signature does not match the credential (tampered?)") from exc
