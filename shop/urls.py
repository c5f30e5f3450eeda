from django.urls import path

from shop.views import (
    accounts,
    cart,
    catalog,
    checkout,
    health,
    layout,
    orders,
    pages,
    releases,
    search,
    wishlist,
)

app_name = "shop"

urlpatterns = [
    path("", layout.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<slug:category_slug>/", catalog.catalog, name="catalog-category"),
    path("products/<slug:slug>/", catalog.product_detail, name="product-detail"),
    path("products/<slug:slug>/options/", catalog.choose_options, name="product-options"),
    path("search/suggest/", search.suggest, name="search-suggest"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/", cart.add_to_cart, name="cart-add"),
    path("cart/lines/<int:line_id>/", cart.update_line, name="cart-line"),
    path("cart/coupon/", cart.apply_coupon, name="cart-coupon"),
    path("cart/coupon/remove/", cart.remove_coupon, name="cart-coupon-remove"),
    path("checkout/", checkout.checkout_page, name="checkout"),
    path("orders/<uuid:token>/", orders.order_detail, name="order-detail"),
    path("wishlist/", wishlist.wishlist_page, name="wishlist"),
    path("wishlist/items/", wishlist.toggle, name="wishlist-items"),
    path("wishlist/items/<int:item_id>/move/", wishlist.move_to_cart, name="wishlist-move"),
    path("account/", accounts.account_page, name="account"),
    path("account/login/", accounts.login_page, name="login"),
    path("account/signup/", accounts.signup_page, name="signup"),
    path("account/logout/", accounts.logout_page, name="logout"),
    path("account/price-alerts/", accounts.price_alerts, name="price-alerts"),
    path("account/password-reset/", accounts.password_reset, name="password-reset"),
    path(
        "account/password-reset/sent/",
        accounts.password_reset_done,
        name="password-reset-done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "account/password-reset/done/",
        accounts.password_reset_complete,
        name="password-reset-complete",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
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
    # Campaign releases (issue 12): time travel, preview links, the editor's "save into".
    path("releases/time-travel/", releases.time_travel, name="time-travel"),
    path("releases/preview/leave/", releases.leave_preview, name="store-preview-leave"),
    path("releases/preview/<str:token>/", releases.preview, name="release-preview"),
    path("releases/homepage/", releases.save_homepage, name="release-homepage"),
    path("robots.txt", pages.robots_txt, name="robots-txt"),
]
