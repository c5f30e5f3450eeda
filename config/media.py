"""Django serving MEDIA_ROOT itself (`SERVE_MEDIA`: the demo and tests), with cache headers.

Production leaves media to the web server or object storage (docs/production.md). Wherever they
are served, a rendition (`…-640w.webp`) is cached for a year as immutable: its name comes from
its original's, and Django's storage gives every upload a name no other file had, so the bytes
behind a rendition's URL never change. Originals, which only `<img src>` fallbacks and the
admin load, are cached for a day.
"""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.views.static import serve

RENDITION = re.compile(r"-\d+w\.(?:avif|webp)$")
YEAR = 60 * 60 * 24 * 365
DAY = 60 * 60 * 24


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """A file under MEDIA_ROOT (404 when there is none), with its `Cache-Control`."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if RENDITION.search(path):
        patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=DAY)
    return response
