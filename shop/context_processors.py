from functools import cache

from django.conf import settings

from shop.queries.cart import item_count


def shop(request) -> dict:
    """Site-wide values every template may use.

    `cart_count` is a callable the template engine calls only where the badge is rendered
    (one query at most, none without a cart), and once per response.
    """

    @cache
    def cart_count() -> int:
        return item_count(session=request.session, customer=getattr(request, "user", None))

    return {
        "site_name": settings.SITE_NAME,
        "currency": settings.CURRENCY,
        "cart_count": cart_count,
    }
