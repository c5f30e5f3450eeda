"""Row locks: the only place `select_for_update` appears.

Every function locks rows in primary-key order and evaluates at once, and callers take locks in
one global order: cart, then variants, then coupon, then order. Two transactions that need the
same rows therefore queue instead of deadlocking. Call these inside `transaction.atomic()`.
"""

from collections.abc import Iterable

from shop.models import Cart, Coupon, Order, Variant, Wishlist

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
    """Lock a coupon's row (its use counter); None when it has been deleted."""
    return Coupon.objects.select_for_update().filter(pk=coupon_id).first()


def lock_order(order_id: int) -> Order:
    """Lock an order row before moving its status."""
    return Order.objects.select_for_update().get(pk=order_id)


# Wishlists ----------------------------------------------------------------------------------


def lock_wishlists(wishlist_ids: Iterable[int]) -> list[Wishlist]:
    """Lock wishlists (a login merge), in primary-key order; the ones that still exist."""
    return list(
        Wishlist.objects.select_for_update().filter(pk__in=set(wishlist_ids)).order_by("pk")
    )
