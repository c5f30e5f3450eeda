"""Signal receivers: what follows a login, whichever way the customer logged in, and what
follows saving a variant or a product image, whoever saved it (the admin, a seed, a service).

Cache invalidation has receivers of its own (shop.cache_invalidation).
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop import session_keys
from shop.models import (
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
)
from shop.models.layout import can_edit_homepage
from shop.services import cart as cart_service
from shop.services import search as search_service
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


# Search documents (issue 13): what a product is found by changes with its name, description,
# category path, attribute values, variant names and SKUs. Each receiver is one statement.


def _deleted_with_its_product(origin) -> bool:
    """True when a delete started at a product (or products): its document goes with it."""
    model = getattr(origin, "model", None) or type(origin)
    return isinstance(model, type) and issubclass(model, Product)


@receiver(post_save, sender=Product, dispatch_uid="shop-search-product")
def product_saved_for_search(sender, instance: Product, raw: bool = False, **kwargs) -> None:
    if not raw:
        search_service.refresh_documents(products=Product.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Variant, dispatch_uid="shop-search-variant-saved")
@receiver(post_save, sender=ProductAttribute, dispatch_uid="shop-search-attribute-saved")
def product_part_saved_for_search(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        search_service.refresh_documents(products=Product.objects.filter(pk=instance.product_id))


@receiver(post_delete, sender=Variant, dispatch_uid="shop-search-variant-deleted")
@receiver(post_delete, sender=ProductAttribute, dispatch_uid="shop-search-attribute-deleted")
def product_part_deleted_for_search(sender, instance, origin=None, **kwargs) -> None:
    if not _deleted_with_its_product(origin):
        search_service.refresh_documents(products=Product.objects.filter(pk=instance.product_id))


@receiver(post_save, sender=Category, dispatch_uid="shop-search-category")
def category_saved_for_search(sender, instance: Category, raw: bool = False, **kwargs) -> None:
    """Documents name the whole category path, so a category's whole subtree is refreshed."""
    if not raw:
        subtree = Q(category=instance) | Q(category__parent=instance)
        subtree |= Q(category__parent__parent=instance)
        search_service.refresh_documents(products=Product.objects.filter(subtree))


@receiver(post_save, sender=AttributeValue, dispatch_uid="shop-search-attribute-value")
def attribute_value_saved_for_search(
    sender, instance: AttributeValue, raw: bool = False, **kwargs
) -> None:
    if not raw:
        search_service.refresh_documents(
            products=Product.objects.filter(attributes__value=instance)
        )
