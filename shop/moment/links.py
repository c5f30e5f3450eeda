"""Preview links: one signed, expiring token for what is not public yet, which anyone who has it
may open until it expires (PREVIEW_LINK_SECONDS). It names one of:

- a release (the store with it applied, at its start while that is ahead, else now), a moment
  (the store then), or both: `/releases/preview/<token>/`, whose button puts the token in the
  session so every page shows that store (shop.moment.middleware);
- a homepage draft (the homepage as it would make it live): `/preview/<token>/`.

A link of one kind opened at the other's address is not valid there.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from shop.models import Layout, Release

PREVIEW_SALT = "shop.releases.preview"  # the releases' links made before the merge still open


def moment_of(release: Release | None, now: datetime | None = None) -> datetime:
    """The moment a preview of `release` shows: its start while that is ahead (or once it has
    ended), else now."""
    moment = now or timezone.now()
    if release is None:
        return moment
    ended = release.ends_at is not None and release.ends_at <= moment
    return release.starts_at if release.starts_at > moment or ended else moment


class PreviewLinkInvalid(LookupError):
    """The link was tampered with, has expired, or what it names is gone: its release was
    rolled back or deleted, its draft published or discarded."""

    message = "This preview link is not valid any more."


@dataclass(frozen=True)
class PreviewLink:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PreviewTarget:
    """What a valid preview link shows: a release (at its start, or now once it has started),
    or a moment, or both; or a homepage draft (`draft`, with `release` None)."""

    release: Release | None
    moment: datetime
    expires_at: datetime
    draft: Layout | None = None

    @property
    def shows_store(self) -> bool:
        """Whether it is a release's or a moment's link (not a homepage draft's)."""
        return self.draft is None


def preview_link(
    *,
    release: Release | None = None,
    moment: datetime | None = None,
    draft: Layout | None = None,
    now: datetime | None = None,
) -> PreviewLink:
    """A signed token for the store with `release` applied, or at `moment` (or both), or for a
    homepage `draft` alone, accepted by `read_preview_link` until it expires."""
    if (release is None and moment is None) == (draft is None):
        raise ValueError("A preview link shows a release or a moment, or a homepage draft.")
    issued = now or timezone.now()
    # Whole seconds: that is what the token carries, so both ends agree on the expiry.
    expires_at = (issued + timedelta(seconds=settings.PREVIEW_LINK_SECONDS)).replace(microsecond=0)
    data = {
        "release": release.pk if release is not None else None,
        "at": moment.timestamp() if moment is not None else None,
        "exp": int(expires_at.timestamp()),
    }
    if draft is not None:
        data["draft"] = draft.pk
    return PreviewLink(signing.dumps(data, salt=PREVIEW_SALT, compress=True), expires_at)


def read_preview_link(
    *, token: str, of_draft: bool = False, now: datetime | None = None
) -> PreviewTarget:
    """What a preview token shows: a homepage draft's link with `of_draft`, else a release's or a
    moment's. Raises PreviewLinkInvalid when it is a link of the other kind (it is not valid at
    this address), was tampered with, has expired, or names a release that was rolled back or
    deleted or a draft that was published or discarded (one query for a release or a draft)."""
    try:
        data = signing.loads(token, salt=PREVIEW_SALT)
        release_id, at, expires = data["release"], data["at"], int(data["exp"])
        draft_id = int(data["draft"]) if data.get("draft") is not None else None
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise PreviewLinkInvalid(token) from None
    if of_draft != (draft_id is not None):
        raise PreviewLinkInvalid(token)
    moment = now or timezone.now()
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if moment >= expires_at:
        raise PreviewLinkInvalid(token)
    if draft_id is not None:
        draft = Layout.objects.drafts().select_related("owner").filter(pk=draft_id).first()
        if draft is None:
            raise PreviewLinkInvalid(token)
        return PreviewTarget(None, moment, expires_at, draft=draft)
    release = None
    if release_id is not None:
        live_or_not = Release.objects.exclude(status=Release.Status.ROLLED_BACK)
        release = live_or_not.filter(pk=release_id).first()
        if release is None:
            raise PreviewLinkInvalid(token)
    shown = datetime.fromtimestamp(float(at), tz=UTC) if at is not None else None
    return PreviewTarget(release, shown or moment_of(release, moment), expires_at)
