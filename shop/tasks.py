"""Background work, through Django's tasks framework (run immediately unless TASKS says else).

Tasks take ids, not objects, and re-read what they need: by the time a worker runs one, the
rows may have moved on.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from shop.models import Order
from shop.services import wishlist


@task()
def send_order_confirmation(*, order_id: int) -> str:
    """E-mail the customer their order confirmation; returns the order number."""
    order = Order.objects.prefetch_related("lines").get(pk=order_id)
    context = {"order": order, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    send_mail(
        subject=f"Your {settings.SITE_NAME} order {order.number}",
        message=render_to_string("emails/order_confirmation.txt", context),
        from_email=None,
        recipient_list=[order.email],
    )
    return order.number


@task()
def notify_price_drops(*, product_ids: list[int] | None = None) -> int:
    """E-mail customers whose saved products got cheaper (once per drop); returns e-mails sent."""
    return wishlist.send_price_drop_alerts(product_ids=product_ids)
