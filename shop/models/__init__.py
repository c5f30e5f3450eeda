from shop.models.cart import Cart, CartLine
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
from shop.models.coupons import Coupon, Eligibility
from shop.models.orders import (
    ImmutableRecord,
    Order,
    OrderLine,
    Payment,
    ShippingMethod,
)
from shop.models.wishlist import Wishlist, WishlistItem

__all__ = [
    "AttributeDefinition",
    "AttributeValue",
    "Availability",
    "Cart",
    "CartLine",
    "Category",
    "Coupon",
    "Eligibility",
    "ImmutableRecord",
    "Order",
    "OrderLine",
    "Payment",
    "Product",
    "ProductAttribute",
    "ProductImage",
    "ShippingMethod",
    "Variant",
    "Warehouse",
    "Wishlist",
    "WishlistItem",
]
