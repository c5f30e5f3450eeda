"""Choosing a product's options: one group of radios per option, the chosen variant's price,
stock and pictures, with and without JavaScript, and adding the chosen variant to the cart."""

import re
from decimal import Decimal

import pytest

from shop.models import Cart, Product
from tests.factories import ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def jumper() -> Product:
    """Grey in S, M and L (L sold out, M £49); navy in S and M. A picture per colour."""
    product = ProductFactory(name="Lambswool Jumper")
    for position, (colour, size, price, stock) in enumerate(
        [
            ("Grey", "S", "45.00", 8),
            ("Grey", "M", "49.00", 2),
            ("Grey", "L", "45.00", 0),
            ("Navy", "S", "45.00", 9),
            ("Navy", "M", "45.00", 9),
        ]
    ):
        VariantFactory(
            product=product,
            sku=f"JMP-{colour[0]}{size}",
            name=f"{size} / {colour}",
            options={"colour": colour, "size": size},
            price=Decimal(price),
            stock=stock,
            position=position,
        )
    ProductImageFactory(
        product=product, image="products/grey.jpg", alt="Grey jumper", is_primary=True,
        options={"colour": "Grey"},
    )  # fmt: skip
    ProductImageFactory(
        product=product, image="products/navy.jpg", alt="Navy jumper", position=1, is_primary=False,
        options={"colour": "Navy"},
    )  # fmt: skip
    ProductImageFactory(
        product=product, image="products/label.jpg", alt="The label", position=2, is_primary=False
    )
    return product


def buy_box(html: str) -> str:
    return re.search(r'<section id="product-buy".*?</section>', html, re.S).group(0)


def pictures(html: str) -> list[str]:
    gallery = re.search(r'<ul class="gallery__slides".*?</ul>', html, re.S).group(0)
    return re.findall(r'alt="([^"]*)"', gallery)


def test_the_page_offers_each_option_as_radios_with_the_first_in_stock_chosen(client, jumper):
    html = client.get(jumper.get_absolute_url()).content.decode()
    box = buy_box(html)
    assert re.findall(r"<legend>(\w+)", box) == ["Colour", "Size"]
    assert re.findall(r'name="(colour|size)" value="(\w+)" checked', box) == [
        ("colour", "Grey"),
        ("size", "S"),
    ]
    assert 'id="product-price">£45.00<' in box and "In stock" in box
    # L in grey is sold out; the label says so, in words a screen reader reads too.
    assert re.search(r'value="L"><span>L</span><span class="visually-hidden">, sold out', box)
    assert "JMP-" not in box  # no SKUs in the picker: they are in the details
    assert re.search(r"<dt>SKU</dt><dd>JMP-GS</dd>", html)
    assert pictures(html) == ["Grey jumper", "The label"]


def test_a_get_with_options_shows_that_variants_price_stock_and_pictures(client, jumper):
    response = client.get(f"{jumper.get_absolute_url()}?colour=Grey&size=M")
    box = buy_box(response.content.decode())
    assert 'id="product-price">£49.00<' in box and "Only 2 left" in box
    navy = client.get(f"{jumper.get_absolute_url()}?colour=Navy&size=M").content.decode()
    assert pictures(navy) == ["Navy jumper", "The label"]
    # Navy is not made in L: the size says so before the shopper picks it.
    assert re.search(r'value="L"><span>L</span><span class="visually-hidden">, unavailable', navy)


def test_with_htmx_an_option_change_swaps_the_buy_box_and_the_pictures(client, jumper):
    response = client.get(f"{jumper.get_absolute_url()}?colour=Navy&size=S", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="product-buy"')
    assert '<div class="product__gallery gallery" id="product-gallery" hx-swap-oob="true">' in html
    assert '<section id="product-details"' in html and "JMP-NS" in html
    assert "<html" not in html and "HX-Request" in response["Vary"]
    assert "Navy, S: £45.00, In stock" in html  # what the status region announces
    # The radios keep their ids, so focus stays on the one the shopper used.
    assert 'id="option-colour-2" name="colour" value="Navy" checked' in html


def test_a_combination_that_is_not_made_says_so_and_offers_no_add_button(client, jumper):
    html = client.get(f"{jumper.get_absolute_url()}?colour=Navy&size=L").content.decode()
    box = buy_box(html)
    assert "Navy, L is not available. Choose another option." in box
    assert "Add to cart" not in box


def test_an_unknown_option_value_is_a_400_that_shows_the_default(client, jumper):
    response = client.get(f"{jumper.get_absolute_url()}?size=XXL&utm_source=mail")
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is no size like that; showing S." in html
    assert 'id="product-price">£45.00<' in html


def test_adding_by_options_adds_the_variant_they_name(client, jumper):
    response = client.post(
        "/cart/add/", {"product": jumper.pk, "colour": "Grey", "size": "M", "quantity": "2"}
    )
    assert response.status_code == 303
    line = Cart.objects.get().lines.get()
    assert (line.variant.sku, line.quantity) == ("JMP-GM", 2)
    # Back on the product page, with what was added chosen.
    assert response["Location"] == f"{jumper.get_absolute_url()}?variant={line.variant_id}"
    page = client.get(response["Location"]).content.decode()
    assert 'id="product-price">£49.00<' in page


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"colour": "Navy"}, 400, "Choose a size."),
        ({"colour": "Navy", "size": "L"}, 400, "Navy, L is not available. Choose another option."),
        ({"colour": "Navy", "size": "Huge"}, 400, "Choose a size."),
        ({"colour": "Grey", "size": "L"}, 409, "sold out"),
    ],
)
def test_adding_an_incomplete_or_impossible_choice_is_refused_and_keeps_it(
    client, jumper, data, status, message
):
    response = client.post("/cart/add/", {"product": jumper.pk, "quantity": "1", **data})
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert not Cart.objects.filter(lines__isnull=False).exists()
    # The page comes back as the shopper had chosen.
    assert 'name="colour" value="{}" checked'.format(data["colour"]) in html


def test_adding_an_unknown_product_by_options_is_a_404(client, jumper):
    response = client.post("/cart/add/", {"product": 10**9, "size": "S", "quantity": "1"})
    assert response.status_code == 404


def test_without_javascript_show_price_turns_the_choice_into_the_pages_address(client, jumper):
    html = client.get(jumper.get_absolute_url()).content.decode()
    assert "<noscript><p><button" in html and "/options/" in html
    response = client.post(
        f"{jumper.get_absolute_url()}options/",
        {"product": jumper.pk, "colour": "Navy", "size": "M", "quantity": "1",
         "request_id": "0" * 32, "request_input": "add-request-product"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response["Location"] == f"{jumper.get_absolute_url()}?colour=Navy&size=M"


def test_options_cost_no_extra_query(client, jumper, django_assert_max_num_queries, warm_footer):
    # As the product page's budget: five, and its cached copy's tokens (once in a while).
    with django_assert_max_num_queries(6):
        client.get(f"{jumper.get_absolute_url()}?colour=Navy&size=M")
    with django_assert_max_num_queries(5):
        client.get(f"{jumper.get_absolute_url()}?colour=Navy&size=M", headers=HTMX)
