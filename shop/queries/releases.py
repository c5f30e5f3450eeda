"""The store at a moment (shop.domain.releases.StoreState) for each request, preview links, and
the read models of the releases admin: the timeline and "what changes".

**The live state** is the timeline of scheduled releases at this second: which are in force,
what they change (`Effects`) and until when (the next start or end). The timeline and the
effects of each set of releases are cached under the `RELEASES` generation token (replaced when
a release is scheduled, moved back or rolled back) and kept in each process's memory, checked
against that token; so a warm live state costs one cache read and no SQL, and a release starts
on the second because the clock, not a cache entry, decides which releases are in force.

**Time travel** is a staff member's (or a preview link's) view of another moment, or of a
release that is not scheduled yet: read from the database on each request, never from or into
a shared cache, never sold from (checkout refuses), always `private, no-store` and `noindex`
(`previewing` is `settings.PARTIALS_PREVIEW`: partials.public then bypasses the page cache and
marks every response).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from partials import memories
from shop import cache_tokens, session_keys
from shop.domain.customers import is_staff_with
from shop.domain.releases import Effects, StoreState, Timeline
from shop.models import Release
from shop.models.releases import MANAGE_RELEASES_PERMISSION, TIME_TRAVEL_PERMISSION, effects_of

TIMELINE_KEY = "releases:timeline:v1:{token}"
EFFECTS_KEY = "releases:effects:v1:{token}:{catalog}:{ids}"
PREVIEW_SALT = "shop.releases.preview"
EFFECTS_KEPT = 16
CACHED_SECONDS = 24 * 60 * 60  # entries are keyed on tokens; this only frees the memory


@dataclass
class _Memory:
    """This process's copies: the timeline, and the effects of recent sets of releases, each
    under the tokens it was read with."""

    timeline: tuple[str, Timeline] | None = None
    effects: OrderedDict[tuple, Effects] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_memory = _Memory()


def forget() -> None:
    """Drop this process's copies (tests, whose databases come and go, call it)."""
    _memory.timeline = None
    _memory.effects.clear()


memories.register("releases timeline", forget)


def timeline() -> Timeline:
    """The scheduled releases' windows: from this process's memory or the cache when the
    `RELEASES` token still matches, else one query."""
    token = cache_tokens.current(cache_tokens.RELEASES)
    kept = _memory.timeline
    if kept is not None and kept[0] == token:
        return kept[1]
    key = TIMELINE_KEY.format(token=token)
    found = cache.get(key)
    if not isinstance(found, Timeline):
        found = Release.objects.timeline()
        cache.set(key, found, timeout=CACHED_SECONDS)
    _memory.timeline = (token, found)
    return found


def live_effects(release_ids: tuple[int, ...]) -> Effects:
    """What these scheduled releases change, cached: their contents never change while they
    are scheduled, and the price ranges follow the catalog (its token is in the key)."""
    if not release_ids:
        return Effects()
    token = cache_tokens.current(cache_tokens.RELEASES)
    catalog = cache_tokens.current(cache_tokens.CATALOG_PAGES)
    memo_key = (token, catalog, release_ids)
    with _memory.lock:
        kept = _memory.effects.get(memo_key)
    if kept is not None:
        return kept
    key = EFFECTS_KEY.format(token=token, catalog=catalog, ids=".".join(map(str, release_ids)))
    found = cache.get(key)
    if not isinstance(found, Effects):
        found = effects_of(release_ids)
        cache.set(key, found, timeout=CACHED_SECONDS)
    with _memory.lock:
        _memory.effects[memo_key] = found
        while len(_memory.effects) > EFFECTS_KEPT:
            _memory.effects.popitem(last=False)
    return found


def live_state(*, now: datetime | None = None) -> StoreState:
    """The store as shoppers see it at `now` (default: this second)."""
    moment = now or timezone.now()
    known = timeline()
    in_force = known.in_force(moment)
    return StoreState(
        at=moment,
        releases=in_force,
        until=known.next_boundary(moment),
        effects=live_effects(in_force),
    )


def state_at(*, moment: datetime, release: Release | None = None) -> StoreState:
    """Time travel: the store at `moment`, with `release` applied last even if it is not
    scheduled (a preview of it), read from the database (nothing cached is used or filled)."""
    known = Release.objects.timeline()
    in_force = known.in_force(moment)
    if release is not None and release.pk is not None and release.pk not in in_force:
        in_force = (*in_force, release.pk)
    return StoreState(
        at=moment,
        releases=in_force,
        until=known.next_boundary(moment),
        effects=effects_of(in_force),
        time_travel=True,
        label=release.name if release is not None else "",
    )


# Requests: live, a staff member's time travel, or a preview link ----------------------------


def can_time_travel(user) -> bool:
    """Staff who may see the store at another moment (the time-travel permission)."""
    return is_staff_with(user, TIME_TRAVEL_PERMISSION)


