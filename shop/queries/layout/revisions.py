"""The homepage's published revisions, newest first."""

from django.db.models import Count

from shop.models import Layout


def revision_history(*, limit: int = 50) -> list[Layout]:
    """The newest published revisions first, each with `block_count` and its publisher."""
    return list(
        Layout.objects.revisions()
        .select_related("published_by")
        .annotate(block_count=Count("blocks"))
        .order_by("-version")[:limit]
    )
