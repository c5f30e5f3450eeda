"""Shared previews of a homepage draft: a signed, expiring link that anyone may open."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from shop.models import Layout

PREVIEW_SALT = "shop.homepage.preview"


class PreviewLinkInvalid(LookupError):
    """The preview token is tampered with, expired, or its draft is gone (published/discarded)."""

    message = "This preview link is not valid any more."


@dataclass(frozen=True)
class PreviewLink:
    token: str
    expires_at: datetime


def preview_link(*, draft: Layout, now: datetime | None = None) -> PreviewLink:
    """A signed token naming this draft, accepted by draft_for_preview until it expires."""
    moment = now or timezone.now()
    # Whole seconds: that is what the token carries, so both ends agree on the expiry.
    expires_at = (moment + timedelta(seconds=settings.HOMEPAGE_PREVIEW_LINK_SECONDS)).replace(
        microsecond=0
    )
    token = signing.dumps(
        {"draft": draft.pk, "exp": int(expires_at.timestamp())}, salt=PREVIEW_SALT, compress=True
    )
    return PreviewLink(token=token, expires_at=expires_at)


def draft_for_preview(*, token: str, now: datetime | None = None) -> tuple[Layout, datetime]:
    """The draft a preview token names, and when the link expires.

    Raises PreviewLinkInvalid when the token was tampered with, has expired, or its draft is gone
    (published or discarded).
    """
    try:
        data = signing.loads(token, salt=PREVIEW_SALT)
        draft_pk, expires = int(data["draft"]), int(data["exp"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PreviewLinkInvalid(token) from None
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if (now or timezone.now()) >= expires_at:
        raise PreviewLinkInvalid(token)
    draft = Layout.objects.drafts().select_related("owner").filter(pk=draft_pk).first()
    if draft is None:
        raise PreviewLinkInvalid(token)
    return draft, expires_at
