import pytest
from django.core.cache import cache

from partials import memories


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Tests share the machine's Redis: clear only our own prefix, never FLUSHDB. This
    process's memories (pages, index, timeline, cards) go too: the next test has another
    database."""
    yield
    memories.clear_all()
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose (about 0.5 s a password); tests need it fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def warm_releases():
    """The timeline of scheduled releases, read before a budget is measured: like the footer,
    it is site-wide and read once per process whenever a release is scheduled, moved back or
    rolled back (one query; tests/shop/test_releases.py tests its cost), not the page's."""
    from shop.moment.resolve import resolve

    resolve()


@pytest.fixture
def warm_footer(warm_releases):
    """The footer's links to CMS pages, cached before a page budget is measured: that cache is
    site-wide (one query when cold, tested on its own in test_pages.py), not the page's."""
    from shop.moment.resolve import resolve
    from shop.queries.pages import footer_links

    footer_links(state=resolve())
