from django.conf import settings

from partials.holes import visitor
from shop.queries.pages import footer_links


def shop(request) -> dict:
    """Site-wide values every template may use.

    `cart_count` and `saved_ids` are callables the template engine calls only where they are
    used (a private page's own lists; shared pages show them through holes instead). Both are
    answered by the request's visitor (shop.queries.visitor), which reads them in one query at
    most, once per request. Views render after they change anything.
    """

    def cart_count() -> int:
        return visitor(request).cart_count  # type: ignore[attr-defined]

    def saved_ids() -> frozenset[int]:
        return visitor(request).saved_ids  # type: ignore[attr-defined]

    def footer() -> tuple:
        return footer_links(state=request.store)

    def store_preview():
        """The time-travel state this request shows (its banner), or None for the live store."""
        state = request.store
        return state if state.time_travel else None

    return {
        "site_name": settings.SITE_NAME,
        "currency": settings.CURRENCY,
        "cart_count": cart_count,
        "saved_ids": saved_ids,
        "footer_links": footer,  # called only where the footer shows; cached
        "contact_email": settings.SHOP_CONTACT_EMAIL,  # the footer's, with the next two
        "contact_hours": settings.SHOP_CONTACT_HOURS,
        "returns_days": settings.RETURNS_DAYS,
        "store_preview": store_preview,  # the time-travel banner (never on a cached page)
    }
