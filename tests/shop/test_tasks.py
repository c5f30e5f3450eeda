"""The task queue for real: django-tasks-db in PostgreSQL and `manage.py db_worker` processes.

Checkout enqueues its e-mail in the order's transaction and returns; a worker process sends it.
A task enqueued in a transaction that rolls back never runs. A mail server that is down is
waited out (retried with backoff) and the e-mail is delivered when it comes back; a task that
fails for good can be run again from the admin. Orders stranded between placing and paying are
settled by the reconciler.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import connections, transaction
from django.tasks import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from shop.domain import pricing
from shop.models import Cart, Coupon, Order, Payment, SentEmail, Variant
from shop.moment.resolve import resolve
from shop.queries import cart as cart_queries
from shop.services import checkout, payments
from shop.tasks import notify_price_drops, send_order_confirmation
from tests.factories import CouponFactory, ShippingMethodFactory, cart_with, make_product
from tests.processes import free_port, shared_database_url, stop_all, wait_for
from tests.shop.test_checkout_views import ADDRESS, GOOD_CARD, hidden
from tests.shop.test_orders import DETAILS

ROOT = Path(__file__).resolve().parents[2]
QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "emails", "orders", "alerts"],
    }
}


@pytest.fixture
def queue(settings):
    """This test process enqueues into the database queue (not the immediate backend)."""
    settings.TASKS = QUEUE
    settings.PAYMENT_TEST_TIMEOUT_SECONDS = 0


def start_worker(**env: str) -> subprocess.Popen:
    """A `manage.py db_worker` process on every queue, against the test database."""
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "TASKS_BACKEND": "database",
        "SECRET_KEY": "task-worker",
        "HTTPS": "0",
        "DEBUG": "0",
        "TASK_RETRY_DELAYS": "0.5,0.5,0.5,0.5,0.5,0.5",
        **env,
    }
    environment.pop("TEST_DATABASE_NAME", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def worker_factory():
    """Start workers with `worker_factory(**env)`; every one is stopped at teardown."""
    started: list[subprocess.Popen] = []

    def start(**env: str) -> subprocess.Popen:
        connections.close_all()
        process = start_worker(**env)
        started.append(process)
        return process

    yield start
    stop_all(started)


def buy(client: Client, variant: Variant) -> Order:
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    html = client.get("/checkout/").content.decode()
    form = {
        **ADDRESS,
        "card_number": GOOD_CARD,
        "checkout_token": hidden(html, "checkout_token"),
        "quote": hidden(html, "quote"),
    }
    response = client.post("/checkout/", form)
    assert response.status_code == 303, response.content.decode()
    return Order.objects.get(status=Order.Status.PAID)


@pytest.mark.django_db(transaction=True)
def test_checkout_enqueues_its_email_and_a_worker_process_delivers_it(
    queue, worker_factory, tmp_path
):
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))
    mug = make_product(name="Queue Mug", prices=("12.50",), stocks=[5]).variants.get()
    order = buy(Client(), mug)
    # The request only wrote a row in the queue; nothing was sent in it.
    [waiting] = DBTaskResult.objects.filter(queue_name="emails")
    assert (waiting.task_path, waiting.status) == (
        "shop.tasks.send_order_confirmation",
        TaskResultStatus.READY,
    )
    assert mail.outbox == []
    worker_factory(EMAIL_FILE_PATH=str(tmp_path))
    # The worker records the e-mail once it is sent: the file is whole by then (it exists, empty,
    # from the moment the backend opens it, so waiting for the file alone raced the write).
    wait_for(lambda: SentEmail.objects.filter(key=f"order-confirmation:{order.pk}").exists())
    [sent] = wait_for(lambda: list(tmp_path.iterdir()), what="the confirmation e-mail")
    message = sent.read_text()
    assert f"Your Storefront order {order.number}" in message and "ada@example.com" in message


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(queue, worker_factory, tmp_path):
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))
    order = buy(Client(), make_product(prices=("9.00",), stocks=[3]).variants.get())
    DBTaskResult.objects.all().delete()  # the order's own confirmation is not this test's
    with pytest.raises(RuntimeError), transaction.atomic():
        send_order_confirmation.enqueue(order_id=order.pk)
        transaction.on_commit(lambda: send_order_confirmation.enqueue(order_id=order.pk))
        raise RuntimeError("the change that needed the e-mail failed")
    assert not DBTaskResult.objects.exists()
    # A task enqueued after it (committed) runs, so the worker was there to run the other.
    notify_price_drops.enqueue(product_ids=[])
    worker_factory(EMAIL_FILE_PATH=str(tmp_path))
    wait_for(
        lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists(),
        what="the committed task to run",
    )
    assert list(tmp_path.iterdir()) == []


class Inbox:
    """What the SMTP server the test starts has received."""

    def __init__(self):
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf8", errors="replace"))
        return "250 Message accepted for delivery"


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_is_waited_out_and_the_email_delivered(queue, worker_factory):
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))
    port = free_port()
    started = time.monotonic()
    order = buy(Client(), make_product(prices=("15.00",), stocks=[3]).variants.get())
    took = time.monotonic() - started
    worker_factory(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_TIMEOUT="2")
    # Nothing listens on the port: the worker fails, and enqueues the e-mail again, with backoff.
    attempts = DBTaskResult.objects.filter(task_path="shop.tasks.send_order_confirmation")
    wait_for(lambda: attempts.count() >= 3, what="two attempts failed and retried")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        wait_for(lambda: inbox.messages, what="the e-mail, once the mail server is back")
    finally:
        smtp.stop()
    [message] = inbox.messages
    assert f"order {order.number}" in message
    failed_attempts = [r.return_value for r in attempts if r.return_value != order.number]
    assert len(failed_attempts) >= 2 and all(v.startswith("retrying") for v in failed_attempts)
    print(
        f"\ncheckout answered in {took * 1000:.0f} ms with no mail server; "
        f"delivered after {attempts.count()} attempts"
    )
    assert not attempts.filter(status=TaskResultStatus.FAILED).exists()


@pytest.mark.django_db
def test_a_task_that_failed_for_good_can_be_run_again_from_the_admin(queue, admin_client):
    failed = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"order_id": 1, "attempt": 5}},
        task_path="shop.tasks.send_order_confirmation",
        queue_name="emails",
        backend_name="default",
        status=TaskResultStatus.FAILED,
        run_after="2026-01-01T00:00:00Z",
    )
    listing = admin_client.get("/admin/django_tasks_database/dbtaskresult/")
    assert listing.status_code == 200 and "Run the selected failed tasks again" in (
        listing.content.decode()
    )
    response = admin_client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "run_again", "_selected_action": [str(failed.pk)]},
    )
    assert response.status_code == 302
    again = DBTaskResult.objects.exclude(pk=failed.pk).get()
    assert again.status == TaskResultStatus.READY
    assert again.args_kwargs["kwargs"] == {"order_id": 1}  # its retries start again


@pytest.mark.django_db
def test_the_periodic_enqueuer_never_piles_up_duplicates(queue):
    call_command("enqueue_periodic", verbosity=0)
    call_command("enqueue_periodic", verbosity=0)
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == ["shop.services.payments.settle_unpaid_orders", "shop.tasks.notify_price_drops"]


# Settling orders stranded between placing and paying --------------------------------------------


@pytest.fixture
def stranded() -> Order:
    """An order placed by a request that died before (or while) paying."""
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))
    mug = make_product(name="Mug", prices=("10.00",), stocks=[10]).variants.get()
    cart = cart_with((mug, 2), coupon=CouponFactory(code="TEN", value=Decimal("10")))
    order, created = checkout.place_order(
        cart_id=cart.pk,
        checkout_token=cart.checkout_token,
        confirmed=pricing.read_signed(cart_queries.review(state=resolve(), cart=cart).signed()),
        details=DETAILS,
    )
    assert created and order.status == Order.Status.PLACED
    return order


def pending_payment(order: Order, card: str) -> Payment:
    return Payment.objects.create(
        order=order, gateway="test", amount=order.total, currency="GBP", card_last4=card[-4:]
    )


@pytest.mark.django_db
def test_a_stranded_order_with_no_payment_is_failed_and_gives_its_stock_back(stranded):
    assert payments.settle(older_than=timedelta(minutes=5)) == []  # too young: may be paying
    [settled] = payments.settle(older_than=timedelta(0))
    assert settled.status == Order.Status.FAILED
    assert Variant.objects.get().stock == 10 and Coupon.objects.get().times_used == 0
    assert Cart.objects.get().status == Cart.Status.OPEN


@pytest.mark.django_db
def test_a_stranded_order_whose_card_was_authorised_becomes_paid_and_is_emailed(
    stranded, django_capture_on_commit_callbacks
):
    pending_payment(stranded, "4242424242424242")
    with django_capture_on_commit_callbacks(execute=True):
        [settled] = payments.settle(older_than=timedelta(0))
    assert settled.status == Order.Status.PAID
    assert Payment.objects.get().status == Payment.Status.AUTHORISED
    assert Variant.objects.get().stock == 8
    [email] = mail.outbox
    assert stranded.number in email.subject


@pytest.mark.django_db
def test_a_stranded_order_whose_card_was_declined_fails_once(stranded):
    pending_payment(stranded, "4000000000000002")
    [settled] = payments.settle(older_than=timedelta(0))
    assert settled.status == Order.Status.FAILED
    assert Variant.objects.get().stock == 10
    assert payments.settle(older_than=timedelta(0)) == []  # settled once


@pytest.mark.django_db
def test_settling_an_order_someone_else_just_paid_moves_on_instead_of_failing(stranded):
    payment = pending_payment(stranded, "4242424242424242")
    stale = Order.objects.get(pk=stranded.pk)  # read by this run before the other one paid it
    from shop.services import orders

    orders.mark_paid(order=stranded, payment=payment, reference="test_other_run")
    settled = payments._settle_one(stale)
    assert settled.status == Order.Status.PAID
    assert Payment.objects.get().reference == "test_other_run"
