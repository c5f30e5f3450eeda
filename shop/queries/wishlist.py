"""Read models for the wishlist page and the hearts on product cards."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import OuterRef, Prefetch, Subquery

from shop import session_keys
from shop.domain.availability import Availability
from shop.domain.customers import is_customer
from shop.models import Product, ProductImage, Variant, Wishlist, WishlistItem
from shop.moment.values import StoreState
from shop.queries.catalog import ProductCard, chosen_as


@dataclass(frozen=True)
class WishlistItemView:
    """A wishlist row: the product's card, the price it was saved at, its options, and the one
    the shopper was looking at when they saved it (`variant`; None when saved from a card)."""

    card: ProductCard
    item_id: int
    price_saved: Decimal
    variants: list[Variant]
    variant: Variant | None = None
    # The pictures of some of the product's options (ProductImage.options is not empty).
    option_pictures: tuple[ProductImage, ...] = ()

    @property
    def price_dropped(self) -> bool:
        return self.card.min_price is not None and self.card.min_price < self.price_saved

    @property
    def buyable_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.stock > 0]

    @property
    def options(self) -> list[tuple[str, str]]:
        """The saved variant's options as the product page names them: [("Colour", "Brown"),
        ("Size", "7")], or [("Option", its name)] when its options cannot tell it apart."""
        if self.variant is None:
            return []
        groups = chosen_as(self.variants, self.variant).groups
        return [(group.label, group.checked.label) for group in groups if group.checked]

    @property
    def url(self) -> str:
        """The product page, with the saved variant chosen."""
        if self.variant is None:
            return self.card.url
        return f"{self.card.url}?{urlencode(chosen_as(self.variants, self.variant).values)}"

    @property
    def availability(self) -> Availability:
        """The saved variant's stock, else the product's."""
        return self.variant.availability if self.variant else self.card.availability

    @property
    def picture(self) -> ProductImage | None:
        """The saved variant's own picture if it has one, else the product's (its card's)."""
        if self.variant is not None:
            values = self.variant.options or {}
            for image in self.option_pictures:
                if image.shows(values):
                    return image
        return self.card.primary_image


def wishlist_page(*, wishlist: Wishlist | None, state: StoreState) -> list[WishlistItemView]:
    """Saved products, newest first, with the price saved, today's card, options and the
    saved option's picture (priced as in `state`); 4 queries."""
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
            saved_variant_id=Subquery(item.values("variant_id")),
        )
        .order_by("-saved_at", "-item_id")  # WishlistItem's own ordering
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch(
                "images", queryset=ProductImage.objects.exclude(options={}), to_attr="option_images"
            ),
        )
    )
    views = []
    for product in products:
        variants = list(product.variants.all())
        views.append(
            WishlistItemView(
                card=ProductCard.from_row(product, state=state),
                item_id=product.item_id,
                price_saved=product.price_saved,
                variants=variants,
                variant=next((v for v in variants if v.pk == product.saved_variant_id), None),
                option_pictures=tuple(product.option_images),
            )
        )
    state.effects.apply(v for view in views for v in view.variants)
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
