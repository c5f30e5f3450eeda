"""Two logins at once (two tabs, a double submit) merge the anonymous cart and wishlist once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from shop.models import Cart, CartLine, Wishlist, WishlistItem
from shop.services import cart as cart_service
from shop.services import wishlist as wishlist_service
from tests.factories import make_product

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_merges_change_nothing_more_than_one():
    customer = get_user_model().objects.create_user(username="c@example.com", password="x")
    products = [make_product(name=f"P{i}", prices=("10.00",), stocks=[5]) for i in range(4)]
    variants = [p.variants.get() for p in products]
    # The account already has P0 saved and 2 × P0 in its cart.
    mine = Wishlist.objects.create(customer=customer)
    WishlistItem.objects.create(
        wishlist=mine, product=products[0], price_saved=Decimal("10.00"), added=timezone.now()
    )
    account_cart = Cart.objects.create(customer=customer)
    CartLine.objects.create(cart=account_cart, variant=variants[0], quantity=2, price_seen="10")
    # Before logging in, the shopper saved P0..P3 and put 2 of each in an anonymous cart.
    anonymous = Wishlist.objects.create()
    anonymous_cart = Cart.objects.create()
    for product, variant in zip(products, variants, strict=True):
        WishlistItem.objects.create(
            wishlist=anonymous, product=product, price_saved=Decimal("10.00"), added=timezone.now()
        )
        CartLine.objects.create(cart=anonymous_cart, variant=variant, quantity=2, price_seen="10")
    tokens = {"wishlist_token": str(anonymous.token), "cart_token": str(anonymous_cart.token)}
    start = threading.Barrier(2)

    def log_in(_):
        session = dict(tokens)  # both requests still carry the anonymous tokens
        start.wait()
        try:
            report = cart_service.merge_into_customer(session=session, customer=customer)
            added = wishlist_service.merge_into_customer(session=session, customer=customer)
            return len(report.added), added, session
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(log_in, range(2)))

    assert sorted(r[0] for r in results) == [0, 4]  # one merge moved the four cart lines
    assert sorted(r[1] for r in results) == [0, 3]  # and three new wishlist items
    assert WishlistItem.objects.filter(wishlist=mine).count() == 4
    assert Wishlist.objects.count() == 1
    quantities = dict(CartLine.objects.filter(cart=account_cart).values_list("variant", "quantity"))
    assert quantities == {variants[0].pk: 4, **{v.pk: 2 for v in variants[1:]}}
    assert Cart.objects.count() == 1
    for _, _, session in results:  # both sessions now point at the account's rows
        assert session == {"wishlist_token": str(mine.token), "cart_token": str(account_cart.token)}
