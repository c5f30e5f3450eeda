"""The wishlist: a page, the heart on product cards and pages, and "move to cart".

The heart is a POST form carrying the desired state (save / unsave). With htmx the heart swaps
in place and the header's wishlist count updates out of band; without JavaScript the form
posts and the browser comes back to the page (303).
"""

from collections.abc import Iterable

from django.http import HttpResponse
from django.views.decorators.http import require_POST, require_safe

from partials.responses import (
    after_action,
    private_page,
    render_failure,
    render_page,
    safe_next,
)
from shop.forms import MoveToCartForm, WishlistToggleForm
from shop.models import Cart, Product
from shop.moment.middleware import ShopRequest
from shop.queries import wishlist as wishlist_queries
from shop.services import cart as cart_service
from shop.services import wishlist as wishlist_service

TEMPLATE = "shop/wishlist.html"
TOGGLE = "components/product_card.html"  # its wishlist-toggle partial
BADGES = ["base.html#wishlist-badge", "base.html#cart-badge"]


def _wishlist(request: ShopRequest, *, create: bool = False):
    return wishlist_service.current(session=request.session, customer=request.user, create=create)


def _page_context(request: ShopRequest) -> dict:
    items = wishlist_queries.wishlist_page(wishlist=_wishlist(request), state=request.store)
    return {"items": items}


@require_safe
@private_page
def wishlist_page(request: ShopRequest) -> HttpResponse:
    """Saved products: price when saved, price now ("Price dropped"), stock, move to cart."""
    return render_page(request, TEMPLATE, _page_context(request), fragment="wishlist-items")


def _cart(request: ShopRequest) -> Cart:
    """The shopper's cart, created if they have none yet."""
    return cart_service.current(session=request.session, customer=request.user, create=True)


def _refuse_on_page(
    request: ShopRequest, message: str, *, status: int = 400, oob: Iterable[str] = ()
) -> HttpResponse:
    """Refuse a POST from the wishlist page: the list fragment (the full page without
    JavaScript) and the `oob` partials, with the reason in the status region."""
    return render_failure(
        request,
        TEMPLATE,
        _page_context(request),
        message=message,
        status=status,
        fragment="wishlist-items",
        oob=oob,
    )


def _list_changed(
    request: ShopRequest, *, redirect_to: str, message: str, trigger: str
) -> HttpResponse:
    """Answer a POST that changed the wishlist from its page: the list as it is now and the
    header badges (or a 303 to `redirect_to` without JavaScript), announcing `message`."""
    return after_action(
        request,
        redirect_to=redirect_to,
        template_name=TEMPLATE,
        fragment="wishlist-items",
        context=_page_context(request),
        oob=BADGES,
        message=message,
        trigger=trigger,
    )


def _after_toggle(
    request: ShopRequest, form: WishlistToggleForm, product: Product, *, saved: bool
) -> HttpResponse:
    """Answer a save/unsave that succeeded: the list when it came from the wishlist page, else
    the heart; the header badges out of band either way; back to `next` without JavaScript."""
    if saved:
        message = f"Saved {product.name} to your wishlist."
    else:
        message = f"Removed {product.name} from your wishlist."
    redirect_to = safe_next(form.cleaned_data["next"], "shop:wishlist")
    if request.POST.get("return_to") == "wishlist":
        return _list_changed(
            request, redirect_to=redirect_to, message=message, trigger="wishlist-changed"
        )
    return after_action(
        request,
        redirect_to=redirect_to,
        template_name=TOGGLE,
        fragment="wishlist-toggle",
        context={
            "product": product,
            "next": form.cleaned_data["next"],
            "variant_id": form.cleaned_data["variant"],  # the heart keeps the choice it carried
        },
        oob=BADGES,
        message=message,
        trigger="wishlist-changed",
    )


@require_POST
def toggle(request: ShopRequest) -> HttpResponse:
    """Save or unsave a product (saving keeps the option the heart carries, if any). From the
    wishlist page, the list is the fragment sent back."""
    form = WishlistToggleForm(request.POST)
    if not form.is_valid():
        message = "Choose an option." if set(form.errors) == {"variant"} else "Choose a product."
        return render_failure(request, TEMPLATE, _page_context(request), message=message)
    saved = form.cleaned_data["state"] == "on"
    try:
        product, _ = wishlist_service.set_saved(
            wishlist=_wishlist(request, create=True),
            product_id=form.cleaned_data["product"],
            saved=saved,
            variant_id=form.cleaned_data["variant"],
            state=request.store,
        )
    except wishlist_service.UnknownProduct as error:
        return render_failure(request, "404.html", message=error.message, status=404, oob=BADGES)
    except wishlist_service.UnknownVariant as error:
        return render_failure(request, TEMPLATE, _page_context(request), message=error.message)
    return _after_toggle(request, form, product, saved=saved)


@require_POST
def move_to_cart(request: ShopRequest, item_id: int) -> HttpResponse:
    """Put one of a saved product (the chosen option) in the cart and take it off the list."""
    form = MoveToCartForm(request.POST)
    wishlist = _wishlist(request)
    if not form.is_valid() or wishlist is None:
        message = str(form.errors.get("variant", ["That item is no longer in your wishlist."])[0])
        return _refuse_on_page(request, message)
    cart = _cart(request)
    try:
        change = wishlist_service.move_to_cart(
            wishlist=wishlist,
            item_id=item_id,
            cart=cart,
            variant_id=form.cleaned_data["variant"],
            state=request.store,
        )
    except (wishlist_service.WishlistError, cart_service.CartError) as error:
        status = 404 if isinstance(error, wishlist_service.UnknownItem) else 409
        return _refuse_on_page(request, error.message, status=status, oob=BADGES)
    return _list_changed(
        request,
        redirect_to="shop:wishlist",
        message=f"Moved to your cart. {change.message}",
        trigger="cart-changed",
    )
