"""Row locks: the only module that calls select_for_update.

Every function locks its rows in one statement, ordered by primary key, and evaluates the query at
once, so two transactions that lock overlapping rows always queue in the same order instead of
deadlocking. Call them inside `transaction.atomic()`; the locks last until it ends.
"""

from django.db.models import Q

from shop.models import Layout

# Homepage layout (issue 5) ----------------------------------------------------------------------


def lock_live_layout() -> Layout:
    """Lock and return the live layout row (it must exist: see services.layout.live_layout)."""
    return Layout.objects.live().select_for_update().order_by("pk").get()


def lock_draft(*, owner_id: int) -> Layout | None:
    """Lock and return the user's draft, or None when they have none."""
    rows = list(
        Layout.objects.drafts().select_for_update().filter(owner_id=owner_id).order_by("pk")
    )
    return rows[0] if rows else None


def lock_live_and_draft(*, owner_id: int) -> tuple[Layout, Layout | None]:
    """Lock the live layout and the user's draft in one statement; return (live, draft or None)."""
    rows = list(
        Layout.objects.select_for_update()
        .filter(Q(kind=Layout.Kind.LIVE) | Q(kind=Layout.Kind.DRAFT, owner_id=owner_id))
        .order_by("pk")
    )
    live = next(row for row in rows if row.kind == Layout.Kind.LIVE)
    draft = next((row for row in rows if row.kind == Layout.Kind.DRAFT), None)
    return live, draft
