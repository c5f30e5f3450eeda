"""Availability: whether something can be bought, as a state code and the words the shopper reads.

This is the only place that phrases stock ("Only 3 left", "Sold out", ...): badges, the cart's
notices and the cart's refusals all come from here, so the shop says the same thing everywhere.
"""

from dataclasses import dataclass

LOW_STOCK_THRESHOLD = 5  # "Only N left" up to this many; "In stock" above it.

IN_STOCK = "in-stock"
LOW_STOCK = "low-stock"
SOLD_OUT = "sold-out"


@dataclass(frozen=True, slots=True)
class Availability:
    """What the shop can say about buying something of which `quantity` units are left."""

    quantity: int

    @property
    def available(self) -> bool:
        return self.quantity > 0

    @property
    def code(self) -> str:
        """The state: IN_STOCK, LOW_STOCK or SOLD_OUT (also the badge's CSS modifier)."""
        if self.quantity <= 0:
            return SOLD_OUT
        return LOW_STOCK if self.quantity <= LOW_STOCK_THRESHOLD else IN_STOCK

    @property
    def message(self) -> str:
        """The badge: "In stock", "Only 3 left" or "Sold out"."""
        if self.quantity <= 0:
            return "Sold out"
        if self.quantity <= LOW_STOCK_THRESHOLD:
            return f"Only {self.quantity} left"
        return "In stock"

    @property
    def label(self) -> str:
        """A card's badge: "In stock", "Low stock" or "Sold out", with no count. Cards are cached
        for every visitor, and this changes only when the state (`code`) does."""
        return {SOLD_OUT: "Sold out", LOW_STOCK: "Low stock"}.get(self.code, "In stock")

    @property
    def schema_org(self) -> str:
        return "https://schema.org/InStock" if self.available else "https://schema.org/OutOfStock"

    @property
    def nothing_to_add(self) -> str:
        """Said instead of the add-to-cart controls of something sold out."""
        return "Sold out: nothing to add right now."

    @property
    def shortfall(self) -> str:
        """A cart line that asks for more than is left, and what the shopper must do about it."""
        if self.available:
            return f"Only {self.quantity} left: lower the quantity to check out"
        return "Sold out: remove it to check out"

    @property
    def left(self) -> str:
        """How much is left, however much that is: "Only 12 left" or "Sold out"."""
        return f"Only {self.quantity} left" if self.available else "Sold out"

    def since_review(self, *, name: str, wanted: int) -> str:
        """Checkout's notice that `name` ran short of the `wanted` quantity since the review."""
        if not self.available:
            return f"{name} is now sold out."
        return f"{name} has only {self.quantity} left (you asked for {wanted})."

    def refusal(self, *, name: str, in_cart: int = 0) -> str:
        """Why no more of `name` can go in a cart that already holds `in_cart` of it."""
        if not self.available:
            return f"{name} is sold out."
        if in_cart >= self.quantity:
            already = "it" if self.quantity == 1 else "all of them"
            return f"Only {self.quantity} of {name} left, and your cart already has {already}."
        return f"Only {self.quantity} of {name} left."

    def capped(self, *, name: str, in_cart: int) -> str:
        """A cart change cut down to what is left; the cart now holds `in_cart` of `name`."""
        return f"Only {self.quantity} of {name} left: your cart now has {in_cart}."

    def merged(self, *, name: str) -> str:
        """What merging carts on login left of `name` when the carts wanted more than this."""
        if not self.available:
            return f"{name} is sold out, so it is not in your cart"
        return f"{name}: only {self.quantity} left, so your cart has {self.quantity}"
