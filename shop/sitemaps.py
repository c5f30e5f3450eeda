"""The sitemap's sections: fixed pages, categories, published products and published CMS pages.

Nothing unpublished and nothing only staff can see (drafts, previews) is ever listed.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from shop.models import Category, DynamicPage, Product
from shop.moment.resolve import resolve


class FixedPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["shop:home", "shop:catalog"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.7

    def items(self):
        return Category.objects.only("slug").order_by("pk")


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Product.objects.published(resolve()).only("slug", "updated").order_by("pk")

    def lastmod(self, product: Product):
        return product.updated


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return DynamicPage.objects.published().only("slug", "updated").order_by("pk")

    def lastmod(self, page: DynamicPage):
        return page.updated


SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {
    "pages": FixedPagesSitemap,
    "categories": CategorySitemap,
    "products": ProductSitemap,
    "cms": PageSitemap,
}
