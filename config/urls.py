from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from config.media import serve_media
from shop.views import pages

# A database outage answers 503 with Retry-After; anything else unexpected, the 500 page.
handler500 = "config.server_errors.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("", include("shop.urls")),
]

if settings.SERVE_MEDIA:
    # The demo and tests serve generated product images themselves; a real deployment points
    # MEDIA_URL at object storage or lets the web server serve MEDIA_ROOT (docs/production.md).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]

# CMS pages (issue 5): the catch-all comes last, so it never shadows a shop URL.
urlpatterns += [path("<slug:slug>/", pages.page, name="page")]
