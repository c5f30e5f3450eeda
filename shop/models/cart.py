"""Carts: a database row per shopper, found by a token kept in the session or by the customer.

A line remembers the unit price the shopper saw when they added it, so the cart can say when a
price changed since. Quantities are positive and a cart holds a variant once (the database
enforces both); concurrent writers serialise on the cart row (see shop.locks).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class CartQuerySet(models.QuerySet):
    def open(self) -> "CartQuerySet":
        return self.filter(status=Cart.Status.OPEN)


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        # An order was placed from it; it reopens if that order's payment fails.
        ORDERED = "ordered", "Ordered"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    coupon = models.ForeignKey(
        "shop.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Idempotency key of the next checkout from this cart: rendered on the review page, stored
    # on the order it creates, rotated when that order's payment fails so a retry is new.
    checkout_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CartQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"Cart {self.token}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("shop.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The unit price when the shopper added it (or last changed its quantity).
    price_seen = models.DecimalField(max_digits=10, decimal_places=2)
    # The id of the add-to-cart form submission that last added to this line: the same
    # submission arriving twice (a double click without JavaScript) adds once.
    last_request_id = models.CharField(max_length=32, blank=True, editable=False)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_variant_once"),
            # One submission adds to one line, even when a double click opened two carts.
            models.UniqueConstraint(
                fields=["last_request_id"],
                condition=~Q(last_request_id=""),
                name="cart_line_request_once",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"
