"""Templates rendered in a Jinja2 sandbox with strict undefined variables: a template may
read only the variables the kernel and the tenant's enabled plugins offer, and naming any
other is refused (422) before anything is saved or sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from rapport.errors import invalid

# Letters are plain text (SMS, messenger, the e-mail's text part): nothing to escape.
ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                   keep_trailing_newline=True)
KERNEL_VARIABLES = ("salutation", "envelope_name", "contact", "member", "organization",
                    "unsubscribe_url")


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def check_source(field: str, source: str, known: set[str]) -> None:
    """422 on ``field`` for a syntax error or a variable that is not offered."""
    try:
        parsed = ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:
        raise invalid(field, f"line {exc.lineno}: {exc.message}") from None
    unknown = sorted(meta.find_undeclared_variables(parsed) - known)
    if unknown:
        raise invalid(field, f"unknown variable {unknown[0]!r}; available: "
                      f"{', '.join(sorted(known))}")


def render_one(field: str, source: str, variables: Mapping[str, Any]) -> str:
    """The text, or a 422 on ``field`` naming what failed (an attribute the variable does
    not have, an operation the sandbox forbids, a runtime error in the template)."""
    try:
        return ENVIRONMENT.from_string(source).render(variables)
    except UndefinedError as exc:
        raise invalid(field, f"unknown variable: {exc.message}") from None
    except SecurityError as exc:
        raise invalid(field, f"not allowed in a template: {exc}") from None
    except TemplateSyntaxError as exc:
        raise invalid(field, f"line {exc.lineno}: {exc.message}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise invalid(field, f"cannot be rendered: {type(exc).__name__}: {exc}") from None


def render(subject: str | None, body: str, variables: Mapping[str, Any]) -> Rendered:
    return Rendered(
        render_one("subject", subject, variables).strip() if subject else None,
        render_one("body", body, variables),
    )
