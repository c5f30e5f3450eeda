"""A shopper saves products without an account, logs in and finds them; a price drop shows;
an item moves to the cart; the wishlist keeps the option chosen on the product page. With
JavaScript on (hearts and options swap in place) and off (full pages)."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from e2e.test_open_a_product import a_variant_in_its_second_colour, choose_colour_and_size
from shop.models import Product, Variant, WishlistItem
from shop.moment.resolve import resolve

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def badge(page: Page, name: str):
    return page.get_by_role("link", name=re.compile(rf"^{name} \d+ "))


def products_with_one_option(count: int) -> list[Product]:
    """Published, in stock, a single variant each (so "Move to cart" needs no choice)."""
    single = [
        p
        for p in Product.objects.published(resolve())
        .filter(variants__stock__gt=2)
        .distinct()
        .order_by("pk")
        if p.variants.count() == 1
    ]
    return single[:count]


def test_save_anonymously_then_log_in_and_find_them(shop: str, page: Page, js: bool):
    get_user_model().objects.create_user(
        username="ada@example.com", email="ada@example.com", password=PASSWORD
    )
    first, second = products_with_one_option(2)
    page.goto(f"{shop}{first.get_absolute_url()}")
    page.get_by_role("button", name=f"Save {first.name} to your wishlist").click()
    expect(
        page.get_by_role("button", name=f"Saved (remove {first.name} from your wishlist)")
    ).to_be_visible()
    expect(badge(page, "Wishlist")).to_have_accessible_name("Wishlist 1 saved")

    page.goto(f"{shop}/catalog/")
    page.get_by_role("button", name=f"Save {second.name} to your wishlist").click()
    expect(badge(page, "Wishlist")).to_have_accessible_name("Wishlist 2 saved")
    if js:  # htmx swapped the heart without leaving the page
        expect(page).to_have_url(f"{shop}/catalog/")

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("status")).to_contain_text("2 saved items joined your wishlist.")

    page.get_by_role("link", name="2 saved products").click()
    items = page.get_by_role("region", name="Saved products").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=first.name)).to_have_count(1)
    expect(items.filter(has_text=second.name)).to_have_count(1)
    assert WishlistItem.objects.filter(wishlist__customer__email="ada@example.com").count() == 2


def test_a_price_drop_shows_and_an_item_moves_to_the_cart(shop: str, page: Page, js: bool):
    product, other = products_with_one_option(2)
    for saved in (product, other):
        page.goto(f"{shop}{saved.get_absolute_url()}")
        page.get_by_role("button", name=f"Save {saved.name} to your wishlist").click()
        expect(
            page.get_by_role("button", name=f"Saved (remove {saved.name} from your wishlist)")
        ).to_be_visible()

    variant = Variant.objects.get(product=product)
    old_price = variant.price
    variant.price = (old_price * Decimal("0.8")).quantize(Decimal("0.01"))
    variant.save()

    page.get_by_role("link", name=re.compile(r"^Wishlist 2 ")).click()
    item = page.get_by_role("listitem").filter(has_text=product.name)
    expect(item.get_by_text("Price dropped")).to_be_visible()
    expect(item).to_contain_text(f"Now £{variant.price:,.2f}")
    expect(item).to_contain_text(f"was £{old_price:,.2f} when you saved it")
    expect(
        page.get_by_role("listitem").filter(has_text=other.name).get_by_text("Price dropped")
    ).to_have_count(0)

    item.get_by_role("button", name=f"Move to cart ({product.name})").click()
    expect(page.get_by_role("status")).to_contain_text("Moved to your cart.")
    expect(page.get_by_role("listitem").filter(has_text=product.name)).to_have_count(0)
    expect(badge(page, "Cart")).to_have_accessible_name("Cart 1 items")
    expect(badge(page, "Wishlist")).to_have_accessible_name("Wishlist 1 saved")

    page.get_by_role("link", name=re.compile(r"^Cart 1 ")).click()
    expect(page.locator("#cart-summary")).to_contain_text(product.name)
    expect(page.locator("#cart-summary")).to_contain_text(f"£{variant.price:,.2f}")


def test_the_wishlist_keeps_the_option_chosen_on_the_product_page(shop: str, page: Page, js: bool):
    variant = a_variant_in_its_second_colour()  # not the option the page starts with
    product = variant.product
    colour, size = variant.options["colour"], variant.options["size"]
    choose_colour_and_size(page, shop, variant, js)
    expect(page).to_have_url(re.compile(rf"\?colour={colour}&size={size}$"))
    expect(page.get_by_role("definition").filter(has_text=variant.sku)).to_be_visible()

    page.get_by_role("button", name=f"Save {product.name} to your wishlist").click()
    expect(
        page.get_by_role("button", name=f"Saved (remove {product.name} from your wishlist)")
    ).to_be_visible()
    if js:
        assert page.evaluate("window.__e2eMarker === 1"), "options and heart swapped in place"
    expect(page).to_have_url(re.compile(rf"\?colour={colour}&size={size}$"))
    assert WishlistItem.objects.get().variant_id == variant.pk

    page.get_by_role("link", name=re.compile(r"^Wishlist 1 ")).click()
    item = page.get_by_role("region", name="Saved products").get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"Colour: {colour}, Size: {size}")
    picture = item.get_by_role("img")
    expect(picture).to_have_accessible_name(re.compile(rf" in {colour.lower()}$"))
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.naturalWidth") > 0, "the picture loads"
    option = item.get_by_label(f"Option for {product.name}")
    expect(option).to_have_value(str(variant.pk))
    # The name leads back to the product page with that option chosen.
    item.get_by_role("link", name=product.name).click()
    expect(page).to_have_url(re.compile(rf"\?colour={colour}&size={size}$"))
    expect(page.get_by_role("definition").filter(has_text=variant.sku)).to_be_visible()
