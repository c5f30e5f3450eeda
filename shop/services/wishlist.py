"""Wishlist writes: save and unsave products, move one to the cart, merge on login.

Anonymous shoppers get a wishlist row whose token the session remembers; a customer has one
wishlist. Logging in merges the anonymous one into the customer's: each product once (the
database's unique constraint), keeping the earliest saved price. Merging twice, or two logins
at once, changes nothing more.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, overload

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from shop import locks, session_keys
from shop.domain.customers import is_customer
from shop.models import Cart, Product, Wishlist, WishlistItem
from shop.moment.resolve import resolve
from shop.moment.values import StoreState
from shop.services import cart as cart_service


class WishlistError(Exception):
    message = "That did not work."

    def __str__(self) -> str:
        return self.message


class UnknownProduct(WishlistError):
    message = "That product is not available."


class UnknownItem(WishlistError):
    message = "That item is no longer in your wishlist."


class UnknownVariant(WishlistError):
    message = "That option is not one of this product's. Choose another option."


@dataclass(frozen=True)
class Saved:
    """When a product was saved and at what price: what a merge keeps."""

    added: datetime
    price: Decimal


@overload
def current(*, session: SessionBase, customer=None, create: Literal[True]) -> Wishlist: ...
@overload
def current(*, session: SessionBase, customer=None, create: bool = False) -> Wishlist | None: ...
def current(*, session: SessionBase, customer=None, create: bool = False) -> Wishlist | None:
    """The shopper's wishlist: the customer's, else the session's; created if `create`."""
    if is_customer(customer):
        wishlist = Wishlist.objects.filter(customer=customer).first()
        if wishlist is None and create:
            wishlist = _customer_wishlist(customer)
    else:
        token = session.get(session_keys.WISHLIST)
        wishlist = Wishlist.objects.filter(token=token, customer=None).first() if token else None
        if wishlist is None and create:
            wishlist = Wishlist.objects.create()
    if wishlist is not None and session.get(session_keys.WISHLIST) != str(wishlist.token):
        session[session_keys.WISHLIST] = str(wishlist.token)
    return wishlist


def _customer_wishlist(customer) -> Wishlist:
    """Get or create the customer's one wishlist, also when two requests race to create it."""
    try:
        with transaction.atomic():
            return Wishlist.objects.get_or_create(customer=customer)[0]
    except IntegrityError:
        return Wishlist.objects.get(customer=customer)


def set_saved(
    *,
    wishlist: Wishlist,
    product_id: int,
    saved: bool,
    variant_id: int | None = None,
    state: StoreState,
) -> tuple[Product, bool]:
    """Make the product saved (or not) in the wishlist; returns (product, changed).

    Carries the desired state, so repeating it (a double click, two tabs) changes nothing more.
    `variant_id` is the option the shopper was looking at (the product page's choice; None
    from a card): saving again with another one keeps that one instead. `state` is the store
    the shopper sees (`request.store`): the product
    must be shown there, and is saved at its lowest price there.
    Raises UnknownProduct for products that are not for sale, and UnknownVariant for a variant
    that is not the product's (when saving).
    """
    product = Product.objects.published(state).filter(pk=product_id).first()
    if not saved:
        deleted, _ = WishlistItem.objects.filter(wishlist=wishlist, product_id=product_id).delete()
        if product is None:
            product = Product.objects.filter(pk=product_id).first()
            if product is None:
                raise UnknownProduct()
        return product, bool(deleted)
    if product is None or product.min_price is None:
        raise UnknownProduct()
    if variant_id is not None and not product.variants.filter(pk=variant_id).exists():
        raise UnknownVariant()
    lowest = product.min_price
    if product.pk in state.effects.price_ranges:
        lowest = state.effects.price_ranges[product.pk][0]
    try:
        with transaction.atomic():
            item, created = WishlistItem.objects.get_or_create(
                wishlist=wishlist,
                product=product,
                defaults={"price_saved": lowest, "added": timezone.now(), "variant_id": variant_id},
            )
    except IntegrityError:  # a concurrent save of the same product won
        return product, False
    if not created and variant_id is not None and item.variant_id != variant_id:
        WishlistItem.objects.filter(pk=item.pk).update(variant_id=variant_id)
        return product, True
    return product, created


def move_to_cart(
    *,
    wishlist: Wishlist,
    item_id: int,
    cart: Cart,
    variant_id: int,
    state: StoreState,
) -> cart_service.LineChange:
    """Add one of the item's product (the chosen variant) to the cart, then unsave it. `state`
    is the store the shopper sees (as for `cart.add_item`).

    Raises UnknownItem, or the cart's errors (sold out, ...), in which case the item stays.
    """
    item = WishlistItem.objects.filter(wishlist=wishlist, pk=item_id).first()
    if item is None:
        raise UnknownItem()
    if not item.product.variants.filter(pk=variant_id).exists():
        raise cart_service.UnknownVariant()
    change = cart_service.add_item(cart=cart, variant_id=variant_id, quantity=1, state=state)
    item.delete()
    return change


