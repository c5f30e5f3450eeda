"""Row locks: the only place `select_for_update` appears.

Every function locks its rows in one statement, in primary-key order, and evaluates at once;
callers take locks in one global order (cart, then variants, then coupon, then order; wishlists,
layouts and releases are never locked together with those, and releases are locked before
layouts). Two transactions that need the same rows
therefore queue instead of deadlocking. Call these inside `transaction.atomic()`; the locks last
until it ends.
"""

from collections.abc import Iterable

from django.db.models import Q

from shop.models import Cart, Coupon, Layout, Order, Release, Variant, Wishlist

# Cart and checkout ------------------------------------------------------------------------


def lock_cart(cart_id: int) -> Cart:
    """Lock one cart row; every change to a cart's lines happens under it."""
    return Cart.objects.select_for_update().get(pk=cart_id)


def lock_carts(cart_ids: Iterable[int]) -> list[Cart]:
    """Lock several carts (a merge), in primary-key order."""
    return list(Cart.objects.select_for_update().filter(pk__in=set(cart_ids)).order_by("pk"))


def lock_variants(variant_ids: Iterable[int]) -> dict[int, Variant]:
    """Lock the stock rows of these variants, in primary-key order; {pk: variant}.

    The product is fetched in the same query (without locking it: `of=("self",)`), so checkout
    can snapshot its name.
    """
    rows = (
        Variant.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=set(variant_ids))
        .order_by("pk")
    )
    return {variant.pk: variant for variant in rows}


def lock_coupon(coupon_id: int) -> Coupon | None:
    """Lock a coupon's row (its use counter); None when it has been deleted. Its release, if
    any, comes in the same query (not locked): whether the coupon is valid depends on it."""
    return (
        Coupon.objects.select_for_update(of=("self",))
        .select_related("release")
        .filter(pk=coupon_id)
        .first()
    )


def lock_order(order_id: int) -> Order:
    """Lock an order row before moving its status."""
    return Order.objects.select_for_update().get(pk=order_id)


# Wishlists ----------------------------------------------------------------------------------


def lock_wishlists(wishlist_ids: Iterable[int]) -> list[Wishlist]:
    """Lock wishlists (a login merge), in primary-key order; the ones that still exist."""
    return list(
        Wishlist.objects.select_for_update().filter(pk__in=set(wishlist_ids)).order_by("pk")
    )


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


# Releases (issue 12) ----------------------------------------------------------------------------


def lock_release(release_id: int) -> Release:
    """Lock one release row: every change to a release's contents happens under it."""
    return Release.objects.select_for_update().get(pk=release_id)


def lock_releases() -> list[Release]:
    """Lock every release row, in primary-key order: scheduling holds them all, so two releases
    scheduled at once are checked against each other one after the other (the conflict rule),
    and no draft changes while it is checked."""
    return list(Release.objects.select_for_update().order_by("pk"))
