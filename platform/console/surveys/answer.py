"""The public answer page of a signed survey link (``/survey/{token}``, no login): the
questionnaire in the invitation's language — each item a group of two questions, each a
row of seven radio buttons (keyboard: Tab to a group, arrows to choose) — and its form,
checked by the same service as the JSON door; a refusal is shown at the top and beside each
item at fault with what was chosen kept. A tampered, expired or spent link gets a page
saying so, with its status."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from rapport.console.chrome import chrome_of
from rapport.console.guards import check_form_token, form_token
from rapport.console.i18n import N_, language
from rapport.console.rendering import console_of, screen_response
from rapport.core.surveys import answering, links
from rapport.core.surveys.instrument import SCALE_MAX, SCALE_MIN
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry, Screen
from rapport.settings import Settings

PUBLIC = {"exclude_from_auth": True}
TITLE = N_("Service survey")
# What each refusal says to the person, by status (the detail names the date or items).
LINK_TITLES = {404: N_("This survey is no longer open"), 410: N_("This link cannot be used"),
               422: N_("This link is not valid")}


def _respond(request: Request, screen: Screen, lang: str | None = None) -> Response[str]:
    chrome = chrome_of(request)
    if lang is not None:
        chrome.lang = language(lang, console_of(request).translation_folders)
    token, cookie = form_token(request)
    chrome.csrf = token
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


def _refused(request: Request, exc: RapportError) -> Response[str]:
    title = LINK_TITLES.get(exc.status, N_("This link is not valid"))
    return _respond(request, Screen("surveys_console/link_error.html", title, {
        "status": exc.status, "detail": exc.detail}, status=exc.status))


def _form_answers(form: dict[str, Any], keys: list[str]) -> tuple[list[answering.Answer],
                                                                   dict[str, dict[str, str]]]:
    """The answers given (an item missing either answer is left out, so the service names
    it) and what was chosen, to show again."""
    chosen: dict[str, dict[str, str]] = {}
    out = []
    for key in keys:
        e, p = str(form.get(f"e-{key}") or ""), str(form.get(f"p-{key}") or "")
        chosen[key] = {"e": e, "p": p}
        if e and p:
            out.append(answering.Answer(key, int(e) if e.isdigit() else 0,
                                        int(p) if p.isdigit() else 0))
    return out, chosen


async def _page(request: Request, settings: Settings, token: str,
                chosen: dict[str, dict[str, str]], missing: list[str], status: int = 200,
                off_scale: bool = False) -> Response[str]:
    found = await answering.questionnaire(request.app.state.sessionmaker,
                                          settings.secret_key, token)
    return _respond(request, Screen("surveys_console/answer.html", TITLE, {
        "q": found, "token": token, "chosen": chosen, "missing": missing,
        "off_scale": off_scale,
        "scale": list(range(SCALE_MIN, SCALE_MAX + 1))}, status=status), found.language)


@get(links.PAGE_PATH + "{token:str}", opt=PUBLIC)
async def answer_page(request: Request, token: FromPath[str],
                      settings: NamedDependency[Settings]) -> Response[str]:
    try:
        return await _page(request, settings, token, {}, [])
    except RapportError as exc:
        return _refused(request, exc)


@post(links.PAGE_PATH + "{token:str}", opt=PUBLIC, status_code=200)
async def answer_submit(request: Request, token: FromPath[str],
                        settings: NamedDependency[Settings],
                        registry: NamedDependency[PluginRegistry]) -> Response[str]:
    form = await check_form_token(request)
    try:
        found = await answering.questionnaire(request.app.state.sessionmaker,
                                              settings.secret_key, token)
    except RapportError as exc:
        return _refused(request, exc)
    answers, chosen = _form_answers(form, [q.key for q in found.items])
    missing = [key for key, c in chosen.items() if not (c["e"] and c["p"])]
    if missing:
        return await _page(request, settings, token, chosen, missing, status=422)
    try:
        await answering.submit(request.app.state.sessionmaker, registry, settings.secret_key,
                               token, answers, str(form.get("comment") or "")[:4000] or None)
    except RapportError as exc:
        if exc.status != 422:
            return _refused(request, exc)
        # Only a hand-made post gets here (the buttons offer 1-7 alone): say it plainly.
        return await _page(request, settings, token, chosen, [], status=422, off_scale=True)
    return _respond(request, Screen("surveys_console/thanks.html", TITLE, {
        "organization": found.organization}), found.language)


PUBLIC_PAGES = [answer_page, answer_submit]
