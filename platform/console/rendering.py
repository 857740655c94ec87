"""Rendering: one Jinja environment per app (autoescaping, the console's templates under
``console/``, each plugin's under its name), and the response that turns a handler's
:class:`Screen` or :class:`Fragment` into HTML in the request's language and layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.enums import MediaType
from markupsafe import Markup

from rapport.console.chrome import CONSOLE_OPT, Chrome, chrome_of
from rapport.hooks import ConsoleUI, Fragment, Screen

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT = "console/layout.html"


@dataclass
class Console:
    """The console of one app: its templates, and what every plugin declared."""

    declared: Mapping[str, ConsoleUI] = field(default_factory=dict)
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        loaders: dict[str, Any] = {"console": FileSystemLoader(TEMPLATES)}
        for name, ui in self.declared.items():
            if ui.templates is not None and name != "console":
                loaders[name] = FileSystemLoader(ui.templates)
        self.env = Environment(
            loader=PrefixLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship inside the packages: no stat() of every template (and of every
            # include, once per row of a list) on each render to see if it changed.
            auto_reload=False,
        )
        self.env.newstyle_gettext = True  # type: ignore[attr-defined]

    @property
    def translation_folders(self) -> tuple[Path, ...]:
        return tuple(ui.translations for ui in self.declared.values() if ui.translations)

    def render(self, template: str, chrome: Chrome, context: Mapping[str, Any]) -> str:
        lang = chrome.lang
        values = {
            "_": lang.gettext,
            "gettext": lang.gettext,
            "ngettext": lang.ngettext,
            "lang": lang,
            "console": chrome,
            **context,
        }
        return self.env.get_template(template).render(values)

    def page(self, screen: Screen, chrome: Chrome) -> str:
        # The body is the autoescaped output of a template, so it is markup already.
        body = Markup(self.render(screen.template, chrome, screen.context))  # noqa: S704
        return self.render(LAYOUT, chrome, {"title": chrome.lang.gettext(screen.title),
                                            "body": body})


def console_of(request: Request) -> Console:
    return request.route_handler.opt[CONSOLE_OPT]


def html(request: Request, item: Screen | Fragment) -> str:
    """The HTML of a screen (inside the layout) or a fragment (alone)."""
    console = console_of(request)
    chrome = chrome_of(request)
    if isinstance(item, Screen):
        return console.page(item, chrome)
    return console.render(item.template, chrome, item.context)


class ScreenResponse(Response[Any]):
    """The console's response class: a handler returning ``Screen`` or ``Fragment`` gets HTML
    (with the status the screen names, whatever the HTTP method)."""

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        if isinstance(self.content, Screen | Fragment):
            self.status_code = self.content.status
            self.content = html(request, self.content)
            self.media_type = MediaType.HTML
        return super().to_asgi_response(app, request, **kwargs)


def screen_response(
    request: Request, item: Screen | Fragment, *, headers: dict[str, str] | None = None,
    cookies: list[Any] | None = None,
) -> Response[str]:
    """A Screen or Fragment as a ready response, when a handler must add cookies or
    headers."""
    return Response(
        html(request, item), status_code=item.status, media_type=MediaType.HTML,
        headers=headers or {}, cookies=cookies or [],
    )
