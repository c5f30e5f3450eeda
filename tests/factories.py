"""factory_boy factories for the catalog, carts, coupons and checkout."""

from decimal import Decimal

import factory
from django.utils import timezone

from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Cart,
    CartLine,
    Category,
    Coupon,
    Product,
    ProductAttribute,
    ProductImage,
    ShippingMethod,
    Variant,
    Warehouse,
)


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
