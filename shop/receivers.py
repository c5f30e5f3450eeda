"""Signal receivers: what follows a login, whichever way the customer logged in, and what
follows saving a variant or a product image, whoever saved it (the admin, a seed, a service).

Cache invalidation has receivers of its own (shop.cache_invalidation).
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop import session_keys
from shop.models import Product, ProductImage, Variant
from shop.models.layout import can_edit_homepage
from shop.services import cart as cart_service
from shop.services import wishlist as wishlist_service
from shop.tasks import notify_price_drops, write_image_renditions


@receiver(post_save, sender=Variant, dispatch_uid="shop-variant-saved")
def variant_saved(sender, instance: Variant, **kwargs) -> None:
    """Refresh the product's price range (what cards show and "price" sorts by) and, when the
    price went down, e-mail those who saved the product once the change is committed."""
    Product.objects.filter(pk=instance.product_id).refresh_price_range()
    if instance.price_dropped:
        product_ids = [instance.product_id]
        transaction.on_commit(lambda: notify_price_drops.enqueue(product_ids=product_ids))


@receiver(post_delete, sender=Variant, dispatch_uid="shop-variant-deleted")
def variant_deleted(sender, instance: Variant, **kwargs) -> None:
    """The product's price range no longer counts the deleted variant."""
    Product.objects.filter(pk=instance.product_id).refresh_price_range()


@receiver(post_save, sender=ProductImage, dispatch_uid="shop-product-image-saved")
def product_image_saved(sender, instance: ProductImage, raw: bool = False, **kwargs) -> None:
    """Have a worker write the image's WebP/AVIF renditions once the save commits (when the
    file is new): encoding them takes a while, and never inside the admin's request."""
    if raw or not instance.image or instance.renditions.get("of") == instance.image.name:
        return
    image_id = instance.pk
    transaction.on_commit(lambda: write_image_renditions.enqueue(image_id=image_id))


@receiver(user_logged_in, dispatch_uid="shop-merge-on-login")
def merge_on_login(sender, request, user, **kwargs) -> None:
    """Bring the anonymous cart and wishlist into the account and say what happened.

    Django's login() has just rotated the session key and kept the session's data, so the
    anonymous tokens are still there.
    """
    if request is None or not hasattr(request, "session"):
        return
    # Shared pages show the "Edit homepage" button from the session, without loading the user.
    request.session[session_keys.HOMEPAGE_EDITOR] = can_edit_homepage(user)
    report = cart_service.merge_into_customer(session=request.session, customer=user)
    saved = wishlist_service.merge_into_customer(session=request.session, customer=user)
    # fail_silently: a login without the messages middleware (a test's force_login) says nothing.
    for note in report.messages:
        messages.info(request, note, fail_silently=True)
    if saved:
        messages.info(
            request,
            f"{saved} saved item{'s' if saved != 1 else ''} joined your wishlist.",
            fail_silently=True,
        )
