"""Playwright journeys against pytest-django's live server, with JavaScript on and off, on a
desktop screen and on a phone.

Every journey that uses `page` runs four times (`desktop`/`phone` × `js-on`/`js-off`): the shop
must work without JavaScript, htmx must only make it faster, and a 390×844 touch screen must get
the same shop. On every page load and after every htmx swap axe-core checks WCAG 2.2 A/AA and
the page must not scroll sideways (e2e/accessibility.py); any finding fails the journey. Traces
and screenshots of failing journeys are kept in ./test-results (open a trace with
`playwright show-trace <file>`).
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from e2e.accessibility import Audit
from partials import memories
from tests.processes import free_port, port_range

# Playwright keeps an event loop running in this thread; Django would refuse ORM calls here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DEMO_PRODUCTS = 60
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    """Keep a trace and a screenshot of every failing journey, unless the command line says else;
    put the live server in TEST_PORTS when that is set.

    pytest-playwright's own defaults are "off"; its --output already defaults to ./test-results
    (git-ignored, and emptied by pytest-playwright at the start of every run).
    """
    option = config.option
    # With TEST_PORTS, the live server listens on a port of that range (pytest-django reads
    # --liveserver, else this variable), like every other server the tests start.
    if port_range() is not None and not getattr(option, "liveserver", None):
        os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", f"localhost:{free_port()}")
    if getattr(option, "tracing", None) == "off":
        option.tracing = "retain-on-failure"
    if getattr(option, "screenshot", None) == "off":
        option.screenshot = "only-on-failure"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (or $PLAYWRIGHT_CHROMIUM); Playwright's own browser when neither exists."""
    args = {**browser_type_launch_args, "headless": True}
    args["args"] = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    executable = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
    if executable and Path(executable).is_file():
        args["executable_path"] = executable
    return args


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def js(request) -> bool:
    """Whether the browser runs JavaScript; every journey runs both ways."""
    return request.param


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture(params=["desktop", "phone"])
def screen(request) -> str:
    """The screen: pytest-playwright's default desktop window, or a 390×844 touch phone."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, js, screen):
    args = {**browser_context_args, "java_script_enabled": js}
    return {**args, **PHONE} if screen == "phone" else args


@pytest.fixture
def axe_exclude() -> tuple[str, ...]:
    """CSS selectors axe leaves out; a journey about hostile marketer HTML overrides it."""
    return ()


@pytest.fixture(autouse=True)
def _accessibility_audit(request):
    """axe-core (WCAG 2.2 A/AA) and "no sideways scrolling" on every page and after every swap."""
    if "page" not in request.fixturenames:
        yield None
        return
    js = request.getfixturevalue("js")
    exclude = request.getfixturevalue("axe_exclude")
    audit = Audit(request.getfixturevalue("page"), js, exclude).attach()
    yield audit
    problems = audit.finish()
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _isolated_cache():
    """The tests share the machine's Redis: delete only our own prefix, never FLUSHDB."""
    yield
    memories.clear_all()  # this process's copies: the next test has another database
    if hasattr(cache, "delete_pattern"):  # django-redis; the local-memory cache needs nothing.
        cache.delete_pattern("*")


@pytest.fixture
def media_root(settings, tmp_path_factory) -> Path:
    """Generated product images go to a temporary folder, never ./var/media (the same folder
    as tests/conftest.py uses; config.media serves whatever MEDIA_ROOT says at request time)."""
    root = tmp_path_factory.getbasetemp() / "media"
    root.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def shop(live_server, media_root) -> str:
    """A small deterministic catalog behind a live server; returns the server's base URL."""
    call_command("seed_demo", "--products", str(DEMO_PRODUCTS), verbosity=0)
    return live_server.url


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose (about 0.5 s a password); journeys need it fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
