"""Background work, on Django's tasks framework (django-tasks-db: `manage.py db_worker`).

Queues: "emails" (order confirmations, password resets, price drops), "alerts" (the price-drop
scan), "default" (image renditions) and "orders" (settling orders left awaiting payment: that
task is the payments service's own, `shop.services.payments.settle_unpaid_orders`, since the
service enqueues these e-mails and must not import what imports it). Every task:
- takes ids, not objects, and re-reads its rows: by the time a worker runs it, they may have
  moved on;
- is idempotent: an e-mail is recorded under a key (`SentEmail`) and never sent twice, a price
  drop is claimed with a conditional UPDATE, an order is settled under its lock;
- is enqueued inside the transaction that makes it necessary (`transaction.on_commit`), so a
  rolled-back change never runs it;
- when it fails for a reason that can pass (the mail server is down or hangs), enqueues itself
  again after the next delay of settings.TASK_RETRY_DELAYS; after the last attempt it fails for
  good, and the failure (with its traceback) is in the admin under "Task results", whose
  "Run again" action enqueues it once more.
"""

import contextlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shop.models import Order, SentEmail
from shop.services import images, wishlist

logger = logging.getLogger(__name__)

# What a task may wait out: the mail server refused, timed out or dropped the connection
# (smtplib's errors are OSErrors too).
PASSING_ERRORS = (OSError,)


def _again(task: Task, *, attempt: int, error: BaseException, **kwargs: Any) -> str:
    """Enqueue `task` once more after the next retry delay; re-raise `error` (so the attempt
    is recorded as failed) when no delay is left or the backend cannot run a task later."""
    delays = settings.TASK_RETRY_DELAYS
    if attempt > len(delays) or not task.get_backend().supports_defer:
        raise error
    run_after = timezone.now() + timedelta(seconds=delays[attempt - 1])
    task.using(run_after=run_after).enqueue(attempt=attempt + 1, **kwargs)
    logger.warning("%s failed (%s); attempt %d at %s", task.name, error, attempt + 1, run_after)
    return f"retrying: {error}"


def _send_once(key: str, *, subject: str, body: str, to: str) -> bool:
    """Send the e-mail unless the one named `key` went out already; True if sent now."""
    if SentEmail.objects.filter(key=key).exists():
        return False
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
    with contextlib.suppress(IntegrityError):  # a duplicate of this task sent it just now
        SentEmail.objects.create(key=key)
    return True


@task(queue_name="emails")
def send_order_confirmation(*, order_id: int, attempt: int = 1) -> str:
    """E-mail the customer their order confirmation (once); returns the order number."""
    order = Order.objects.prefetch_related("lines").get(pk=order_id)
    context = {"order": order, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    try:
        _send_once(
            f"order-confirmation:{order.pk}",
            subject=f"Your {settings.SITE_NAME} order {order.number}",
            body=render_to_string("emails/order_confirmation.txt", context),
            to=order.email,
        )
    except PASSING_ERRORS as error:
        return _again(send_order_confirmation, attempt=attempt, error=error, order_id=order_id)
    return order.number


@task(queue_name="emails")
def send_password_reset(
    *, user_id: int, domain: str, protocol: str, claim: str, attempt: int = 1
) -> str:
    """E-mail a password reset link (once per `claim`, the request's own id).

    The link's token is made when the e-mail goes, so it is valid for PASSWORD_RESET_TIMEOUT
    from then, and stops working as soon as the password changes.
    """
    user = get_user_model().objects.get(pk=user_id)
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": settings.SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    subject = render_to_string("registration/password_reset_subject.txt", context)
    try:
        _send_once(
            f"password-reset:{claim}",
            subject="".join(subject.splitlines()),
            body=render_to_string("registration/password_reset_email.txt", context),
            to=user.email,
        )
    except PASSING_ERRORS as error:
        kwargs = {"user_id": user_id, "domain": domain, "protocol": protocol, "claim": claim}
        return _again(send_password_reset, attempt=attempt, error=error, **kwargs)
    return user.email


@task(queue_name="alerts")
def notify_price_drops(*, product_ids: list[int] | None = None, attempt: int = 1) -> int:
    """E-mail customers whose saved products got cheaper (once per drop); returns e-mails sent.

    Without `product_ids` it scans every saved product (the periodic run)."""
    try:
        return wishlist.send_price_drop_alerts(product_ids=product_ids)
    except PASSING_ERRORS as error:
        _again(notify_price_drops, attempt=attempt, error=error, product_ids=product_ids)
        return 0


@task()
def write_image_renditions(*, image_id: int) -> None:
    """Write a product image's WebP/AVIF renditions and record them on its row (after the admin
    saved it). Idempotent: an image whose renditions are current is left alone."""
    images.add_renditions(image_id=image_id)
