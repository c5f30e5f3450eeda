from django.urls import path

from shop.views import accounts, cart, catalog, checkout, health, home, wishlist

app_name = "shop"

urlpatterns = [
    path("", home.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<slug:category_slug>/", catalog.catalog, name="catalog-category"),
    path("products/<slug:slug>/", catalog.product_detail, name="product-detail"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/", cart.add_to_cart, name="cart-add"),
    path("cart/lines/<int:line_id>/", cart.update_line, name="cart-line"),
    path("cart/coupon/", cart.apply_coupon, name="cart-coupon"),
    path("cart/coupon/remove/", cart.remove_coupon, name="cart-coupon-remove"),
    path("checkout/", checkout.checkout_page, name="checkout"),
    path("orders/<uuid:token>/", checkout.order_detail, name="order-detail"),
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
]
