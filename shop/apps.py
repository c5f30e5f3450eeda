from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        # Homepage layout (issue 5): catalog changes invalidate the cached homepage.
        from shop import cache_invalidation

        cache_invalidation.connect()
