"""factory_boy factories: catalog, carts, coupons and checkout, homepage layout and CMS pages."""

import functools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Cart,
    CartLine,
    Category,
    Coupon,
    DynamicPage,
    Layout,
    Product,
    ProductAttribute,
    ProductImage,
    ShippingMethod,
    Variant,
    Warehouse,
)
from shop.moment.resolve import resolve
from shop.services import layout as layout_services


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ["code"]

    name = "Test warehouse"
    code = "TST"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A product made for tests."
    category = factory.SubFactory(CategoryFactory)
    status = Product.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "One size"
    price = Decimal("10.00")
    stock = 10
    warehouse = factory.SubFactory(WarehouseFactory)


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = "products/test.png"
    alt = factory.LazyAttribute(lambda o: f"{o.product.name} photo")
    width = 480
    height = 480
    is_primary = True


class AttributeDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeDefinition
        django_get_or_create = ["slug"]

    name = factory.LazyAttribute(lambda o: o.slug.capitalize())
    slug = "colour"


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue
        django_get_or_create = ["definition", "slug"]

    definition = factory.SubFactory(AttributeDefinitionFactory)
    label = factory.LazyAttribute(lambda o: o.slug.capitalize())
    slug = "red"


class ProductAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductAttribute

    product = factory.SubFactory(ProductFactory)
    value = factory.SubFactory(AttributeValueFactory)
    definition = factory.LazyAttribute(lambda o: o.value.definition)


def make_product(*, name=None, category=None, prices=("10.00",), stocks=None, attributes=(), **kw):
    """A published product with one variant per price, a primary image and attribute values.

    `attributes` is a list of (definition slug, value slug) pairs.
    """
    extra = {"name": name} if name else {}
    if category is not None:
        extra["category"] = category
    product = ProductFactory(**extra, **kw)
    stocks = stocks or [10] * len(prices)
    for position, (price, stock) in enumerate(zip(prices, stocks, strict=True)):
        VariantFactory(
            product=product,
            price=Decimal(price),
            stock=stock,
            position=position,
            name=f"Option {position + 1}",
        )
    ProductImageFactory(product=product)
    for definition_slug, value_slug in attributes:
        value = AttributeValueFactory(
            definition=AttributeDefinitionFactory(slug=definition_slug), slug=value_slug
        )
        ProductAttributeFactory(product=product, value=value)
    return product


# Cart, coupons, checkout ---------------------------------------------------------------------


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod
        django_get_or_create = ["code"]

    code = "standard"
    name = "Standard delivery"
    description = "2–4 working days"
    price = Decimal("3.95")


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = Coupon.Kind.PERCENT
    value = Decimal("10")


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart


def cart_with(*lines: tuple[Variant, int], coupon: Coupon | None = None) -> Cart:
    """An open cart holding `quantity` of each variant, priced as they are now."""
    cart = CartFactory(coupon=coupon)
    for variant, quantity in lines:
        CartLine.objects.create(
            cart=cart, variant=variant, quantity=quantity, price_seen=variant.price
        )
    return cart


def sell(variant: Variant, quantity: int, capture_on_commit) -> None:
    """Place an order for `quantity` of `variant` the way checkout does (locks, stock, cache
    invalidation), running its after-commit work (`capture_on_commit`: pytest-django's
    `django_capture_on_commit_callbacks`)."""
    from shop.domain import pricing
    from shop.queries import cart as cart_queries
    from shop.services import checkout
    from tests.shop.test_orders import DETAILS

    cart = cart_with((variant, quantity))
    with capture_on_commit(execute=True):
        checkout.place_order(
            cart_id=cart.pk,
            checkout_token=cart.checkout_token,
            confirmed=pricing.read_signed(cart_queries.review(state=resolve(), cart=cart).signed()),
            details=DETAILS,
        )


# Homepage layout and CMS pages (issue 5) --------------------------------------------------------


PASSWORD = "a-long-test-password"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per run: the real hasher costs about a second per call."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.LazyFunction(password_hash)


def make_editor(username: str = "marketer", **kwargs):
    """A staff user with the homepage permission (and the page permissions, for previews)."""
    user = UserFactory(username=username, is_staff=True, **kwargs)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="shop",
            codename__in=["edit_homepage", "change_dynamicpage", "view_dynamicpage"],
        )
    )
    user.save()
    return get_user_model().objects.get(pk=user.pk)  # Fresh: no stale permission cache.


def make_live_layout(*blocks: dict) -> Layout:
    """Publish `blocks` (LayoutBlock fields; `products`/`categories` lists too) as version 1."""
    layout_services.ensure_published_layout(blocks=list(blocks))
    return Layout.objects.live().get()


class DynamicPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DynamicPage

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    body = "<p>Some words.</p>"
    published = True
