"""`{% htmx_library %}`: htmx alone, the same in the demo (`DEBUG`) as in production."""

import pytest
from django.template import Context, Template


@pytest.mark.parametrize("debug", [False, True])
def test_htmx_loads_without_django_htmx_debug_helper_whatever_debug_says(settings, debug):
    """The debug helper writes every 400/403/404 htmx answer over the whole page: never load it."""
    settings.DEBUG = debug
    html = Template("{% load htmx_library %}{% htmx_library %}").render(Context())
    assert html == '<script src="/static/django_htmx/htmx-2.min.js" defer></script>'


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_every_page_loads_htmx_without_the_debug_helper(client, settings, debug):
    settings.DEBUG = debug
    html = client.get("/catalog/").content.decode()
    assert "django_htmx/htmx-2.min.js" in html
    assert "django-htmx.js" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/preview/not-a-token/", "/releases/preview/not-a-token/"])
def test_a_stale_preview_link_is_the_shops_own_404_page_with_debug_on_or_off(
    client, settings, debug, path
):
    """Under DEBUG an Http404 would be Django's technical page; the link's answer is the shop's."""
    settings.DEBUG = debug
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Preview link not valid · Storefront</title>" in html
    assert "This preview link is not valid any more" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    fragment = client.get(path, headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert "<title>" not in fragment.content.decode()
    assert "This preview link is not valid any more." in fragment.content.decode()
