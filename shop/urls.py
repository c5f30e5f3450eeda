from django.urls import path

from shop.views import catalog, health, home, layout, pages

app_name = "shop"

urlpatterns = [
    path("", home.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<slug:category_slug>/", catalog.catalog, name="catalog-category"),
    path("products/<slug:slug>/", catalog.product_detail, name="product-detail"),
    path("healthz", health.healthz, name="healthz"),
]

# Homepage editor, shared previews, sitemap and robots.txt (issue 5). CMS pages are served by the
# catch-all route at the end of config/urls.py.
urlpatterns += [
    path("homepage/edit/", layout.edit_mode, name="homepage-edit"),
    path("homepage/draft/blocks/", layout.add_block, name="homepage-blocks"),
    path("homepage/draft/blocks/<uuid:key>/", layout.save_block, name="homepage-block"),
    path(
        "homepage/draft/blocks/<uuid:key>/image/",
        layout.save_block_image,
        name="homepage-block-image",
    ),
    path(
        "homepage/draft/blocks/<uuid:key>/remove/",
        layout.remove_block,
        name="homepage-block-remove",
    ),
    path("homepage/draft/blocks/<uuid:key>/move/", layout.move_block, name="homepage-block-move"),
    path(
        "homepage/draft/blocks/<uuid:key>/visibility/",
        layout.block_visibility,
        name="homepage-block-visibility",
    ),
    path("homepage/draft/publish/", layout.publish, name="homepage-publish"),
    path("homepage/draft/discard/", layout.discard, name="homepage-discard"),
    path("homepage/draft/rebase/", layout.rebase, name="homepage-rebase"),
    path("homepage/draft/share/", layout.share, name="homepage-share"),
    path("homepage/draft/compare/", layout.compare, name="homepage-compare"),
    path("homepage/revisions/", layout.revisions, name="homepage-revisions"),
    path(
        "homepage/revisions/<int:version>/restore/",
        layout.restore_revision,
        name="homepage-revision-restore",
    ),
    path("preview/<str:token>/", layout.shared_preview, name="homepage-preview"),
    path("sitemap.xml", pages.sitemap, name="sitemap"),
    path("robots.txt", pages.robots_txt, name="robots-txt"),
]
