"""Preview links: a signed, expiring token for the store with a release applied, or at a
moment (or both), which anyone may open (`/releases/preview/<token>/`); its session then shows
that store on every page (shop.moment.middleware).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from shop.models import Release

PREVIEW_SALT = "shop.releases.preview"


def moment_of(release: Release | None, now: datetime | None = None) -> datetime:
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
    return PreviewTarget(release, shown or moment_of(release, moment), expires_at)
