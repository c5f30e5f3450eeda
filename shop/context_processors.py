from django.conf import settings

from shop.queries.cart import item_count
from shop.queries.pages import footer_links
from shop.queries.wishlist import saved_product_ids


def shop(request) -> dict:
    """Site-wide values every template may use.

    `cart_count` and `saved_ids` are callables the template engine calls only where they are
    used (the header badges, the hearts on cards). Their answers are kept on the request, so a
    response made of several fragments (a fragment plus out-of-band badges, each rendered
    separately) still costs at most one query each. Views render after they change anything.
    """
    customer = getattr(request, "user", None)
    memo = request.__dict__.setdefault("_shop_header_counts", {})

    def cart_count() -> int:
        if "cart" not in memo:
            memo["cart"] = item_count(session=request.session, customer=customer)
        return memo["cart"]

    def saved_ids() -> frozenset[int]:
        if "saved" not in memo:
            memo["saved"] = frozenset(saved_product_ids(session=request.session, customer=customer))
        return memo["saved"]

    return {
        "site_name": settings.SITE_NAME,
        "currency": settings.CURRENCY,
        "cart_count": cart_count,
        "saved_ids": saved_ids,
        "footer_links": footer_links,  # called only where the footer shows; cached
    }
