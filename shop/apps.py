from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        # Logging in merges the anonymous cart and wishlist; catalog changes invalidate the
        # cached homepage.
        from shop import cache_invalidation, receivers  # noqa: F401 (receivers connect on import)

        cache_invalidation.connect()