def set_price_alerts(*, wishlist: Wishlist, enabled: bool) -> Wishlist:
    """Turn price-drop e-mails for this (customer's) wishlist on or off."""
    Wishlist.objects.filter(pk=wishlist.pk).update(price_drop_emails=enabled)
    wishlist.price_drop_emails = enabled
    return wishlist


# Merging on login ---------------------------------------------------------------------------


def merged_items(mine: dict[int, Saved], incoming: dict[int, Saved]) -> dict[int, Saved]:
    """The merge policy, as a pure function: every product once, the earliest save kept.

    Idempotent (merging the result again changes nothing) and order-independent
    (merged_items(a, b) == merged_items(b, a)): the property tests check both.
    """
    merged = dict(mine)
    for product_id, saved in incoming.items():
        kept = merged.get(product_id)
        if kept is None or (saved.added, saved.price) < (kept.added, kept.price):
            merged[product_id] = saved
    return merged


def merge_into_customer(*, session: SessionBase, customer) -> int:
    """Move the session's anonymous wishlist into the customer's; returns items added.

    The session then points at the customer's wishlist. Safe to run twice or concurrently.
    """
    token = session.get(session_keys.WISHLIST)
    mine = _customer_wishlist(customer)
    session[session_keys.WISHLIST] = str(mine.token)
    if not token or token == str(mine.token):
        return 0
    anonymous = Wishlist.objects.filter(token=token, customer=None).first()
    if anonymous is None:
        return 0
    with transaction.atomic():
        held = {w.pk for w in locks.lock_wishlists([anonymous.pk, mine.pk])}
        if anonymous.pk not in held:
            return 0  # a concurrent login merged it already
        theirs = {item.product_id: item for item in anonymous.items.all()}
        ours = {item.product_id: item for item in mine.items.all()}
        merged = merged_items(
            {pid: Saved(i.added, i.price_saved) for pid, i in ours.items()},
            {pid: Saved(i.added, i.price_saved) for pid, i in theirs.items()},
        )
        added = 0
        for product_id, saved in merged.items():
            own = ours.get(product_id)
            if own is None:
                WishlistItem.objects.filter(pk=theirs[product_id].pk).update(wishlist=mine)
                added += 1
            elif (own.added, own.price_saved) != (saved.added, saved.price):
                WishlistItem.objects.filter(pk=own.pk).update(
                    added=saved.added, price_saved=saved.price
                )
        anonymous.delete()  # with the items that duplicated ours
    return added


# Price-drop e-mails -------------------------------------------------------------------------


def send_price_drop_alerts(*, product_ids: list[int] | None = None) -> int:
    """E-mail each customer whose saved products are now cheaper than when they saved them
    (or than the last price we told them about); returns the number of e-mails sent.

    Each customer's drops are claimed with a conditional UPDATE and e-mailed in one transaction:
    two runs at once never send the same drop twice, and an e-mail that fails to go leaves its
    drops unclaimed for the next run. Raises the first sending error after trying everyone.
    """
    threshold = Coalesce("price_notified", "price_saved")
    items = (
        WishlistItem.objects.filter(
            wishlist__customer__isnull=False,
            wishlist__price_drop_emails=True,
            product__in=Product.objects.published(resolve()),
            product__min_price__lt=threshold,
        )
        .select_related("product", "wishlist__customer")
        .order_by("wishlist_id", "pk")
    )
    if product_ids is not None:
        items = items.filter(product_id__in=product_ids)
    by_customer: dict[int, list[WishlistItem]] = {}
    for item in items:
        if item.wishlist.customer is not None:
            by_customer.setdefault(item.wishlist.customer.pk, []).append(item)
    sent, failure = 0, None
    for entries in by_customer.values():
        try:
            sent += _send_drops(entries)
        except OSError as error:  # smtplib's errors are OSErrors: the mail server is away
            failure = failure or error
    if failure is not None:
        raise failure
    return sent


def _send_drops(entries: list[WishlistItem]) -> int:
    """Claim and e-mail one customer's drops together; returns 1 if an e-mail went, else 0."""
    with transaction.atomic():
        claimed = [
            item
            for item in entries
            if WishlistItem.objects.filter(pk=item.pk, price_notified=item.price_notified).update(
                price_notified=item.product.min_price
            )
        ]
        if not claimed:
            return 0
        customer = claimed[0].wishlist.customer
        assert customer is not None, "only customers' wishlists are e-mailed"
        context = {"items": claimed, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
        send_mail(
            subject=f"Price drop on your {settings.SITE_NAME} wishlist",
            message=render_to_string("emails/price_drop.txt", context),
            from_email=None,
            recipient_list=[customer.email],
        )
    return 1
