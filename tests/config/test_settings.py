"""config/settings.py: every environment difference comes from environment variables.

Each case runs Django in a fresh process, since settings are read once per process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://shop:pw@db.internal:5432/shop",
    "REDIS_URL": "redis://cache.internal:6379/0",
}
SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'options': {k: v for k, v in db['OPTIONS'].items()"
    " if k != 'pool'}, 'pool': 'pool' in db['OPTIONS'], 'cache': settings.CACHES['default']"
    "['BACKEND'], 'sessions': settings.SESSION_ENGINE, 'debug': settings.DEBUG}))"
)


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    clean.pop("PYTEST_CURRENT_TEST", None)
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(tmp_path / "db")})
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_services_configure_postgres_pool_redis_cache_and_database_sessions(tmp_path):
    result = run(["-c", SHOW], PRODUCTION, tmp_path)
    shown = json.loads(result.stdout)
    assert shown["engine"] == "django.db.backends.postgresql" and shown["pool"]
    assert shown["cache"] == "config.cache.CircuitBreakerRedisCache"
    # Never cached_db: a cached copy outlives a logout made while Redis is unreachable.
    assert shown["sessions"] == "config.sessions"  # database sessions (config/sessions.py)
    assert shown["debug"] is False


@pytest.mark.parametrize("debug", ["1", "0"])
def test_without_services_the_demo_uses_sqlite_immediate_and_local_memory(tmp_path, debug):
    env = {"DEBUG": debug, "SECRET_KEY": "demo-" + "y" * 50}
    result = run(["-c", SHOW], env, tmp_path)
    shown = json.loads(result.stdout)
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["options"]["transaction_mode"] == "IMMEDIATE"
    assert shown["options"]["timeout"] >= 5
    assert shown["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["sessions"] == "config.sessions"  # database sessions (config/sessions.py)
    assert shown["debug"] is (debug == "1")


def test_the_shop_keeps_selling_when_redis_is_down(tmp_path):
    """Redis at a closed port: pages render, a cart survives (sessions in the database)."""
    script = (
        "import django, re; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "call_command('seed_demo', '--products', '5', verbosity=0);"
        "from django.test import Client; from shop.models import Variant;"
        "c = Client(HTTP_HOST='127.0.0.1');"
        "v = Variant.objects.filter(stock__gt=0).first();"
        "print(c.get('/catalog/').status_code);"
        "print(c.post('/cart/add/', {'variant': v.pk, 'quantity': 1}).status_code);"
        "html = c.get('/cart/').content.decode();"
        "print(re.search(r'id=\"cart-badge\"[^>]*>Cart <span[^>]*>(\\d+)<', html).group(1))"
    )
    env = {
        "DEBUG": "1",  # plain static files storage (no collectstatic in this test)
        "SECRET_KEY": "s" * 50,
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "CRITICAL",
        "EMAIL_CONSOLE": "1",
    }
    result = run(["-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["200", "303", "1"]


SHOW_MEDIA = (
    "import django; from django.conf import settings; django.setup(); "
    "from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/media/products/x.jpg'); print(settings.SERVE_MEDIA, 'served')\n"
    "except Resolver404:\n    print(settings.SERVE_MEDIA, 'not served')"
)


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        (PRODUCTION, "False not served"),  # the web server or object storage serves media
        ({**PRODUCTION, "SERVE_MEDIA": "1"}, "True served"),
        ({"DEBUG": "1", "SECRET_KEY": "d" * 50}, "True served"),  # the demo
    ],
)
def test_django_serves_media_only_in_the_demo_unless_told_to(tmp_path, env, shown):
    result = run(["-c", SHOW_MEDIA], env, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == shown


def test_collectstatic_writes_brotli_and_gzip_copies_for_whitenoise(tmp_path):
    """The README promises Brotli copies; WhiteNoise makes them only when `brotli` imports."""
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static")}
    result = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    css = sorted(p.name for p in (tmp_path / "static" / "css").glob("site.*css*"))
    assert "site.css.br" in css and "site.css.gz" in css, css


def test_the_demo_prints_each_log_line_once(tmp_path):
    """Under DEBUG Django's own console handler and the root's both printed Django's lines."""
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('django.request').warning('Not Found: /nowhere/');"
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes');"
        "logging.getLogger('django.server').info('\"GET / HTTP/1.1\" 200 5')"
    )
    result = run(["-c", script], {"DEBUG": "1", "SECRET_KEY": "d" * 50}, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert lines.count("Not Found: /nowhere/") == 1, lines
    assert lines.count("Watching for file changes") == 1, lines
    assert [line for line in lines if "GET / HTTP/1.1" in line] == [
        next(line for line in lines if line.startswith("[") and "GET / HTTP/1.1" in line)
    ], lines  # runserver's request lines keep their time stamp, once


def test_a_bad_trusted_proxy_stops_the_start_with_its_name(tmp_path):
    env = {**PRODUCTION, "TRUSTED_PROXIES": "10.0.0.0/8, lb.internal"}
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'lb.internal' is not an IP address or CIDR network" in result.stderr
