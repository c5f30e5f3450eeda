"""Render a full page or the named inline partial of it, from one view.

A fragment is an inline `{% partialdef %}` of the page template, named after the DOM id of its
root element, so `render_page(request, "shop/catalog.html", ctx, fragment="catalog-results")`
renders `shop/catalog.html#catalog-results` for htmx and the whole page otherwise.
"""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template import loader
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

# Every response whose body depends on these headers must say so, or a shared cache could
# serve a fragment to a full-page request (or the reverse).
VARY_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")
STATUS_FRAGMENT = "partials/status.html#status-messages"


class HtmxHttpRequest(HttpRequest):
    """The request type views declare: django-htmx's middleware adds `request.htmx`."""

    htmx: HtmxDetails


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser follows with a GET, so a reload never re-submits the form."""

    status_code = 303


def wants_fragment(request: HttpRequest) -> bool:
    """True when the request came from htmx and may be answered with a fragment.

    Boosted requests and history restores swap the whole body, so they get the full page.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def render_fragments(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    fragment: str,
    oob: Iterable[str] = (),
    status_messages: bool = False,
) -> str:
    """Render `template#fragment`, then each `template#oob-name` with `oob=True` in its context."""
    ctx = dict(context)
    parts = [loader.render_to_string(f"{template_name}#{fragment}", ctx, request)]
    for name in oob:
        target = name if "#" in name else f"{template_name}#{name}"
        parts.append(loader.render_to_string(target, {**ctx, "oob": True}, request))
    if status_messages:
        parts.append(loader.render_to_string(STATUS_FRAGMENT, {"oob": True}, request))
    return "".join(parts)


def _finish(response: HttpResponse, trigger: str | Mapping[str, Any] | None = None) -> HttpResponse:
    if trigger:
        response["HX-Trigger"] = trigger if isinstance(trigger, str) else json.dumps(trigger)
    patch_vary_headers(response, VARY_HEADERS)
    return response


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    fragment: str | None = None,
    oob: Iterable[str] = (),
    status: int = 200,
    trigger: str | Mapping[str, Any] | None = None,
    retarget: str | None = None,
) -> HttpResponse:
    """Answer a GET: the full page, or (for a plain htmx request) `fragment` plus `oob` partials.

    `oob` names partials of the same template (or "other.html#name") rendered with `oob=True`, so
    their roots carry `hx-swap-oob`. `retarget` (a CSS selector) makes htmx swap the fragment
    there (outerHTML) instead of into the requesting element's target: for answers, such as a
    refusal, that replace more than the element asked for. The response always carries `Vary`
    on the htmx headers.
    """
    context = context or {}
    if fragment and wants_fragment(request):
        body = render_fragments(request, template_name, context, fragment=fragment, oob=oob)
        response = HttpResponse(body, status=status)
        if retarget:
            response["HX-Retarget"] = retarget
            response["HX-Reswap"] = "outerHTML"
        return _finish(response, trigger)
    response = HttpResponse(loader.render_to_string(template_name, context, request), status=status)
    return _finish(response, None)


def after_action(
    request: HttpRequest,
    *,
    redirect_to: str,
    template_name: str | None = None,
    fragment: str | None = None,
    context: Mapping[str, Any] | None = None,
    oob: Iterable[str] = (),
    message: str | None = None,
    level: int = messages.SUCCESS,
    trigger: str | Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Answer a POST that succeeded (or failed with a message).

    Without JavaScript (or when boosted): queue `message` and 303-redirect to `redirect_to`
    (post/redirect/get). With htmx: render `fragment` and the `oob` partials, announce `message`
    in the page's `role="status"` region out of band, and set `HX-Trigger`.
    """
    if message:
        messages.add_message(request, level, message)
    if template_name and fragment and wants_fragment(request):
        body = render_fragments(
            request,
            template_name,
            context or {},
            fragment=fragment,
            oob=oob,
            status_messages=True,
        )
        return _finish(HttpResponse(body, status=status), trigger)
    return _finish(HttpResponseSeeOther(resolve_url(redirect_to)), None)
