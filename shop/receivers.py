"""Signal receivers: what happens around logging in, whichever way the customer logged in."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.services import cart as cart_service
from shop.services import wishlist as wishlist_service


@receiver(user_logged_in, dispatch_uid="shop-merge-on-login")
def merge_on_login(sender, request, user, **kwargs) -> None:
    """Bring the anonymous cart and wishlist into the account and say what happened.

    Django's login() has just rotated the session key and kept the session's data, so the
    anonymous tokens are still there.
    """
    if request is None or not hasattr(request, "session"):
        return
    report = cart_service.merge_into_customer(session=request.session, customer=user)
    saved = wishlist_service.merge_into_customer(session=request.session, customer=user)
    for note in report.messages:
        messages.info(request, note)
    if saved:
        messages.info(
            request,
            f"{saved} saved item{'s' if saved != 1 else ''} joined your wishlist.",
        )