def can_manage(user) -> bool:
    """Staff who may build, schedule and roll back releases."""
    return is_staff_with(user, MANAGE_RELEASES_PERMISSION)


def draft_release_choices() -> list[tuple[int, str]]:
    """The draft releases, soonest first, as (id, "Name (from 5 Dec 2025, 09:00)") choices."""
    return [
        (
            release.pk,
            f"{release.name} (from {timezone.localtime(release.starts_at):%-d %b %Y, %H:%M})",
        )
        for release in Release.objects.filter(status=Release.Status.DRAFT).order_by(
            "starts_at", "pk"
        )
    ]


def previewing(request: HttpRequest) -> bool:
    """settings.PARTIALS_PREVIEW: whether this request may show another moment than now (time
    travel or a preview link in its session). Reads the session only; `store_state` checks."""
    session = getattr(request, "session", None)
    return bool(
        session is not None
        and (session.get(session_keys.TIME_TRAVEL) or session.get(session_keys.STORE_PREVIEW))
    )


def store_state(request: HttpRequest) -> StoreState:
    """The store this request shows (worked out once per request): a staff member's time
    travel, a preview link's moment, or the live store now."""
    found = request.__dict__.get("_store_state")
    if found is None:
        found = _state_for(request)
        request.__dict__["_store_state"] = found
    return found


def _state_for(request: HttpRequest) -> StoreState:
    if not previewing(request):
        return live_state()
    session = request.session
    travel = session.get(session_keys.TIME_TRAVEL)
    if travel and can_time_travel(getattr(request, "user", None)):
        release = Release.objects.filter(pk=travel.get("release")).first()
        moment = datetime.fromisoformat(travel["at"]) if travel.get("at") else None
        return state_at(moment=moment or _moment_of(release), release=release)
    token = session.get(session_keys.STORE_PREVIEW)
    if token:
        try:
            target = read_preview_link(token=token)
        except PreviewLinkInvalid:
            session.pop(session_keys.STORE_PREVIEW, None)
        else:
            return state_at(moment=target.moment, release=target.release)
    session.pop(session_keys.TIME_TRAVEL, None)
    return live_state()


def _moment_of(release: Release | None, now: datetime | None = None) -> datetime:
    """The moment a preview of `release` shows: its start while that is ahead (or once it has
    ended), else now."""
    moment = now or timezone.now()
    if release is None:
        return moment
    ended = release.ends_at is not None and release.ends_at <= moment
    return release.starts_at if release.starts_at > moment or ended else moment


# Preview links ---------------------------------------------------------------------------------


class PreviewLinkInvalid(LookupError):
    """The link was tampered with, has expired, or its release was rolled back or deleted."""

    message = "This preview link is not valid any more."


@dataclass(frozen=True)
class PreviewLink:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PreviewTarget:
    """What a valid preview link shows: a release (at its start, or now once it has started),
    or a moment, or both."""

    release: Release | None
    moment: datetime
    expires_at: datetime


def preview_link(
    *, release: Release | None = None, moment: datetime | None = None, now: datetime | None = None
) -> PreviewLink:
    """A signed token for the store with `release` applied, or at `moment` (or both), accepted
    by `read_preview_link` until it expires (RELEASE_PREVIEW_LINK_SECONDS)."""
    if release is None and moment is None:
        raise ValueError("A preview link shows a release or a moment.")
    issued = now or timezone.now()
    expires_at = (issued + timedelta(seconds=settings.RELEASE_PREVIEW_LINK_SECONDS)).replace(
        microsecond=0
    )
    data = {
        "release": release.pk if release is not None else None,
        "at": moment.timestamp() if moment is not None else None,
        "exp": int(expires_at.timestamp()),
    }
    return PreviewLink(signing.dumps(data, salt=PREVIEW_SALT, compress=True), expires_at)


def read_preview_link(*, token: str, now: datetime | None = None) -> PreviewTarget:
    """What a preview token shows. Raises PreviewLinkInvalid when it was tampered with, has
    expired, or names a release that was rolled back or deleted (one query for a release)."""
    try:
        data = signing.loads(token, salt=PREVIEW_SALT)
        release_id, at, expires = data["release"], data["at"], int(data["exp"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PreviewLinkInvalid(token) from None
    moment = now or timezone.now()
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if moment >= expires_at:
        raise PreviewLinkInvalid(token)
    release = None
    if release_id is not None:
        live_or_not = Release.objects.exclude(status=Release.Status.ROLLED_BACK)
        release = live_or_not.filter(pk=release_id).first()
        if release is None:
            raise PreviewLinkInvalid(token)
    shown = datetime.fromtimestamp(float(at), tz=UTC) if at is not None else None
    return PreviewTarget(release, shown or _moment_of(release, moment), expires_at)
