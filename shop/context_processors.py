from functools import cache

from django.conf import settings

from shop.queries.cart import item_count
from shop.queries.wishlist import saved_product_ids


def shop(request) -> dict:
    """Site-wide values every template may use.

    `cart_count` and `saved_ids` are callables the template engine calls only where they are
    used (the header badges, the hearts on cards), at most one query each per response.
    """
    customer = getattr(request, "user", None)

    @cache
    def cart_count() -> int:
        return item_count(session=request.session, customer=customer)

    @cache
    def saved_ids() -> frozenset[int]:
        return frozenset(saved_product_ids(session=request.session, customer=customer))

    return {
        "site_name": settings.SITE_NAME,
        "currency": settings.CURRENCY,
        "cart_count": cart_count,
        "saved_ids": saved_ids,
    }
