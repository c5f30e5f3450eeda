from django.apps import AppConfig
from django.core import checks


def check_block_kinds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every homepage block kind has its form, loader and template (shop.models.blocks)."""
    # The form and the loader register themselves when their modules are imported.
    import shop.forms
    import shop.queries.layout  # noqa: F401
    from shop.models.blocks import BLOCK_KINDS

    return [checks.Error(problem, id="shop.E001") for problem in BLOCK_KINDS.check()]


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        # Logging in merges the anonymous cart and wishlist; catalog changes invalidate the
        # cached homepage.
        from shop import cache_invalidation, receivers  # noqa: F401 (receivers connect on import)

        cache_invalidation.connect()
        checks.register(check_block_kinds)
