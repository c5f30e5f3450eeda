"""Read models for the wishlist page and the hearts on product cards."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from shop.domain.availability import Availability
from shop.models import ProductImage, Variant, Wishlist, WishlistItem
from shop.services.accounts import is_customer
from shop.services.wishlist import SESSION_KEY


@dataclass
class WishlistItemView:
    item: WishlistItem
    image: ProductImage | None
    variants: list[Variant]
    current_price: Decimal | None
    availability: Availability

    @property
    def price_dropped(self) -> bool:
        return self.current_price is not None and self.current_price < self.item.price_saved

    @property
    def buyable_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.stock > 0]


def wishlist_page(*, wishlist: Wishlist | None) -> list[WishlistItemView]:
    """Saved products with the price saved, today's price, stock and options; 3 queries."""
    if wishlist is None:
        return []
    items = (
        WishlistItem.objects.filter(wishlist=wishlist)
        .select_related("product")
        .prefetch_related(
            Prefetch("product__variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch(
                "product__images",
                queryset=ProductImage.objects.filter(is_primary=True),
                to_attr="primary_images",
            ),
        )
    )
    views = []
    for item in items:
        variants = list(item.product.variants.all())
        views.append(
            WishlistItemView(
                item=item,
                image=item.product.primary_images[0] if item.product.primary_images else None,
                variants=variants,
                current_price=item.product.min_price,
                availability=Availability(quantity=sum(max(v.stock, 0) for v in variants)),
            )
        )
    return views


def saved_product_ids(*, session, customer=None) -> set[int]:
    """The products in the shopper's wishlist (one query, none without a wishlist)."""
    items = WishlistItem.objects.all()
    if is_customer(customer):
        items = items.filter(wishlist__customer=customer)
    elif session.get(SESSION_KEY):
        items = items.filter(wishlist__token=session[SESSION_KEY], wishlist__customer=None)
    else:
        return set()
    return set(items.values_list("product_id", flat=True))
