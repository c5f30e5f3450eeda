"""Read models for the wishlist page and the hearts on product cards."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery

from shop import session_keys
from shop.domain.customers import is_customer
from shop.domain.releases import StoreState
from shop.models import Product, Variant, Wishlist, WishlistItem
from shop.models.releases import apply_prices
from shop.queries.catalog import ProductCard


@dataclass(frozen=True)
class WishlistItemView:
    """A wishlist row: the product's card, the price it was saved at, and its options."""

    card: ProductCard
    item_id: int
    price_saved: Decimal
    variants: list[Variant]

    @property
    def price_dropped(self) -> bool:
        return self.card.min_price is not None and self.card.min_price < self.price_saved

    @property
    def buyable_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.stock > 0]


def wishlist_page(
    *, wishlist: Wishlist | None, state: StoreState | None = None
) -> list[WishlistItemView]:
    """Saved products, newest first, with the price saved, today's card and options (priced
    as in `state`, default: the products' own prices); 3 queries."""
    if wishlist is None:
        return []
    items = WishlistItem.objects.filter(wishlist=wishlist)
    item = items.filter(product=OuterRef("pk"))
    products = (
        Product.objects.filter(pk__in=items.values("product_id"))
        .as_cards()
        .annotate(  # A wishlist holds a product once: one item per product.
            item_id=Subquery(item.values("pk")),
            price_saved=Subquery(item.values("price_saved")),
            saved_at=Subquery(item.values("added")),
        )
        .order_by("-saved_at", "-item_id")  # WishlistItem's own ordering
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")))
    )
    views = [
        WishlistItemView(
            card=ProductCard.from_row(product, state=state),
            item_id=product.item_id,
            price_saved=product.price_saved,
            variants=list(product.variants.all()),
        )
        for product in products
    ]
    if state is not None:
        apply_prices((v for view in views for v in view.variants), state.effects)
    return views


def saved_product_ids(*, session, customer=None) -> set[int]:
    """The products in the shopper's wishlist (one query, none without a wishlist)."""
    items = WishlistItem.objects.all()
    if is_customer(customer):
        items = items.filter(wishlist__customer=customer)
    elif session.get(session_keys.WISHLIST):
        items = items.filter(
            wishlist__token=session[session_keys.WISHLIST], wishlist__customer=None
        )
    else:
        return set()
    return set(items.values_list("product_id", flat=True))
