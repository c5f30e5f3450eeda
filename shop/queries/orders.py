"""Read models for orders: who may see one, and what its page shows."""

from shop import session_keys
from shop.domain.customers import is_customer
from shop.models import Cart, Order

REMEMBERED = 20


def remember(session, order: Order) -> None:
    """Let this browser session see `order` (guests have no other way to prove it is theirs)."""
    tokens = [t for t in session.get(session_keys.ORDERS, []) if t != str(order.token)]
    session[session_keys.ORDERS] = [*tokens, str(order.token)][-REMEMBERED:]


def belongs_to(order: Order, *, session, customer=None, via_cart: bool = False) -> bool:
    """Whether the viewer owns `order`: its customer, the session that placed it, or (with
    `via_cart`, for a repeated submit racing the first) the session whose cart it came from."""
    if is_customer(customer) and order.customer_id == customer.pk:
        return True
    if str(order.token) in session.get(session_keys.ORDERS, []):
        return True
    cart_token = session.get(session_keys.CART) if via_cart else None
    if cart_token:
        return Cart.objects.filter(token=cart_token, checkout_token=order.checkout_token).exists()
    return False


def order_page(*, token, session, customer=None) -> Order:
    """The order with its lines and payments, if the viewer owns it; else Order.DoesNotExist."""
    order = Order.objects.prefetch_related("lines").filter(token=token).first()
    if order is None or not belongs_to(order, session=session, customer=customer):
        raise Order.DoesNotExist
    return order
