from shop.models.catalog import (
    AttributeDefinition,
    AttributeValue,
    Availability,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
    Warehouse,
)
from shop.models.layout import Layout, LayoutBlock, LayoutBlockProduct  # Homepage (issue 5).
from shop.models.pages import DynamicPage, PageRedirect  # CMS pages (issue 5).

__all__ = [
    "AttributeDefinition",
    "AttributeValue",
    "Availability",
    "Category",
    "DynamicPage",
    "Layout",
    "LayoutBlock",
    "LayoutBlockProduct",
    "PageRedirect",
    "Product",
    "ProductAttribute",
    "ProductImage",
    "Variant",
    "Warehouse",
]
