"""Taking payment for a placed order, through a gateway chosen by settings.PAYMENT_GATEWAY,
and settling orders whose payment was left unfinished.

The payment attempt is recorded (a pending `Payment`) before the gateway is called, with the
order's number as the gateway's idempotency reference. The gateway is called with no
transaction open and no row locked: a slow or hung payment provider never holds up other
shoppers' checkouts. A partial unique index allows one live (pending or authorised) payment per
order, so concurrent submits of one checkout authorise once.

A request can die between placing an order and paying for it (a worker killed, a timeout). The
`settle_unpaid_orders` task (run every few minutes, see `manage.py enqueue_periodic`) settles
such orders: an authorisation the gateway confirms makes the order paid, anything else fails it
and gives its stock and coupon use back.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from shop.models import Order, Payment
from shop.services import orders


@dataclass(frozen=True)
class PaymentResult:
    authorised: bool
    reference: str = ""
    message: str = ""


class PaymentTimeout(Exception):
    """The gateway did not answer in time."""


class Gateway(Protocol):
    name: str

    def authorise(
        self, *, amount: Decimal, currency: str, card_number: str, reference: str
    ) -> PaymentResult:
        """Authorise `amount` on the card; raise PaymentTimeout if the provider does not answer."""
        ...

    def lookup(self, *, payment: Payment) -> PaymentResult:
        """What became of the authorisation asked for `payment` (by its order's reference); a
        never-seen reference is not authorised. Raise PaymentTimeout if the provider is away."""
        ...


class TestGateway:
    """A gateway for development and tests: no network, three test cards.

    4242 4242 4242 4242 is authorised, 4000 0000 0000 0002 is declined, and
    4000 0000 0000 0119 times out (after settings.PAYMENT_TEST_TIMEOUT_SECONDS). Any other
    number is declined as unknown.
    """

    __test__ = False  # not a pytest test class
    name = "test"
    AUTHORISED = "4242424242424242"
    DECLINED = "4000000000000002"
    TIMES_OUT = "4000000000000119"
    calls = 0  # authorisations requested in this process (tests count them)

    def authorise(
        self, *, amount: Decimal, currency: str, card_number: str, reference: str
    ) -> PaymentResult:
        type(self).calls += 1
        if card_number == self.AUTHORISED:
            return PaymentResult(True, reference=f"test_{reference}")
        if card_number == self.TIMES_OUT:
            time.sleep(float(getattr(settings, "PAYMENT_TEST_TIMEOUT_SECONDS", 0)))
            raise PaymentTimeout()
        if card_number == self.DECLINED:
            return PaymentResult(False, message="Your card was declined.")
        return PaymentResult(False, message="The test gateway does not know that card.")

    def lookup(self, *, payment: Payment) -> PaymentResult:
        # The test cards decide every outcome, so the card's last four digits are enough to
        # answer as a real gateway would from its records.
        if payment.card_last4 == self.AUTHORISED[-4:]:
            return PaymentResult(True, reference=f"test_{payment.order.number}")
        return PaymentResult(False, message="The payment did not go through.")


TEST_CARDS = [
    (TestGateway.AUTHORISED, "is authorised"),
    (TestGateway.DECLINED, "is declined"),
    (TestGateway.TIMES_OUT, "times out"),
]


def gateway() -> Gateway:
    return import_string(settings.PAYMENT_GATEWAY)()


def pay(*, order: Order, card_number: str) -> Order:
    """Authorise the order's total on the card and record the outcome; returns the order.

    Only the caller that claims the order's payment slot talks to the gateway; a concurrent or
    repeated call returns the order as it stands. A decline or timeout fails the order, which
    returns its stock and coupon use and reopens the cart for another try.
    """
    if order.status != Order.Status.PLACED:
        return order
    provider = gateway()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order,
                gateway=provider.name,
                amount=order.total,
                currency=order.currency,
                card_last4=card_number[-4:],
            )
    except IntegrityError:
        order.refresh_from_db()
        return order  # someone else is paying (or has paid) for this order

    try:
        result = provider.authorise(
            amount=order.total,
            currency=order.currency,
            card_number=card_number,
            reference=order.number,
        )
    except PaymentTimeout:
        return orders.fail_payment(
            order=order,
            payment=payment,
            status=Payment.Status.ERROR,
            message="The payment provider did not answer in time. You have not been charged.",
        )
    if result.authorised:
        return orders.mark_paid(order=order, payment=payment, reference=result.reference)
    return orders.fail_payment(
        order=order, payment=payment, status=Payment.Status.DECLINED, message=result.message
    )


def settle(*, older_than: timedelta) -> list[Order]:
    """Settle every order still awaiting payment `older_than` after it was placed.

    No payment ever started: the order fails (stock and coupon use back, cart reopened). A
    pending payment: the gateway is asked, then the order is paid or failed accordingly. An
    authorised payment whose order was never marked paid: the order becomes paid. Returns the
    orders as settled. Safe to run twice at once: each move happens under the order's lock.
    """
    cutoff = timezone.now() - older_than
    stale = Order.objects.filter(status=Order.Status.PLACED, created__lt=cutoff).order_by("pk")
    return [_settle_one(order) for order in stale]


def _settle_one(order: Order) -> Order:
    payment = order.payments.exclude(status=Payment.Status.DECLINED).order_by("-pk").first()
    if payment is None or payment.status not in {Payment.Status.PENDING, Payment.Status.AUTHORISED}:
        # No payment to record the reason on: the order page says the payment did not go through.
        return orders.fail_payment(order=order, payment=None, status="", message="")
    if payment.status == Payment.Status.AUTHORISED:
        return _paid(order, payment, payment.reference)
    try:
        result = gateway().lookup(payment=payment)
    except PaymentTimeout:
        return order  # the provider is away: the next run asks again
    if result.authorised:
        return _paid(order, payment, result.reference)
    return orders.fail_payment(
        order=order, payment=payment, status=Payment.Status.DECLINED, message=result.message
    )


def _paid(order: Order, payment: Payment, reference: str) -> Order:
    """Mark the order paid, unless a concurrent run (or the shopper's own request) moved it
    first: then it is returned as that left it, and this run moves on to the next order."""
    try:
        return orders.mark_paid(order=order, payment=payment, reference=reference)
    except orders.TransitionRefused:
        order.refresh_from_db()
        return order


@task(queue_name="orders")
def settle_unpaid_orders() -> list[str]:
    """Settle orders still awaiting payment after settings.RECONCILE_AFTER_SECONDS; returns
    their numbers and what became of them. (A task of this service's own: see the module.)"""
    older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    return [f"{order.number}: {order.status}" for order in settle(older_than=older_than)]
