from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.models import Product, Variant
from shop.moment.resolve import resolve
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
    make_product,
)

pytestmark = pytest.mark.django_db


def test_stock_can_never_go_below_zero_in_the_database():
    variant = VariantFactory(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=-1)
    variant.refresh_from_db()
    assert variant.stock == 1


def test_price_must_be_positive_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantFactory(price=Decimal("0.00"))


def test_sku_is_unique():
    VariantFactory(sku="DUP-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantFactory(sku="DUP-1")


def test_a_product_has_at_most_one_primary_image():
    product = ProductFactory()
    ProductImageFactory(product=product, is_primary=True)
    ProductImageFactory(product=product, is_primary=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImageFactory(product=product, is_primary=True)


def test_category_tree_is_limited_in_depth_and_cannot_loop():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    too_deep = CategoryFactory.build(parent=grandchild)
    with pytest.raises(ValidationError, match="at most 3 levels"):
        too_deep.clean()
    assert grandchild.ancestors() == [root, child]
    root.parent = grandchild
    with pytest.raises(ValidationError, match="own ancestor"):
        root.clean()


def test_published_excludes_drafts_archived_and_future_products():
    visible = ProductFactory()
    ProductFactory(status=Product.Status.DRAFT)
    ProductFactory(status=Product.Status.ARCHIVED)
    ProductFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    assert list(Product.objects.published(resolve())) == [visible]


def test_in_stock_needs_one_variant_with_stock():
    in_stock = make_product(prices=("5.00", "6.00"), stocks=[0, 2])
    make_product(prices=("5.00",), stocks=[0])
    assert list(Product.objects.in_stock()) == [in_stock]


def test_search_matches_every_word_in_name_description_or_sku():
    linen = make_product(name="Linen Shirt")
    make_product(name="Wool Jumper")
    assert list(Product.objects.search("linen shirt")) == [linen]
    assert list(Product.objects.search("LINEN")) == [linen]
    sku = linen.variants.first().sku
    assert list(Product.objects.search(sku.lower())) == [linen]
    assert list(Product.objects.search("linen jumper")) == []
