"""Seeing the store as it will be: staff time travel, release preview links, and saving the
homepage editor's draft into a release.

Time travel (staff with the time-travel permission) and an opened preview link (anyone who has
it) put a moment in the browser's session; from then on every page shows the store at that
moment (`request.store`, shop.moment.middleware) with a banner naming it, checkout refuses, and
every response is private, no-store and noindex (partials.public.MarkPreviews) until "Leave the
preview". Building releases, scheduling and rolling them back happen in the admin.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from partials.responses import (
    HtmxHttpRequest,
    HttpResponseSeeOther,
    after_action,
    private_preview,
    render_failure,
    render_page,
    safe_next,
)
from shop import session_keys
from shop.forms import SaveIntoReleaseForm, TimeTravelForm
from shop.models import Release
from shop.models.layout import can_edit_homepage
from shop.moment import links
from shop.moment import middleware as moment_requests
from shop.moment.resolve import resolve
from shop.queries import layout as layout_queries
from shop.queries import releases as release_queries
from shop.services import releases as release_service


def _leave(request: HtmxHttpRequest) -> None:
    request.session.pop(session_keys.TIME_TRAVEL, None)
    request.session.pop(session_keys.STORE_PREVIEW, None)


@require_POST
def time_travel(request: HtmxHttpRequest) -> HttpResponse:
    """Staff: see the whole shop at a moment, or as a release will make it (`state=on`), or come
    back to the live shop (`state=off`); then the page in `next` (default: the homepage)."""
    if not moment_requests.can_time_travel(request.user):
        raise PermissionDenied("Time travel needs the time-travel permission.")
    form = TimeTravelForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("__all__", ["Not valid."]))
        )
        return HttpResponseSeeOther(safe_next(request.POST.get("next"), reverse("shop:home")))
    back = safe_next(form.cleaned_data["next"], reverse("shop:home"))
    if not form.on:
        _leave(request)
        return after_action(request, redirect_to=back, message="You are back in the live shop.")
    release = None
    if form.cleaned_data["release"]:
        release = Release.objects.filter(pk=form.cleaned_data["release"]).first()
        if release is None:
            raise Http404("No such release.")
    at = form.cleaned_data["at"]
    request.session.pop(session_keys.STORE_PREVIEW, None)
    request.session[session_keys.TIME_TRAVEL] = {
        "at": at.isoformat() if at else "",
        "release": release.pk if release else None,
    }
    return after_action(request, redirect_to=back)


@require_POST
def leave_preview(request: HtmxHttpRequest) -> HttpResponse:
    """Back to the live shop from time travel or a preview link."""
    _leave(request)
    return after_action(request, redirect_to="shop:home", message="You are back in the live shop.")


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A release (or moment) preview link, for anyone who has it: the homepage as it will be,
    with a button (POST) to browse the whole shop that way in this browser. 404 once the link
    expired or its release was rolled back."""
    try:
        target = links.read_preview_link(token=token)
    except links.PreviewLinkInvalid as invalid:
        return private_preview(
            render_failure(
                request, "shop/preview_link_invalid.html", message=invalid.message, status=404
            )
        )
    if request.method == "POST":
        request.session.pop(session_keys.TIME_TRAVEL, None)
        request.session[session_keys.STORE_PREVIEW] = token
        return HttpResponseSeeOther(reverse("shop:home"))
    state = resolve(at=target.moment, release=target.release, time_travel=True)
    context = {
        "homepage": layout_queries.live_homepage(state=state),
        "link": {"state": state, "expires_at": target.expires_at, "token": token},
    }
    return private_preview(render_page(request, "shop/release_preview.html", context))


@require_POST
def save_homepage(request: HtmxHttpRequest) -> HttpResponse:
    """The homepage editor's "Save into a release": the draft moves into a draft release (it
    shows while the release is in force) and the editor starts again from live."""
    if not (can_edit_homepage(request.user) and release_queries.can_manage(request.user)):
        raise PermissionDenied("Saving into a release needs the homepage and release permissions.")
    choices = release_queries.draft_release_choices()
    form = SaveIntoReleaseForm(request.POST, releases=choices)
    if not form.is_valid():
        messages.error(request, "Choose a draft release to save your homepage into.")
        return private_preview(HttpResponseSeeOther(reverse("shop:home")))
    release = Release.objects.get(pk=form.cleaned_data["release"])
    try:
        release_service.save_homepage(release=release, user=request.user)
    except release_service.ReleaseError as error:
        messages.error(request, error.message)
        return private_preview(HttpResponseSeeOther(reverse("shop:home")))
    request.session[session_keys.HOMEPAGE_EDITING] = False
    request.session.pop(session_keys.HOMEPAGE_SHARE_LINK, None)
    when = timezone.localtime(release.starts_at)
    return private_preview(
        after_action(
            request,
            redirect_to=reverse("admin:shop_release_changes", args=[release.pk]),
            message=f"Your homepage draft is in “{release.name}”: everyone sees it from "
            f"{when:%-d %b %Y, %H:%M} once the release is scheduled.",
        )
    )
