"""Render a full page or the named inline partial of it, from one view.

A fragment is an inline `{% partialdef %}` of the page template, named after the DOM id of its
root element, so `render_page(request, "shop/catalog.html", ctx, fragment="catalog-results")`
renders `shop/catalog.html#catalog-results` for htmx and the whole page otherwise.
"""

import json
from collections.abc import Iterable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template import loader
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme
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
    fragment: str | None,
    oob: Iterable[str] = (),
    status_messages: bool = False,
) -> str:
    """Render `template#fragment` (if any), then each `template#oob-name` with `oob=True`.

    `status_messages` appends the page's `role="status"` region, out of band, holding (and
    consuming) the queued messages.
    """
    ctx = dict(context)
    parts = []
    if fragment:
        parts.append(loader.render_to_string(f"{template_name}#{fragment}", ctx, request))
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
    """Answer a POST that succeeded.

    Without JavaScript (or when boosted): queue `message` and 303-redirect to `redirect_to`
    (post/redirect/get). With htmx: render `fragment` (if any) and the `oob` partials, announce
    `message` in the page's `role="status"` region out of band, and set `HX-Trigger`.
    """
    if message:
        messages.add_message(request, level, message)
    oob = list(oob)
    if template_name and (fragment or oob) and wants_fragment(request):
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


def render_failure(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    message: str,
    status: int = 400,
    fragment: str | None = None,
    oob: Iterable[str] = (),
    fragment_template: str | None = None,
    level: int = messages.ERROR,
) -> HttpResponse:
    """Answer a POST that was refused (bad input, a domain rule): never a redirect, always 4xx.

    Without JavaScript: the full `template_name` page with the reason in its status region.
    With htmx: `fragment` and `oob` partials of `fragment_template` (default: the same
    template), if any, plus the reason announced in the status region.
    """
    messages.add_message(request, level, message)
    context = context or {}
    if wants_fragment(request):
        body = render_fragments(
            request,
            fragment_template or template_name,
            context,
            fragment=fragment,
            oob=oob,
            status_messages=True,
        )
        return _finish(HttpResponse(body, status=status))
    response = HttpResponse(loader.render_to_string(template_name, context, request), status=status)
    return _finish(response)


def private_preview(response: HttpResponse) -> HttpResponse:
    """Mark a response that shows something unpublished (a draft, a preview): never stored by
    any cache, never indexed."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def is_local_path(url: str | None) -> bool:
    """True when `url` is a path on this site: it starts with a single "/" and names no scheme
    and no host ("//evil.example", "/\\evil.example", "https://…", "javascript:…" are not)."""
    return (
        url is not None
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def safe_next(url: str | None, default: str) -> str:
    """`url` if it is a local path (`is_local_path`), else `default` (a URL or a URL name, as
    `after_action`'s `redirect_to` takes). Anything else a client sends ("NaN", "cart", "0",
    "{}", another host) gives `default`, so a redirect to user input never fails or leaves."""
    return url if url is not None and is_local_path(url) else default


def without_blank_parameters(query: str) -> str:
    """`query`, a raw query string, without the parameters whose value is blank (`q=`,
    `min_price=+`, a bare `in_stock`); the others stay as they were, in their order."""
    return "&".join(
        part for part in query.split("&") if unquote_plus(part.partition("=")[2]).strip()
    )


def drops_blank_parameters(view):
    """Keep the addresses of a GET form's results free of blank parameters.

    Without JavaScript a browser submits every field of a GET form, the empty ones too, so a
    request for the full page (boosted and history restores included) that carries any is
    answered with a 302 to the same URL without them. Not a 301: browsers keep a permanent
    redirect without asking again, so one would outlive a change of what a parameter means;
    this costs a round trip only when a form sent empty fields. An htmx request for a
    fragment is answered as it is (site.js leaves blank values out before it sends one, and
    the form ignores them anyway), so a swap never turns into a redirect.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if query and not wants_fragment(request):
            kept = without_blank_parameters(query)
            if kept != query:
                path = escape_uri_path(request.path)
                return _finish(HttpResponseRedirect(f"{path}?{iri_to_uri(kept)}" if kept else path))
        return view(request, *args, **kwargs)

    return wrapper


def private_page(view):
    """Mark every response of `view` `Cache-Control: private, no-store`: it shows one visitor's
    things (their cart, account, orders), so no cache, shared or the browser's, may keep it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def login_required(view):
    """Like Django's `login_required`, but an htmx request gets a client-side redirect.

    htmx would otherwise swap the login page into a fragment's place. Instead it is told
    (`HX-Redirect`) to load the login page, with `next` set to the page the shopper was on
    (`HX-Current-URL`), so they come back there. A plain POST comes back to the page it was
    sent from (its Referer), never to the POST-only URL itself.
    """

    def same_site_path(url: str, request: HttpRequest) -> str:
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            return path if is_local_path(path) else ""
        return ""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        login_url = resolve_url(settings.LOGIN_URL)
        if getattr(request, "htmx", None):
            back = same_site_path(request.headers.get("HX-Current-URL", ""), request)
            target = redirect_to_login(back or request.get_full_path(), login_url)["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return _finish(response)
        if request.method in ("GET", "HEAD"):
            return redirect_to_login(request.get_full_path(), login_url)
        back = same_site_path(request.headers.get("Referer", ""), request)
        return redirect_to_login(back or resolve_url(settings.LOGIN_REDIRECT_URL), login_url)

    return wrapper
