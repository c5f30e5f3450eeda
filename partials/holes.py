"""Holes: the per-visitor parts of a page that is otherwise the same HTML for every visitor.

A template marks each personal part with a hole instead of rendering it (`{% load holes %}`):

    {% hole "cart-count" %}                       <!--hole:cart-count-->
    {% hole "request-id" card.pk %}               <!--hole:request-id:42-->
    {% csrf_input %}                              the CSRF hidden input, its value a hole
    {% visitor "saved" product.pk %}A{% else %}B{% endvisitor %}
                                                  <!--if:saved:42-->A<!--else-->B<!--endif-->

Such a page can be rendered once and served to everyone (`partials.public`). `FillHoles`, a
middleware, fills the holes of every HTML response for the visitor asking: the browser never
sees a marker, and nothing waits for JavaScript. Markers cannot come from data: text the
templates escape turns `<` into `&lt;`, and sanitised marketer HTML keeps no comments.

Built in: `csrf` (this visitor's CSRF token), `request-id` (a fresh id for one form submission),
`next` (this request's path and query: where a form comes back to) and `messages` (the queued
messages, as the status region's paragraphs). Every other name is
answered by the visitor object that `settings.PARTIALS_VISITOR` (a dotted path to a callable
taking the request) builds once per request; see `Visitor`. Value holes are HTML-escaped.
A conditional's branches may hold value holes, not other conditionals.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.html import escape
from django.utils.module_loading import import_string

HOLE = "<!--hole:{name}{arg}-->"
IF = "<!--if:{name}{arg}-->"
ELSE = "<!--else-->"
ENDIF = "<!--endif-->"
MARK = b"<!--hole:"
MARK_IF = b"<!--if:"
_NAME = r"[a-z][a-z0-9-]*"
_ARG = r"(?::(?P<{}>[\w.-]*))?"
# A marker where a "<!--" starts (conditionals' ELSE and ENDIF are found by plain search).
HOLE_AT = re.compile(rf"<!--hole:(?P<name>{_NAME}){_ARG.format('arg')}-->")
IF_AT = re.compile(rf"<!--if:(?P<name>{_NAME}){_ARG.format('arg')}-->")
MESSAGES_TEMPLATE = "partials/status.html#status-message-list"


class Visitor(Protocol):
    """What the app knows about the visitor asking, read once per request (cheaply)."""

    def value(self, name: str, arg: str) -> object:
        """The value of hole `name` (with its argument, "" if none). Raises KeyError if unknown."""
        ...

    def test(self, name: str, arg: str) -> bool:
        """Whether conditional `name` holds. Raises KeyError if unknown."""
        ...

    def fingerprint(self) -> str:
        """A string that changes whenever any answer of `value` or `test` would change."""
        ...


def _checked(name: str, arg: object) -> tuple[str, str]:
    text = "" if arg is None else str(arg)
    if not re.fullmatch(_NAME, name) or not re.fullmatch(r"[\w.-]*", text):
        raise ValueError(f"A hole's name and argument are words: {name!r}, {text!r}.")
    return name, f":{text}" if arg is not None else ""


def marker(name: str, arg: object = None) -> str:
    """The marker of a value hole, as `{% hole %}` writes it."""
    name, suffix = _checked(name, arg)
    return HOLE.format(name=name, arg=suffix)


def condition(name: str, arg: object = None) -> str:
    """The opening marker of a conditional, as `{% visitor %}` writes it."""
    name, suffix = _checked(name, arg)
    return IF.format(name=name, arg=suffix)


def visitor(request: HttpRequest) -> Visitor:
    """The request's visitor object (built by settings.PARTIALS_VISITOR on first use)."""
    found = request.__dict__.get("_holes_visitor")
    if found is None:
        found = import_string(settings.PARTIALS_VISITOR)(request)
        request.__dict__["_holes_visitor"] = found
    return found


def has_holes(content: bytes) -> bool:
    return MARK in content or MARK_IF in content


