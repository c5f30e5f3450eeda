"""Read models of the releases admin beside the timeline and "what changes"
(shop.queries.release_changes): who may manage releases, and the drafts to choose from. The
store at a moment itself (resolving it, preview links, `request.store`) lives in shop.moment.
"""

from django.utils import timezone

from shop.domain.customers import is_staff_with
from shop.models import Release
from shop.models.releases import MANAGE_RELEASES_PERMISSION


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
