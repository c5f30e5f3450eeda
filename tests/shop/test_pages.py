"""CMS pages at /<slug>/: reserved slugs, sanitised bodies, drafts, old-slug redirects; SEO."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from PIL import Image

from shop.models import DynamicPage, PageRedirect, Product
from shop.moment.resolve import resolve
from shop.queries.pages import footer_links
from tests.factories import (
    DynamicPageFactory,
    ProductFactory,
    UserFactory,
    make_editor,
    make_live_layout,
    make_product,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "slug", ["catalog", "cart", "checkout", "admin", "products", "healthz", "media", "preview"]
)
def test_reserved_slugs_are_refused_on_save(slug):
    with pytest.raises(ValidationError, match="belongs to the shop"):
        DynamicPageFactory(slug=slug)
    page = DynamicPageFactory(slug="fine")
    page.slug = slug
    with pytest.raises(ValidationError):
        page.full_clean()
    assert not DynamicPage.objects.filter(slug=slug).exists()


def test_the_body_is_sanitised_on_save_and_again_on_render(client):
    page = DynamicPageFactory(
        slug="about", body='<p onclick="alert(1)">Hello</p><script>alert(2)</script>'
    )
    assert page.body == "<p>Hello</p>"
    # Even HTML that reached the database some other way is cleaned when shown.
    DynamicPage.objects.filter(pk=page.pk).update(body='<p>Hi</p><img src=x onerror="alert(3)">')
    body = client.get("/about/").content.decode()
    assert "<p>Hi</p>" in body
    assert "onerror" not in body and "alert(3)" not in body


def test_a_published_page_carries_its_seo_metadata(client, settings):
    image = Path(settings.MEDIA_ROOT) / "pages" / "about.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 630), (31, 79, 70)).save(image)
    DynamicPageFactory(
        slug="about",
        title="About us",
        seo_title="About Storefront",
        seo_description="Who we are.",
        og_image="pages/about.png",
    )
    response = client.get("/about/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>About Storefront · Storefront</title>" in body
    assert '<meta name="description" content="Who we are.">' in body
    assert '<link rel="canonical" href="http://testserver/about/">' in body
    assert '<meta property="og:image" content="http://testserver/media/pages/about.png">' in body
    assert '<meta property="og:image:width" content="1200">' in body
    assert re.search(r"<h1>About us</h1>", body)
    assert "noindex" not in body


def test_a_canonical_url_overrides_the_pages_own(client):
    DynamicPageFactory(slug="returns", canonical_url="https://help.example.com/returns")
    body = client.get("/returns/").content.decode()
    assert '<link rel="canonical" href="https://help.example.com/returns">' in body


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff without page permission"])
def test_an_unpublished_page_is_a_404_for_everyone_but_page_editors(client, who):
    DynamicPageFactory(slug="coming-soon", title="Coming soon", published=False)
    if who == "customer":
        client.force_login(UserFactory(username="shopper"))
    elif who != "anonymous":
        client.force_login(UserFactory(username="clerk", is_staff=True))
    response = client.get("/coming-soon/")
    assert response.status_code == 404
    assert b"Coming soon" not in response.content


def test_page_editors_preview_an_unpublished_page_privately(client):
    DynamicPageFactory(slug="coming-soon", title="Coming soon", published=False)
    client.force_login(make_editor())
    response = client.get("/coming-soon/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Coming soon" in body and "Draft page" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_renaming_a_page_keeps_its_old_urls_as_permanent_redirects(client):
    page = DynamicPageFactory(slug="delivery")
    page.slug = "shipping"
    page.save()
    page.slug = "delivery-and-returns"
    page.save()
    for old in ("/delivery/", "/shipping/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/delivery-and-returns/")
    assert client.get("/delivery-and-returns/").status_code == 200

    # A new page may take an old slug: the live page wins and the redirect goes.
    DynamicPageFactory(slug="shipping", title="Shipping rates")
    assert client.get("/shipping/").status_code == 200
    assert set(PageRedirect.objects.values_list("old_slug", flat=True)) == {"delivery"}


def test_an_old_slug_of_an_unpublished_page_does_not_reveal_it(client):
    page = DynamicPageFactory(slug="old", published=False)
    page.slug = "new"
    page.save()
    assert client.get("/old/").status_code == 404


def test_the_catch_all_never_shadows_the_shop(client):
    make_product()
    assert client.get("/catalog/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/healthz").content == b"ok"


def test_a_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, warm_footer):
    DynamicPageFactory(slug="about")
    with django_assert_max_num_queries(1):
        assert client.get("/about/").status_code == 200


def test_the_sitemap_lists_public_urls_only(client):
    shirt = make_product(name="Shirt")
    hidden = ProductFactory(name="Hidden", status=Product.Status.DRAFT)
    DynamicPageFactory(slug="about")
    DynamicPageFactory(slug="secret", published=False)
    make_live_layout({"kind": "hero", "heading": "Hero"})
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    locations = set(re.findall(r"<loc>(.*?)</loc>", response.content.decode()))
    base = "http://testserver"
    assert {
        f"{base}/",
        f"{base}/catalog/",
        f"{base}{shirt.category.get_absolute_url()}",
        f"{base}{shirt.get_absolute_url()}",
        f"{base}/about/",
    } <= locations
    assert f"{base}{hidden.get_absolute_url()}" not in locations
    assert f"{base}/secret/" not in locations
    assert not any("/preview/" in url or "/homepage/" in url for url in locations)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_editor(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /homepage/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_footer_lists_published_pages_for_one_cached_query(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, warm_releases
):
    with django_capture_on_commit_callbacks(execute=True):
        DynamicPageFactory(slug="about", title="About us")
        DynamicPageFactory(slug="secret", title="Secret", published=False)
    with django_assert_num_queries(1):
        assert [link.title for link in footer_links(state=resolve())] == ["About us"]
    with django_assert_num_queries(0):
        footer_links(state=resolve())
    footer = client.get("/catalog/").content.decode().split("<footer", 1)[1]
    assert '<a href="/about/">About us</a>' in footer and "Secret" not in footer

    with django_capture_on_commit_callbacks(execute=True):
        DynamicPageFactory(slug="delivery", title="Delivery")
    assert [link.title for link in footer_links(state=resolve())] == ["About us", "Delivery"]


def footer_of(response) -> str:
    return response.content.decode().split("<footer", 1)[1]


def test_the_footer_shows_how_to_reach_the_shop_its_returns_promise_and_pages(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_CONTACT_EMAIL = "help@shop.test"
    settings.SHOP_CONTACT_HOURS = "We answer within a day."
    settings.RETURNS_DAYS = 14
    with django_capture_on_commit_callbacks(execute=True):
        DynamicPageFactory(slug="contact", title="Contact us")
        DynamicPageFactory(slug="privacy", title="Privacy policy")
        DynamicPageFactory(slug="draft", title="Not yet", published=False)
    product = make_product(name="Brass Lamp")
    make_live_layout({"kind": "hero", "heading": "Hello"})
    shopper = Client()
    shopper.force_login(UserFactory())
    shopper.post("/cart/add/", {"variant": product.variants.get().pk, "quantity": 1})
    footers = set()
    for path in ("/", "/catalog/", product.get_absolute_url(), "/contact/", "/cart/"):
        for visitor in (client, shopper):
            footer = footer_of(visitor.get(path))
            assert '<a href="mailto:help@shop.test">help@shop.test</a>' in footer, path
            assert "We answer within a day." in footer
            assert "Free returns within 14 days." in footer
            assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer) == [
                ("/catalog/", "Catalog"),
                ("/contact/", "Contact us"),
                ("/privacy/", "Privacy policy"),
            ]
            assert "server-rendered" not in footer  # not the project's tagline
            footers.add(footer)
    assert len(footers) == 1, "the footer is the same HTML on every page, for every visitor"
    settings.RETURNS_DAYS = 0  # a shop that promises none says nothing
    assert "returns" not in footer_of(client.get("/wishlist/")).lower()


def test_the_demo_has_the_pages_the_footer_links_to(client):
    call_command("seed_demo", "--products", "4", verbosity=0)
    footer = footer_of(client.get("/catalog/"))
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', footer)
    assert titles == ["Catalog", "About us", "Contact us", "Delivery and returns", "Privacy policy"]
    contact = client.get("/contact/").content.decode()
    assert "hello@storefront.example" in contact.split("<footer")[0]
    returns = client.get("/delivery-and-returns/").content.decode().split("<footer")[0]
    assert "within 30 days" in returns
