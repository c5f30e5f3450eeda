from shop.models.cart import Cart, CartLine
from shop.models.catalog import (
    AttributeDefinition,
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
    Warehouse,
)
from shop.models.coupons import Coupon, Eligibility
from shop.models.emails import SentEmail
from shop.models.generations import CacheGeneration
from shop.models.layout import Layout, LayoutBlock, LayoutBlockProduct
from shop.models.orders import (
    ImmutableRecord,
    Order,
    OrderLine,
    Payment,
    ShippingMethod,
)
from shop.models.pages import DynamicPage, PageRedirect
from shop.models.releases import (
    Release,
    ReleaseEvent,
    ReleasePage,
    ReleasePrice,
    ReleasePriceRule,
    ReleaseVisibility,
)
from shop.models.search import SearchDocument, SearchPin, SearchSynonym, ZeroResultSearch
from shop.models.sessions import Session
from shop.models.wishlist import Wishlist, WishlistItem

__all__ = [
    "AttributeDefinition",
    "AttributeValue",
    "CacheGeneration",
    "Cart",
    "CartLine",
    "Category",
    "Coupon",
    "DynamicPage",
    "Eligibility",
    "ImmutableRecord",
    "Layout",
    "LayoutBlock",
    "LayoutBlockProduct",
    "Order",
    "OrderLine",
    "PageRedirect",
    "Payment",
    "Product",
    "ProductAttribute",
    "ProductImage",
    "Release",
    "ReleaseEvent",
    "ReleasePage",
    "ReleasePrice",
    "ReleasePriceRule",
    "ReleaseVisibility",
    "SearchDocument",
    "SearchPin",
    "SearchSynonym",
    "SentEmail",
    "Session",
    "ShippingMethod",
    "Variant",
    "Warehouse",
    "Wishlist",
    "WishlistItem",
    "ZeroResultSearch",
]