@dataclass(frozen=True)
class Compiled:
    """A page split at its holes once, so each request only joins the parts with its answers.

    `parts` holds the text between holes, `Hole`s and `Condition`s (whose branches are
    `Compiled` too). Rendering a cached page this way costs a loop over its holes, not a scan
    of its text.
    """

    parts: tuple["str | Hole | Condition", ...]

    def render(self, request: HttpRequest, csrf: list[str] | None = None) -> str:
        csrf = [] if csrf is None else csrf  # one masked token per response, made when needed
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Hole):
                if part.name == "csrf":
                    if not csrf:
                        csrf.append(csrf_token(request))
                    out.append(csrf[0])
                else:
                    out.append(_value(request, part.name, part.arg))
            else:
                branch = part.yes if _test(request, part.name, part.arg) else part.no
                out.append(branch.render(request, csrf))
        return "".join(out)


class Hole(NamedTuple):
    name: str
    arg: str


class Condition(NamedTuple):
    name: str
    arg: str
    yes: Compiled
    no: Compiled


def csrf_token(request: HttpRequest) -> str:
    """The visitor's CSRF token, from Django's own machinery (`get_token`): their secret under
    a fresh mask, and a new secret, set as the cookie, for a visitor without one.

    It costs two strings of `get_random_string` on every page that shows a form. An earlier
    version made them with two reads of the system's randomness instead, for about 0.1 ms a
    page; security code that can drift from Django's is not worth that (issue 19).
    """
    return get_token(request)


def compile_holes(html: str) -> Compiled:
    """`html` split at its holes (see `Compiled`). A scan with `str.find` from one "<!--" to
    the next, each checked with an anchored match: a page's other comments are passed over,
    and a conditional's branches end at the first ELSE and the first ENDIF after it."""
    parts: list[str | Hole | Condition] = []
    position = scan = 0
    while (start := html.find("<!--", scan)) != -1:
        scan = start + 4
        if html.startswith("hole:", scan):
            match = HOLE_AT.match(html, start)
            if match is None:
                continue
            part: Hole | Condition = Hole(match["name"], match["arg"] or "")
            end = match.end()
        elif html.startswith("if:", scan):
            match = IF_AT.match(html, start)
            if match is None:
                continue
            middle = html.find(ELSE, match.end())
            finish = html.find(ENDIF, middle + len(ELSE)) if middle != -1 else -1
            if finish == -1:
                continue
            part = Condition(
                match["name"],
                match["arg"] or "",
                compile_holes(html[match.end() : middle]),
                compile_holes(html[middle + len(ELSE) : finish]),
            )
            end = finish + len(ENDIF)
        else:
            continue
        if start > position:
            parts.append(html[position:start])
        parts.append(part)
        position = scan = end
    if position < len(html):
        parts.append(html[position:])
    return Compiled(parts=tuple(parts))


def fill(html: str, request: HttpRequest) -> str:
    """`html` with every hole filled for this request's visitor."""
    return compile_holes(html).render(request)


def _value(request: HttpRequest, name: str, arg: str) -> str:
    if name == "request-id":
        return secrets.token_hex(16)
    if name == "next":  # where a form on this page comes back to: this page
        return escape(request.get_full_path())
    if name == "messages":
        waiting = messages.get_messages(request)
        if not len(waiting):
            return ""  # most requests: no template to render
        return loader.get_template(MESSAGES_TEMPLATE).render({"messages": waiting}, request)
    return escape(str(visitor(request).value(name, arg)))


def _test(request: HttpRequest, name: str, arg: str) -> bool:
    return visitor(request).test(name, arg)


def fingerprint(request: HttpRequest) -> str | None:
    """What the holes of a page will show this visitor, as a digest, or None when a repeat of
    the same page cannot be promised: messages are waiting (they show once), or the visitor
    has no CSRF cookie yet (their token will be new)."""
    if len(messages.get_messages(request)):
        return None
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    parts = (secret, visitor(request).fingerprint())
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


class FillHoles:
    """Middleware: fill the holes of every HTML response (pages, fragments, refusals).

    Goes last in MIDDLEWARE, so it sees the response first: the CSRF middleware then sets the
    cookie for the token a hole asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(response, "holes_filled", False)
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or not has_holes(response.content)
        ):
            return response
        charset = response.charset
        response.content = fill(response.content.decode(charset), request).encode(charset)
        return response
