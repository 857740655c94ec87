"""What /api/v1 promised, checked against what it serves: the breaking changes between a
committed OpenAPI document (tests/openapi_snapshot.json) and the live one.

Only removals and new demands count, so additions never fail the check (docs/api.md,
"Versioning"): an operation gone; a success status or media type gone; a response field
gone; a request field gone (bodies refuse unknown fields, so an old client's field would
now be refused); a request field or parameter newly required; a body newly required.
What was marked ``deprecated: true`` in the snapshot may go. oasdiff does this and more,
but it ships as a Go binary only (no PyPI package; its npm wrappers download the binary
at install time), so this is the small version, on plain JSON.

Regenerate the snapshot deliberately, after a reviewed change: ``make openapi-snapshot``
(``python -m tests.openapi_compat write``).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "openapi_snapshot.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
JSON_TYPES = ("application/json", "application/problem+json")

Doc = dict[str, Any]
Schema = dict[str, Any]


def _key(method: str, path: str) -> str:
    # Renaming a path parameter breaks no client: compare the shape of the path only.
    return f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}"


def operations(document: Doc) -> dict[str, Schema]:
    return {
        _key(method, path): op
        for path, item in document.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    }


def _resolve(document: Doc, schema: Schema) -> tuple[Schema, str | None]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema, None
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return (target if isinstance(target, dict) else {}), ref


def fields(
    document: Doc, schema: Schema, prefix: str = "", seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, Schema, bool]]:
    """(dotted path, schema, required) for every property reachable from ``schema``:
    through $ref, allOf/oneOf/anyOf, array items (``[]``) and maps (``{}``)."""
    schema, ref = _resolve(document, schema)
    if ref is not None:
        if ref in seen:
            return
        seen = seen | {ref}
    for combined in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(combined, []):
            yield from fields(document, part, prefix, seen)
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        target = _resolve(document, sub)[0]
        marked = bool(sub.get("deprecated") or target.get("deprecated"))
        yield path, {**target, "deprecated": marked}, name in required
        yield from fields(document, sub, f"{path}.", seen)
    if isinstance(items := schema.get("items"), dict):
        yield from fields(document, items, f"{prefix}[].", seen)
    if isinstance(extra := schema.get("additionalProperties"), dict):
        yield from fields(document, extra, f"{prefix}{{}}.", seen)


def _json_schema(content: dict[str, Any]) -> Schema | None:
    for media_type in JSON_TYPES:
        if media_type in content:
            schema = content[media_type].get("schema")
            return schema if isinstance(schema, dict) else None
    return None


def _under_deprecated(path: str, deprecated: set[str]) -> bool:
    return any(path == d or path.startswith(f"{d}.") for d in deprecated)


def _responses(old: Doc, new: Doc, where: str, was: Schema, now: Schema) -> Iterator[str]:
    for status, response in was.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue  # error answers share one problem schema; their list may change
        current = now.get("responses", {}).get(status)
        if current is None:
            yield f"{where}: the {status} answer is gone"
            continue
        was_content, now_content = response.get("content", {}), current.get("content", {})
        for media_type in was_content.keys() - now_content.keys():
            yield f"{where}: the {status} answer no longer comes as {media_type}"
        was_schema, now_schema = _json_schema(was_content), _json_schema(now_content)
        if was_schema is None or now_schema is None:
            continue
        before = {p: s for p, s, _ in fields(old, was_schema)}
        after = {p for p, _, _ in fields(new, now_schema)}
        deprecated = {p for p, s in before.items() if s.get("deprecated")}
        for path in sorted(before.keys() - after):
            if not _under_deprecated(path, deprecated):
                yield f"{where}: response field {path!r} ({status}) is gone"


def _request(old: Doc, new: Doc, where: str, was: Schema, now: Schema) -> Iterator[str]:
    was_body, now_body = was.get("requestBody"), now.get("requestBody")
    if now_body and now_body.get("required") and not (was_body and was_body.get("required")):
        yield f"{where}: a request body is now required"
    was_schema = _json_schema(was_body.get("content", {})) if was_body else None
    now_schema = _json_schema(now_body.get("content", {})) if now_body else None
    if now_schema is not None:
        before = {p: (s, r) for p, s, r in fields(old, was_schema)} if was_schema else {}
        after = {p: r for p, _, r in fields(new, now_schema)}
        for path, required in sorted(after.items()):
            parent = path.rpartition(".")[0]
            # A new optional object may require fields inside it; an old one may not.
            parent_existed = not parent or parent in before
            if required and parent_existed and not (path in before and before[path][1]):
                yield f"{where}: request field {path!r} is now required"
        deprecated = {p for p, (s, _) in before.items() if s.get("deprecated")}
        for path in sorted(before.keys() - after.keys()):
            if not _under_deprecated(path, deprecated):
                yield f"{where}: request field {path!r} is no longer accepted"
    old_params = {(p.get("in"), p.get("name")) for p in was.get("parameters", [])}
    for parameter in now.get("parameters", []):
        named = (parameter.get("in"), parameter.get("name"))
        if parameter.get("in") != "path" and parameter.get("required") and named not in old_params:
            yield f"{where}: parameter {named[1]!r} ({named[0]}) is now required"


def breaking_changes(old: Doc, new: Doc) -> list[str]:
    """Every promise of ``old`` that ``new`` breaks, one sentence each; [] when none."""
    problems: list[str] = []
    live = operations(new)
    for where, was in sorted(operations(old).items()):
        now = live.get(where)
        if now is None:
            if not was.get("deprecated"):
                problems.append(f"{where}: the operation is gone without a deprecation")
            continue
        problems.extend(_responses(old, new, where, was, now))
        problems.extend(_request(old, new, where, was, now))
    return problems


def live_document() -> Doc:
    """The document as the test suite's app serves it (same settings, same plugins)."""
    from litestar.testing import TestClient

    from rapport.app import create_app
    from tests.conftest import make_settings

    with tempfile.TemporaryDirectory() as nowhere:
        # The document needs no database: a socket folder where no server listens.
        app = create_app(make_settings(), f"postgresql+psycopg://nobody@/none?host={nowhere}")
        with TestClient(app) as client:
            answer = client.get("/schema/openapi.json")
            answer.raise_for_status()
            return dict(answer.json())


def write_snapshot(path: Path = SNAPSHOT) -> None:
    path.write_text(json.dumps(live_document(), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["write"]:
        sys.exit("usage: python -m tests.openapi_compat write")
    write_snapshot()
    print(f"wrote {SNAPSHOT}")
