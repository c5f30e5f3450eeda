from django.urls import path

from shop.views import catalog, health, home

app_name = "shop"

urlpatterns = [
    path("", home.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<slug:category_slug>/", catalog.catalog, name="catalog-category"),
    path("products/<slug:slug>/", catalog.product_detail, name="product-detail"),
    path("healthz", health.healthz, name="healthz"),
]
