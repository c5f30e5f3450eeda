from django.urls import path

from shop.views import cart, catalog, checkout, health, home

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
    path("healthz", health.healthz, name="healthz"),
]
