"""Orders: immutable snapshots of what was bought, at what price, whatever the catalog does later.

An order's lines and money fields never change once written: the model refuses, and on
PostgreSQL triggers (migration 0004) refuse too, so not even a stray UPDATE in a shell can
rewrite history. Only the status moves, along ALLOWED_TRANSITIONS. Lines keep the variant's id
without a foreign key, so deleting a product or variant leaves its orders exactly as they were.
"""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from shop.domain.customers import is_customer
from shop.domain.money import ZERO


def within_half_a_penny(field: str, expression) -> Q:
    """`field` equals `expression` to the penny. Exact on PostgreSQL's numeric; the half-penny
    slack only absorbs SQLite's binary floating point (the demo database)."""
    half = Decimal("0.005")
    return Q(**{f"{field}__gte": expression - half}) & Q(**{f"{field}__lte": expression + half})


class ImmutableRecord(Exception):
    """Raised when code tries to change or delete what an order recorded."""


class ShippingMethodQuerySet(models.QuerySet["ShippingMethod"]):
    def active(self) -> "ShippingMethodQuerySet":
        """The delivery options a shopper can choose now, in the order they are offered."""
        return self.filter(active=True)


class ShippingMethod(models.Model):
    name = models.CharField(max_length=80)
    code = models.SlugField(max_length=30, unique=True)
    description = models.CharField(max_length=200, blank=True, help_text="E.g. 2–4 working days.")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    objects = ShippingMethodQuerySet.as_manager()

    class Meta:
        ordering = ["position", "price", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


def new_order_number() -> str:
    """A short, unguessable, human-friendly order number such as "SF-7K3Q9XWD"."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone
    return "SF-" + "".join(secrets.choice(alphabet) for _ in range(8))


class OrderQuerySet(models.QuerySet["Order"]):
    def for_checkout(self, checkout_token) -> "Order | None":
        """The order placed by the checkout `checkout_token`, if any (one at most: unique)."""
        return self.filter(checkout_token=checkout_token).first()

    def coupon_uses(self, *, coupon, customer=None, email: str = "") -> int:
        """Live orders (not failed or cancelled) that used `coupon`, by this customer (when
        logged in) or else by this e-mail address; 0 when there is no coupon, or neither."""
        if coupon is None or (not is_customer(customer) and not email):
            return 0
        orders = self.filter(coupon=coupon).exclude(
            status__in=[Order.Status.FAILED, Order.Status.CANCELLED]
        )
        if is_customer(customer):
            return orders.filter(customer=customer).count()
        return orders.filter(email__iexact=email).count()

    def delete(self):
        raise ImmutableRecord("Orders are never deleted; cancel them instead.")


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "Awaiting payment"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Payment failed"

    # Which status may follow which. Leaving PLACED or PAID for FAILED/CANCELLED returns the
    # stock and the coupon use (shop.services.orders does it, under lock).
    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.PLACED: {Status.PAID, Status.FAILED, Status.CANCELLED},
        Status.PAID: {Status.FULFILLED, Status.CANCELLED},
        Status.FULFILLED: set(),
        Status.CANCELLED: set(),
        Status.FAILED: set(),
    }
    # Fields that may change after the order is written (the database trigger agrees).
    MUTABLE_FIELDS = frozenset({"status", "customer", "paid_at", "closed_at", "updated"})

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkout_token = models.UUIDField(unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED)
    email = models.EmailField()
    # Shipping address, as typed.
    full_name = models.CharField(max_length=120)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="GB")
    # Shipping and payment, as chosen.
    shipping_method = models.CharField(max_length=80)
    payment_method = models.CharField(max_length=40)
    # Money, as charged. All VAT-inclusive; tax_total is the VAT inside total.
    currency = models.CharField(max_length=3, default="GBP")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_code = models.CharField(max_length=40, blank=True)
    # Which coupon to give a use back to if the order fails or is cancelled.
    coupon = models.ForeignKey(
        "shop.Coupon", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    created = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Fulfilled, cancelled or failed."
    )
    updated = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["customer", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=within_half_a_penny(
                    "total",
                    models.F("subtotal") - models.F("discount_total") + models.F("shipping_total"),
                ),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount_total__gte=0) & Q(discount_total__lte=models.F("subtotal")),
                name="order_discount_within_subtotal",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise ImmutableRecord(
                    "An order's record cannot change; only its status moves "
                    "(use shop.services.orders)."
                )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("shop:order-detail", kwargs={"token": self.token})

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("Orders are never deleted; cancel them instead.")

    def payment_failure(self) -> str:
        """Why the order's last payment failed, in the shopper's words."""
        payment = self.payments.exclude(message="").order_by("-pk").first()
        return payment.message if payment else "The payment did not go through."

    def can_become(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, set())


class OrderLineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord("Order lines never change.")

    def delete(self):
        raise ImmutableRecord("Order lines are never deleted.")


class OrderLine(models.Model):
    """One bought variant, as it was: nothing here follows later catalog changes."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    # The variant's id, for returning stock; no foreign key, so the catalog can forget it.
    variant_id = models.BigIntegerField(null=True, blank=True)
    sku = models.CharField("SKU", max_length=64)
    product_name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=120)
    options = models.JSONField(default=dict, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        help_text="This line's share of the discount.",
    )

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=within_half_a_penny(
                    "line_total", models.F("unit_price") * models.F("quantity")
                ),
                name="order_line_total_is_price_times_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord("Order lines never change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("Order lines are never deleted.")


class Payment(models.Model):
    """One authorisation attempt for an order: the guard against charging twice.

    At most one attempt per order may be pending or authorised (a partial unique index), so
    concurrent submits of one checkout can never authorise twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        AUTHORISED = "authorised", "Authorised"
        DECLINED = "declined", "Declined"
        ERROR = "error", "Error or timeout"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    card_last4 = models.CharField(max_length=4, blank=True)
    reference = models.CharField(max_length=80, blank=True)
    message = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["pending", "authorised"]),
                name="one_live_payment_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.status} {self.amount}"
