"""`request.store`: the store a request shows (a `StoreState`), set once per request by
`SetStore`, resolved lazily (a request that never reads it costs nothing): a staff member's time
travel, a preview link's moment, or the live store now. Views pass `state=request.store` to
every read and write that shows or charges a price, a visibility or a layout.
"""

from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from partials.responses import HtmxHttpRequest
from shop import session_keys
from shop.domain.customers import is_staff_with
from shop.models import Release
from shop.models.releases import TIME_TRAVEL_PERMISSION
from shop.moment.links import PreviewLinkInvalid, moment_of, read_preview_link
from shop.moment.resolve import resolve
from shop.moment.values import StoreState


class ShopRequest(HtmxHttpRequest):
    """The request type of views that read `request.store` (set by `SetStore`)."""

    store: StoreState


class SetStore:
    """Sets `request.store`, after the session and the user are known (MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.store = SimpleLazyObject(lambda: store_for(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def can_time_travel(user) -> bool:
    """Staff who may see the store at another moment (the time-travel permission)."""
    return is_staff_with(user, TIME_TRAVEL_PERMISSION)


def previewing(request: HttpRequest) -> bool:
    """settings.PARTIALS_PREVIEW: whether this request may show another moment than now (time
    travel or a preview link in its session). Reads the session only; `store_for` checks."""
    session = getattr(request, "session", None)
    return bool(
        session is not None
        and (session.get(session_keys.TIME_TRAVEL) or session.get(session_keys.STORE_PREVIEW))
    )


def store_for(request: HttpRequest) -> StoreState:
    """The store this request shows: a staff member's time travel, a preview link's moment, or
    the live store now. A time travel the user may not take, or a preview link no longer
    valid, is dropped from the session."""
    if not previewing(request):
        return resolve()
    session = request.session
    travel = session.get(session_keys.TIME_TRAVEL)
    if travel and can_time_travel(getattr(request, "user", None)):
        release = Release.objects.filter(pk=travel.get("release")).first()
        moment = datetime.fromisoformat(travel["at"]) if travel.get("at") else None
        return resolve(at=moment or moment_of(release), release=release, time_travel=True)
    token = session.get(session_keys.STORE_PREVIEW)
    if token:
        try:
            target = read_preview_link(token=token)  # never a homepage draft's link
        except PreviewLinkInvalid:
            session.pop(session_keys.STORE_PREVIEW, None)
        else:
            return resolve(at=target.moment, release=target.release, time_travel=True)
    session.pop(session_keys.TIME_TRAVEL, None)
    return resolve()
