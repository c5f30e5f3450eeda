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

__all__ = [
    "AttributeDefinition",
    "AttributeValue",
    "Availability",
    "Category",
    "Product",
    "ProductAttribute",
    "ProductImage",
    "Variant",
    "Warehouse",
]
