"""CMS pages served at /<slug>/ by the catch-all route, and the old slugs that redirect to them.

Invariants kept on every save (admin or code): the body is sanitised rich text; a slug never names
a shop URL (RESERVED_SLUGS, or anything the URLconf already serves); renaming a page keeps its old
URL working, as a permanent redirect to the new one.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from shop.sanitising import clean_rich_text

# First path segments the shop uses now or will soon; checked besides the live URLconf, so a
# page cannot grab a URL that a feature in progress is about to claim.
RESERVED_SLUGS = frozenset(
    {
        "account", "accounts", "admin", "api", "basket", "cart", "catalog", "checkout",
        "healthz", "homepage", "login", "logout", "media", "orders", "pages", "preview",
        "products", "releases", "robots.txt", "search", "signup", "sitemap.xml", "static",
        "wishlist",
    }
)  # fmt: skip
CATCH_ALL_URL_NAME = "page"


def slug_is_reserved(slug: str) -> bool:
    """True when /<slug>/ belongs to the shop: a reserved word or a URL another view serves."""
    if slug.lower() in RESERVED_SLUGS:
        return True
    for path in (f"/{slug}/", f"/{slug}"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name != CATCH_ALL_URL_NAME:
            return True
    return False


class DynamicPageQuerySet(models.QuerySet):
    def published(self) -> "DynamicPageQuerySet":
        return self.filter(published=True)


class DynamicPage(models.Model):
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The page lives at /<slug>/. Renaming keeps a 301."
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Rich text (HTML); sanitised on save.")
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="The <title>; defaults to the title."
    )
    seo_description = models.CharField(
        "SEO description", max_length=160, blank=True, help_text="The meta description."
    )
    canonical_url = models.URLField(
        "canonical URL", blank=True, help_text="Only when another URL is the original."
    )
    og_image = models.ImageField(
        "Open Graph image",
        upload_to="pages/",
        blank=True,
        width_field="og_image_width",
        height_field="og_image_height",
        max_length=255,
    )
    og_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    og_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    published = models.BooleanField(
        default=False, help_text="Unpublished pages are 404 for everyone but staff (a preview)."
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = DynamicPageQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "page"

    def __str__(self) -> str:
        return self.title

    # A read model's copy showing a release's change (shop.queries.pages): never saved.
    as_released = False

    def save(self, *args, **kwargs):
        """Sanitise the body, refuse a reserved slug, and record the old slug when it changes.

        Raises ValidationError for a reserved slug (also when saved outside a form), and
        ValueError for a copy showing a release's change (it is not the page's row).
        """
        if self.as_released:
            raise ValueError("This page shows a release's change; save the page itself.")
        self.refuse_reserved_slug()
        self.body = clean_rich_text(self.body)
        with transaction.atomic():
            old_slug = (
                DynamicPage.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            # A live page always wins over a redirect that used to claim its slug.
            PageRedirect.objects.filter(old_slug=self.slug).delete()
            if old_slug and old_slug != self.slug:
                PageRedirect.objects.update_or_create(old_slug=old_slug, defaults={"page": self})

    def get_absolute_url(self) -> str:
        return reverse(CATCH_ALL_URL_NAME, kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.slug:
            self.refuse_reserved_slug()

    def refuse_reserved_slug(self) -> None:
        """Raise ValidationError (on `slug`) when /<slug>/ belongs to the shop."""
        if slug_is_reserved(self.slug):
            raise ValidationError({"slug": f"/{self.slug}/ belongs to the shop; choose another."})


class PageRedirect(models.Model):
    """An old slug of a page: /<old_slug>/ answers 301 to the page's current URL."""

    old_slug = models.SlugField(max_length=80, unique=True)
    page = models.ForeignKey(DynamicPage, on_delete=models.CASCADE, related_name="redirects")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return f"/{self.old_slug}/ → {self.page.get_absolute_url()}"
