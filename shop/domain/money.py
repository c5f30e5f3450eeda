"""Money arithmetic: Decimal only, quantized to pennies with one explicit rounding rule."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """`value` rounded to whole pennies, halves away from zero (the rule printed on receipts)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent`% of `amount`, rounded to pennies once (never via float)."""
    return to_money(amount * percent / Decimal(100))


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` across `weights` in proportion, in pennies, summing exactly to `total`.

    Largest-remainder method: every share is rounded down to a penny, then the pennies left go
    to the shares with the largest remainders (earliest first on ties). Zero weights get zero.
    """
    total = to_money(total)
    weight_sum = sum(weights, Decimal(0))
    if not weights:
        return []
    if weight_sum <= 0:
        return [ZERO for _ in weights]
    pennies = int(total / CENT)
    exact = [Decimal(pennies) * w / weight_sum for w in weights]
    shares = [int(e) for e in exact]  # floor: exact shares are never negative
    left = pennies - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return [to_money(Decimal(s) * CENT) for s in shares]


def vat_included(gross: Decimal, rate_percent: Decimal) -> Decimal:
    """The VAT inside a VAT-inclusive `gross` amount at `rate_percent` (UK style), in pennies."""
    if rate_percent <= 0:
        return ZERO
    return to_money(gross * rate_percent / (Decimal(100) + rate_percent))
