"""Coupons: a case-insensitive code worth a percentage or a fixed amount off the subtotal.

The database keeps the use counter within the total limit; the per-customer limit counts the
customer's (or, for guests, the e-mail address's) orders that still hold the coupon.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from shop.domain.money import ZERO, percent_of, to_money
from shop.models.releases import Release


@dataclass(frozen=True)
class Eligibility:
    """Whether a coupon applies now, and the reason to show when it does not."""

    ok: bool
    code: str = "ok"
    message: str = ""


class Coupon(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off"
        FIXED = "fixed", "Fixed amount off"

    code = models.CharField(max_length=40, help_text="Shoppers may type it in any case.")
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Percent (e.g. 15) or an amount in the shop's currency (e.g. 10.00).",
    )
    min_subtotal = models.DecimalField(
        "minimum subtotal", max_digits=10, decimal_places=2, default=ZERO
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Total uses allowed; empty for no limit."
    )
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses per customer (or e-mail address); empty for none."
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    active = models.BooleanField(default=True)
    release = models.ForeignKey(
        "shop.Release",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coupons",
        help_text="Valid only while this release is in force (and within its own dates).",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="coupon_code_unique_any_case"),
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="coupon_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == self.Kind.PERCENT and self.value and self.value > 100:
            raise ValidationError({"value": "A percentage cannot exceed 100."})
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": "The end must be after the start."})

    @property
    def label(self) -> str:
        """What the shopper sees: "15% off" or "£10.00 off"."""
        if self.kind == self.Kind.PERCENT:
            return f"{self.value.normalize():f}% off"
        return f"{settings.CURRENCY_SYMBOL}{to_money(self.value):,} off"

    def eligibility(
        self,
        *,
        subtotal: Decimal,
        now: datetime,
        customer_uses: int = 0,
        releases: Sequence[int] = (),
    ) -> Eligibility:
        """Whether the coupon applies to a cart of `subtotal` at `now`, with the reason if not.

        `customer_uses` is how many live orders this customer (or e-mail) already placed with it;
        `releases` are the releases in force (a release's coupon is valid only while it is).
        """
        if not self.active:
            return Eligibility(False, "inactive", f"The code {self.code} is no longer active.")
        if self.release_id is not None and self.release_id not in releases:
            problem = self._outside_release(now)
            if problem is not None:
                return problem
        if self.valid_from and now < self.valid_from:
            return Eligibility(False, "not-started", f"The code {self.code} is not valid yet.")
        if self.valid_until and now >= self.valid_until:
            return Eligibility(False, "expired", f"The code {self.code} has expired.")
        if self.usage_limit is not None and self.times_used >= self.usage_limit:
            return Eligibility(False, "used-up", f"The code {self.code} has been used up.")
        if self.per_customer_limit is not None and customer_uses >= self.per_customer_limit:
            return Eligibility(
                False, "customer-limit", f"You have already used the code {self.code}."
            )
        if subtotal < self.min_subtotal:
            return Eligibility(
                False,
                "minimum",
                f"The code {self.code} needs a subtotal of at least "
                f"{settings.CURRENCY_SYMBOL}{to_money(self.min_subtotal):,}.",
            )
        return Eligibility(True)

    def _outside_release(self, now: datetime) -> Eligibility | None:
        """Why a release's coupon does not apply at `now` (None: its release is live then).
        Load `release` with the coupon (select_related) to save a query."""
        release = self.release
        assert release is not None
        state = release.state_at(now)
        if state == Release.LIVE:
            return None
        if state == Release.SCHEDULED:
            when = timezone.localtime(release.starts_at)
            message = f"The code {self.code} is valid from {when:%-d %b %Y, %H:%M}."
            return Eligibility(False, "not-started", message)
        if state == Release.DRAFT:
            return Eligibility(False, "not-started", f"The code {self.code} is not valid yet.")
        return Eligibility(False, "expired", f"The code {self.code} has expired.")

    def discount_for(self, subtotal: Decimal) -> Decimal:
        """The discount on `subtotal`: rounded to pennies, never more than the subtotal."""
        subtotal = to_money(subtotal)
        if subtotal <= 0:
            return ZERO
        if self.kind == self.Kind.PERCENT:
            amount = percent_of(subtotal, min(self.value, Decimal(100)))
        else:
            amount = to_money(self.value)
        return min(amount, subtotal)


def normalise_code(code: str) -> str:
    """How codes are stored and compared: trimmed, upper case, inner spaces removed."""
    return "".join((code or "").split()).upper()
