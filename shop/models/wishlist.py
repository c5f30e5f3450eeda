"""Wishlists: saved products, for anonymous shoppers (a token in the session) and customers.

Each item keeps the price the shopper saw when they saved it, so the wishlist can say when it
dropped. A wishlist holds a product once (a unique constraint, which merging relies on).
"""

import uuid

from django.conf import settings
from django.db import models


class Wishlist(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One wishlist per customer; anonymous wishlists have none until their owner logs in.
    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="wishlist",
    )
    price_drop_emails = models.BooleanField(
        default=True, help_text="E-mail the customer when a saved product gets cheaper."
    )
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Wishlist of {self.customer}" if self.customer_id else f"Wishlist {self.token}"


class WishlistItem(models.Model):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("shop.Product", on_delete=models.CASCADE, related_name="+")
    # The option the shopper was looking at when they saved it (the product page's choice);
    # none when saved from a card, or once that variant is gone.
    variant = models.ForeignKey(
        "shop.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The lowest price of the product when it was saved (what its card showed).
    price_saved = models.DecimalField(max_digits=10, decimal_places=2)
    # The price a drop was last e-mailed at: one e-mail per drop, not one per run.
    price_notified = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    added = models.DateTimeField()

    class Meta:
        ordering = ["-added", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["wishlist", "product"], name="wishlist_product_once")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.wishlist_id}"
