"""The wishlist: hearts in both modes, the page, move to cart, merging on login, price drops."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shop.models import Cart, CartLine, Product, Variant, Wishlist, WishlistItem
from shop.services import cart as cart_service
from shop.services import wishlist as wishlist_service
from shop.services.wishlist import Saved, merged_items
from tests.factories import ProductFactory, ProductImageFactory, VariantFactory, make_product

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def customer():
    return get_user_model().objects.create_user(
        username="ada@example.com", email="ada@example.com", password=PASSWORD
    )


@pytest.fixture
def lamp():
    return make_product(name="Brass Lamp", prices=("40.00",), stocks=[4])


@pytest.fixture
def shirt():
    return make_product(name="Linen Shirt", prices=("30.00", "32.00"), stocks=[5, 0])


@pytest.fixture
def boots() -> Product:
    """Yellow in 6 and 7, brown in 7 (£95), black in 8; a picture of yellow (the primary one)
    and one of brown, none of black."""
    product = ProductFactory(name="Rain Boots")
    for position, (colour, size, price) in enumerate(
        [("Yellow", "6", "90.00"), ("Yellow", "7", "90.00"), ("Brown", "7", "95.00"),
         ("Black", "8", "90.00")]
    ):  # fmt: skip
        VariantFactory(
            product=product, sku=f"BOOT-{colour}-{size}", name=f"{size} / {colour}",
            options={"colour": colour, "size": size}, price=Decimal(price), position=position,
        )  # fmt: skip
    ProductImageFactory(
        product=product, image="products/yellow.jpg", alt="Rain boots in yellow",
        options={"colour": "Yellow"},
    )  # fmt: skip
    ProductImageFactory(
        product=product, image="products/brown.jpg", alt="Rain boots in brown", position=1,
        is_primary=False, options={"colour": "Brown"},
    )  # fmt: skip
    return product


def boot(product: Product, colour: str, size: str) -> Variant:
    return product.variants.get(options={"colour": colour, "size": size})


def save(client, product, state="on", headers=None, **extra):
    return client.post(
        "/wishlist/items/", {"product": product.pk, "state": state, **extra}, headers=headers or {}
    )


def log_in(client):
    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 303
    return response


def saved_names(client) -> list[str]:
    return re.findall(
        r'class="wishlist-item__name"><a [^>]*>([^<]+)<', client.get("/wishlist/").content.decode()
    )


# The heart.


def test_heart_without_javascript_saves_and_comes_back(client, lamp):
    response = save(client, lamp, next="/catalog/")
    assert response.status_code == 303 and response["Location"] == "/catalog/"
    page = client.get("/catalog/").content.decode()
    # The accessible name starts with the visible label ("♥ Saved").
    assert 'Saved<span class="visually-hidden"> (remove Brass Lamp from your wishlist)' in page
    assert "Saved Brass Lamp to your wishlist." in page
    assert re.search(r'id="wishlist-badge"[^>]*>Wishlist <span class="cart-badge__count">1<', page)
    # Anonymous: the row belongs to a wishlist whose token is in the session, not in it.
    wishlist = Wishlist.objects.get()
    assert wishlist.customer is None
    assert client.session["wishlist_token"] == str(wishlist.token)


def test_heart_with_htmx_swaps_itself_and_the_badge(client, lamp):
    response = save(client, lamp, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="wishlist-toggle-{lamp.pk}"')
    assert 'name="state" value="off"' in html
    assert (
        'id="wishlist-badge" href="/wishlist/" hx-swap-oob="true">Wishlist '
        '<span class="cart-badge__count">1<' in html
    )
    assert "Saved Brass Lamp to your wishlist." in html
    assert response["HX-Trigger"] == "wishlist-changed"
    response = save(client, lamp, "off", headers=HTMX)
    assert 'name="state" value="on"' in response.content.decode()
    assert WishlistItem.objects.count() == 0


def test_the_heart_carries_the_desired_state_so_repeats_change_nothing(client, lamp):
    save(client, lamp)
    save(client, lamp)
    assert WishlistItem.objects.count() == 1
    save(client, lamp, "off")
    save(client, lamp, "off")
    assert WishlistItem.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"product": "999999", "state": "on"}, 404),
        ({"product": "abc", "state": "on"}, 400),
        ({"product": "1", "state": "toggle"}, 400),
        ({}, 400),
    ],
)
def test_bad_heart_posts_are_refused(client, lamp, data, status):
    for headers in ({}, HTMX):
        assert client.post("/wishlist/items/", data, headers=headers).status_code == status
    assert WishlistItem.objects.count() == 0


def test_a_draft_product_cannot_be_saved(client, lamp):
    Product.objects.filter(pk=lamp.pk).update(status=Product.Status.DRAFT)
    assert save(client, lamp).status_code == 404


def test_product_page_has_the_heart(client, lamp):
    html = client.get(lamp.get_absolute_url()).content.decode()
    assert 'Save<span class="visually-hidden"> Brass Lamp to your wishlist' in html


# The page.


def test_wishlist_page_shows_price_drops_and_sold_out(client, lamp, shirt):
    save(client, lamp)
    save(client, shirt)
    variant = lamp.variants.get()
    variant.price = Decimal("35.00")
    variant.save()
    Variant.objects.filter(product=shirt).update(stock=0)
    html = client.get("/wishlist/").content.decode()
    assert "Price dropped" in html
    assert "Now £35.00" in html and "was <del>£40.00</del> when you saved it" in html
    assert "Sold out" in html
    assert html.count("Move to cart") == 1  # the sold-out shirt cannot be moved


def test_move_to_cart_in_both_modes(client, lamp, shirt):
    save(client, lamp)
    save(client, shirt)
    item = WishlistItem.objects.get(product=lamp)
    response = client.post(
        f"/wishlist/items/{item.pk}/move/", {"variant": lamp.variants.get().pk}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="wishlist-items"')
    assert "Brass Lamp" not in html.split("</section>")[0]
    assert re.search(
        r'id="cart-badge"[^>]*hx-swap-oob="true">Cart <span class="cart-badge__count">1<', html
    )
    item = WishlistItem.objects.get(product=shirt)
    medium = shirt.variants.order_by("position").first()
    response = client.post(f"/wishlist/items/{item.pk}/move/", {"variant": medium.pk})
    assert response.status_code == 303 and response["Location"] == "/wishlist/"
    assert WishlistItem.objects.count() == 0
    assert CartLine.objects.count() == 2


def test_move_to_cart_refusals_keep_the_item(client, shirt, lamp):
    save(client, shirt)
    item = WishlistItem.objects.get()
    sold_out = shirt.variants.order_by("position").last()
    response = client.post(f"/wishlist/items/{item.pk}/move/", {"variant": sold_out.pk})
    assert response.status_code == 409 and "is sold out" in response.content.decode()
    other = lamp.variants.get()  # not an option of this product
    assert client.post(f"/wishlist/items/{item.pk}/move/", {"variant": other.pk}).status_code == 409
    assert client.post("/wishlist/items/999999/move/", {"variant": other.pk}).status_code == 404
    assert client.post(f"/wishlist/items/{item.pk}/move/", {"variant": "x"}).status_code == 400
    assert WishlistItem.objects.count() == 1


# The option the shopper was looking at.


def heart(html: str, product: Product) -> str:
    return re.search(rf'<form id="wishlist-toggle-{product.pk}".*?</form>', html, re.S).group(0)


def test_the_product_pages_heart_carries_the_option_shown_with_and_without_javascript(
    client, boots, lamp
):
    url = boots.get_absolute_url()
    variant_input = r'name="variant" value="(\d+)"'
    default = heart(client.get(url).content.decode(), boots)
    assert re.findall(variant_input, default) == [str(boot(boots, "Yellow", "6").pk)]
    brown = str(boot(boots, "Brown", "7").pk)
    # Without JavaScript "Show price and stock" comes back to the page at the options' address.
    page = client.get(f"{url}?colour=Brown&size=7").content.decode()
    assert re.findall(variant_input, heart(page, boots)) == [brown]
    # With htmx an option change swaps the buy box, and the heart with it.
    fragment = client.get(f"{url}?colour=Brown&size=7", headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="product-buy"')
    box = fragment.split("</section>")[0]
    assert re.findall(variant_input, heart(box, boots)) == [brown]
    # A combination not made names no variant; a card's heart carries none either.
    not_made = client.get(f"{url}?colour=Black&size=6").content.decode()
    assert 'name="variant"' not in heart(not_made, boots)
    assert 'name="variant"' not in heart(client.get("/catalog/").content.decode(), lamp)


def test_the_wishlist_keeps_the_saved_option_and_shows_its_picture(client, boots):
    brown = boot(boots, "Brown", "7")
    url = f"{boots.get_absolute_url()}?colour=Brown&size=7"
    response = save(client, boots, variant=brown.pk, next=url)
    assert response.status_code == 303 and response["Location"] == url
    assert WishlistItem.objects.get().variant == brown
    html = client.get("/wishlist/").content.decode()
    assert "Colour: Brown, Size: 7" in html
    assert re.search(
        r'<picture><img src="/media/products/brown.jpg" alt="Rain boots in brown" '
        r'width="480" height="480" loading="eager"></picture>',
        html,
    )
    assert f'<a href="{boots.get_absolute_url()}?colour=Brown&amp;size=7">Rain Boots</a>' in html
    assert f'<option value="{brown.pk}" selected>7 / Brown · £95.00</option>' in html
    # The heart swapped by htmx still carries the option, so saving again keeps it.
    fragment = save(client, boots, "off", headers=HTMX, variant=brown.pk).content.decode()
    assert f'name="variant" value="{brown.pk}"' in fragment
    black = boot(boots, "Black", "8")  # no picture of its own: the product's
    save(client, boots, variant=black.pk)
    html = client.get("/wishlist/").content.decode()
    assert "Colour: Black, Size: 8" in html and 'alt="Rain boots in yellow"' in html


def test_saving_again_with_another_option_keeps_that_one(client, boots):
    save(client, boots, variant=boot(boots, "Yellow", "6").pk)
    save(client, boots, variant=boot(boots, "Brown", "7").pk)
    assert WishlistItem.objects.get().variant == boot(boots, "Brown", "7")
    save(client, boots)  # from a card: the option saved stays
    assert WishlistItem.objects.get().variant == boot(boots, "Brown", "7")


def test_saved_from_a_card_the_wishlist_shows_the_products_picture_and_no_option(client, boots):
    save(client, boots)
    html = client.get("/wishlist/").content.decode()
    assert 'alt="Rain boots in yellow"' in html and "Colour:" not in html
    assert f'<a href="{boots.get_absolute_url()}">Rain Boots</a>' in html


def test_an_option_of_another_product_is_refused(client, boots, lamp):
    for headers in ({}, HTMX):
        response = save(client, boots, headers=headers, variant=lamp.variants.get().pk)
        assert response.status_code == 400
        assert "That option is not one of this product&#x27;s." in response.content.decode()
        response = save(client, boots, headers=headers, variant="seven")
        assert response.status_code == 400 and "Choose an option." in response.content.decode()
    assert WishlistItem.objects.count() == 0


def test_wishlist_page_query_budget_holds_at_two_sizes(
    client, django_assert_max_num_queries, warm_footer
):
    def save_boots(name: str):
        product = ProductFactory(name=name)
        for colour in ("Yellow", "Brown"):
            VariantFactory(product=product, name=colour, options={"colour": colour})
            ProductImageFactory(
                product=product, alt=f"{name} in {colour}", options={"colour": colour},
                is_primary=colour == "Yellow",
            )  # fmt: skip
        save(client, product, variant=product.variants.get(name="Brown").pk)

    save(client, make_product(name="First"))
    save_boots("Boots 0")
    with django_assert_max_num_queries(7):
        client.get("/wishlist/")
    for i in range(10):
        save(client, make_product(name=f"More {i}", prices=("5.00", "6.00")))
        save_boots(f"Boots {i + 1}")
    with django_assert_max_num_queries(7):
        html = client.get("/wishlist/").content.decode()
    assert html.count('class="wishlist-item"') == 22
    assert html.count(' in Brown"') == 11 and html.count("<picture>") == 22


# Merging on login.


def test_login_merges_the_anonymous_wishlist_without_duplicates_keeping_the_earliest_price(
    client, customer, lamp, shirt
):
    mine = Wishlist.objects.create(customer=customer)
    long_ago = timezone.now() - timedelta(days=30)
    WishlistItem.objects.create(
        wishlist=mine, product=lamp, price_saved=Decimal("39.00"), added=timezone.now()
    )
    save(client, lamp)
    save(client, shirt)
    WishlistItem.objects.filter(product=lamp, wishlist__customer=None).update(
        added=long_ago, price_saved=Decimal("45.00")
    )
    response = log_in(client)
    assert response.status_code == 303
    items = {i.product.name: i for i in WishlistItem.objects.select_related("product")}
    assert set(items) == {"Brass Lamp", "Linen Shirt"}
    assert items["Brass Lamp"].price_saved == Decimal("45.00")  # the earliest save wins
    assert items["Brass Lamp"].added == long_ago
    assert Wishlist.objects.count() == 1
    page = client.get("/account/").content.decode()
    assert "1 saved item joined your wishlist." in page
    # Merging again (another login) changes nothing.
    wishlist_service.merge_into_customer(session=client.session, customer=customer)
    assert WishlistItem.objects.count() == 2


def test_login_merges_the_cart_adding_quantities_capped_at_stock(client, customer, lamp, shirt):
    account_cart = Cart.objects.create(customer=customer)
    lamp_variant = lamp.variants.get()  # 4 in stock
    CartLine.objects.create(cart=account_cart, variant=lamp_variant, quantity=3, price_seen="40")
    client.post("/cart/add/", {"variant": lamp_variant.pk, "quantity": 2})
    medium = shirt.variants.order_by("position").first()
    client.post("/cart/add/", {"variant": medium.pk, "quantity": 1})
    log_in(client)
    lines = {line.variant_id: line.quantity for line in CartLine.objects.filter(cart=account_cart)}
    assert lines == {lamp_variant.pk: 4, medium.pk: 1}
    assert Cart.objects.count() == 1
    page = client.get("/cart/").content.decode()
    assert (
        "We added what you picked before signing in: 2 × Brass Lamp (Option 1), "
        "1 × Linen Shirt (Option 1)." in page
    )
    assert "Brass Lamp (Option 1): only 4 left, so your cart has 4." in page
    assert 'class="cart-badge__count">5<' in page


def test_without_an_account_cart_the_anonymous_cart_becomes_the_customers(client, customer, lamp):
    client.post("/cart/add/", {"variant": lamp.variants.get().pk, "quantity": 1})
    log_in(client)
    assert Cart.objects.get().customer == customer
    client.post("/account/logout/")
    assert 'class="cart-badge__count">0<' in client.get("/").content.decode()
    log_in(client)
    assert 'class="cart-badge__count">1<' in client.get("/").content.decode()


# Property tests of the merge policies.

saved = st.builds(
    Saved,
    added=st.integers(0, 10**6).map(lambda s: timezone.now() - timedelta(seconds=s)),
    price=st.integers(1, 10**5).map(lambda p: Decimal(p) / 100),
)
wishlists = st.dictionaries(st.integers(1, 20), saved, max_size=12)
quantities = st.dictionaries(st.integers(1, 20), st.integers(1, 99), max_size=12)
stocks = st.dictionaries(st.integers(1, 20), st.integers(0, 150), max_size=20)


@hypothesis_settings(max_examples=200)
@given(a=wishlists, b=wishlists, c=wishlists)
def test_wishlist_merge_is_idempotent_order_independent_and_keeps_the_earliest(a, b, c):
    ab = merged_items(a, b)
    assert ab == merged_items(b, a)
    assert merged_items(ab, b) == ab and merged_items(ab, {}) == ab
    assert merged_items(merged_items(a, b), c) == merged_items(a, merged_items(b, c))
    assert set(ab) == set(a) | set(b)
    for product_id, kept in ab.items():
        candidates = [side[product_id] for side in (a, b) if product_id in side]
        assert kept.added == min(s.added for s in candidates)


@hypothesis_settings(max_examples=200)
@given(a=quantities, b=quantities, stock=stocks)
def test_cart_merge_adds_caps_and_is_order_independent_and_idempotent(a, b, stock):
    merged = cart_service.merged_quantities(a, b, stock)
    assert merged == cart_service.merged_quantities(b, a, stock)
    assert cart_service.merged_quantities(merged, {}, stock) == merged
    for variant_id in set(a) | set(b):
        wanted = a.get(variant_id, 0) + b.get(variant_id, 0)
        expected = min(wanted, stock.get(variant_id, 0), cart_service.MAX_LINE_QUANTITY)
        assert merged.get(variant_id, 0) == expected


# Price-drop e-mails.


def test_price_drops_are_emailed_once_per_drop(
    client, customer, lamp, django_capture_on_commit_callbacks
):
    log_in(client)
    save(client, lamp)
    variant = Variant.objects.get(product=lamp)
    with django_capture_on_commit_callbacks(execute=True):
        variant.price = Decimal("35.00")
        variant.save()
    [email] = mail.outbox
    assert email.to == ["ada@example.com"]
    assert "Brass Lamp: now £35.00 (was £40.00 when you saved it)" in email.body
    # Running the alert again sends nothing: this drop was told already.
    from django.core.management import call_command

    call_command("send_price_drop_alerts", verbosity=0)
    assert len(mail.outbox) == 1
    # A further drop is a new drop.
    with django_capture_on_commit_callbacks(execute=True):
        variant.price = Decimal("30.00")
        variant.save()
    assert len(mail.outbox) == 2 and "now £30.00" in mail.outbox[1].body
    # A rise does not e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        variant.price = Decimal("50.00")
        variant.save()
    assert len(mail.outbox) == 2


def test_no_price_drop_email_when_turned_off_or_anonymous(client, customer, lamp):
    save(Client(), lamp)  # anonymous: nobody to e-mail
    log_in(client)
    save(client, lamp)
    client.post("/account/price-alerts/", {"state": "off"})
    Variant.objects.filter(product=lamp).update(price=Decimal("10.00"))
    Product.objects.filter(pk=lamp.pk).refresh_price_range()
    assert wishlist_service.send_price_drop_alerts() == 0
    assert mail.outbox == []


def test_the_heart_fragment_counts_the_wishlist_once(client, lamp, django_assert_max_num_queries):
    """The toggle and the out-of-band badge share one read of the wishlist (and the session's
    row: sessions are never served from the cache)."""
    save(client, lamp)
    with django_assert_max_num_queries(5):
        response = save(client, lamp, "off", headers=HTMX)
    assert 'name="state" value="on"' in response.content.decode()
