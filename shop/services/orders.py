"""Moving an order's status, the only thing about an order that ever changes.

Leaving "placed" or "paid" for "failed" or "cancelled" gives the stock and the coupon use back
in the same transaction, under the same lock order as checkout (cart, variants, coupon, order).
"""

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop import cache_invalidation, locks
from shop.models import Cart, Coupon, Order, Payment, Variant
from shop.tasks import send_order_confirmation


class TransitionRefused(Exception):
    """The order cannot move to that status from where it is."""

    def __init__(self, order: Order, status: str):
        self.order, self.status = order, status
        label = dict(Order.Status.choices).get(status, status)
        super().__init__(
            f"Order {order.number} is {order.get_status_display().lower()}: "
            f"it cannot become {label.lower()}."
        )


def _give_back(order: Order) -> None:
    """Return the order's stock and coupon use (caller holds the locks)."""
    returned: dict[int, int] = {}
    for line in order.lines.all():
        if line.variant_id is not None:  # a deleted variant has no stock to return
            Variant.objects.filter(pk=line.variant_id).update(stock=F("stock") + line.quantity)
            returned[line.variant_id] = returned.get(line.variant_id, 0) + line.quantity
    if returned:
        cache_invalidation.stock_moved(returned)
    if order.coupon_id:
        Coupon.objects.filter(pk=order.coupon_id, times_used__gt=0).update(
            times_used=F("times_used") - 1
        )


def _lock_for_release(order: Order) -> Order:
    """Take the locks to release an order's stock, in the global order; returns it re-read."""
    cart_id = Cart.objects.filter(checkout_token=order.checkout_token).values_list("pk", flat=True)
    if cart_id:
        locks.lock_cart(cart_id[0])
    locks.lock_variants(line.variant_id for line in order.lines.all() if line.variant_id)
    if order.coupon_id:
        locks.lock_coupon(order.coupon_id)
    return locks.lock_order(order.pk)


def _move(order: Order, status: str, **fields) -> Order:
    if not order.can_become(status):
        raise TransitionRefused(order, status)
    order.status = status
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["status", "updated", *fields])
    return order


def mark_paid(*, order: Order, payment: Payment, reference: str) -> Order:
    """Record an authorised payment: the order becomes paid and its confirmation is e-mailed
    after commit. Raises TransitionRefused if the order is no longer awaiting payment."""
    with transaction.atomic():
        order = locks.lock_order(order.pk)
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.AUTHORISED, reference=reference, updated=timezone.now()
        )
        order = _move(order, Order.Status.PAID, paid_at=timezone.now())
        order_id = order.pk
        transaction.on_commit(lambda: send_order_confirmation.enqueue(order_id=order_id))
    return order


def fail_payment(*, order: Order, payment: Payment | None, status: str, message: str) -> Order:
    """Record a declined or failed payment (or none at all, for an abandoned order): the
    order fails, its stock and coupon use come back, and its cart reopens with a new checkout
    token so the shopper can try again. An order no longer awaiting payment is left alone."""
    with transaction.atomic():
        order = _lock_for_release(order)
        if payment is not None:
            Payment.objects.filter(pk=payment.pk).update(
                status=status, message=message[:200], updated=timezone.now()
            )
        if order.status != Order.Status.PLACED:
            return order
        _give_back(order)
        order = _move(order, Order.Status.FAILED, closed_at=timezone.now())
        Cart.objects.filter(checkout_token=order.checkout_token).update(
            status=Cart.Status.OPEN, checkout_token=uuid.uuid4(), updated=timezone.now()
        )
    return order


def cancel(*, order: Order) -> Order:
    """Cancel a placed or paid order and return its stock and coupon use.

    Raises TransitionRefused for fulfilled, failed or already cancelled orders.
    """
    with transaction.atomic():
        order = _lock_for_release(order)
        if not order.can_become(Order.Status.CANCELLED):
            raise TransitionRefused(order, Order.Status.CANCELLED)
        _give_back(order)
        return _move(order, Order.Status.CANCELLED, closed_at=timezone.now())


def fulfil(*, order: Order) -> Order:
    """Mark a paid order as fulfilled (shipped). Raises TransitionRefused otherwise."""
    with transaction.atomic():
        order = locks.lock_order(order.pk)
        return _move(order, Order.Status.FULFILLED, closed_at=timezone.now())
