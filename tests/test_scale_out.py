"""Scale-out on loopback: two app servers and two task workers on one PostgreSQL and one Redis.

The app servers keep nothing of a shopper in their own memory (the session is in the database,
the cart is a row), so one shopper can hop between them mid-journey; the workers share one queue
and each task runs once, on whichever worker claims it first.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.db import connections
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shop.models import Order
from shop.tasks import notify_price_drops
from tests.factories import ShippingMethodFactory, make_product
from tests.processes import free_port, shared_database_url, stop_all, wait_for
from tests.shop.test_checkout_views import ADDRESS, GOOD_CARD
from tests.shop.test_tasks import QUEUE

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)


def environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "TASKS_BACKEND": "database",
        "SECRET_KEY": "scale-out-" + "x" * 40,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAYMENT_TEST_TIMEOUT_SECONDS": "0",
        **extra,
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


@pytest.fixture
def processes():
    """Start processes with `processes(args, **env)`; all are stopped at teardown."""
    started: list[subprocess.Popen] = []

    def start(args: list[str], **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=environment(**env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    stop_all(started)


def app_server(processes, **env: str) -> str:
    """A gunicorn app server on a free loopback port; returns its base URL once it answers."""
    port = free_port()
    processes(
        ["-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket"],
        **env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for(answers, seconds=30, what=f"the app server on port {port}")
    return base


class Shopper:
    """A browser without JavaScript: one cookie jar (cookies ignore ports, as browsers do)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()
        )

    def get(self, url: str) -> tuple[int, str]:
        with self.opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()

    def post(self, url: str, data: dict[str, str]) -> tuple[int, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(url, body, timeout=20) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:  # 303s arrive here (redirects are not followed)
            return error.code, error.headers.get("Location", "")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return unescape(match.group(1))


def test_one_shopper_across_two_servers_and_one_queue_drained_by_two_workers(
    settings, processes, tmp_path
):
    settings.TASKS = QUEUE
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))
    lamp = make_product(name="Hop Lamp", prices=("45.00",), stocks=[3]).variants.get()
    connections.close_all()
    static = tmp_path / "static"
    mail = {"EMAIL_FILE_PATH": str(tmp_path / "mail"), "STATIC_ROOT": str(static)}
    (tmp_path / "mail").mkdir()
    collect = ["manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run([sys.executable, *collect], cwd=ROOT, env=environment(**mail), check=True)
    first, second = app_server(processes, **mail), app_server(processes, **mail)
    for name in ("worker-a", "worker-b"):
        processes(
            ["manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1",
             "--worker-id", name, "--no-startup-delay"],
            **mail,
        )  # fmt: skip

    shopper = Shopper()
    status, page = shopper.get(f"{first}/products/{lamp.product.slug}/")
    assert status == 200 and "Hop Lamp" in page
    assert shopper.post(f"{second}/cart/add/", {"variant": str(lamp.pk), "quantity": "1"})[0] == 303
    status, review = shopper.get(f"{first}/checkout/")
    assert status == 200 and "Hop Lamp" in review
    form = {
        **ADDRESS,
        "card_number": GOOD_CARD,
        "checkout_token": hidden(review, "checkout_token"),
        "quote": hidden(review, "quote"),
    }
    status, location = shopper.post(f"{second}/checkout/", form)
    assert status == 303 and location.startswith("/orders/")
    status, confirmation = shopper.get(f"{first}{location}")
    assert status == 200 and Order.objects.get().number in confirmation
    wait_for(
        lambda: list((tmp_path / "mail").iterdir()), what="the confirmation e-mail from a worker"
    )

    # One queue, two workers: 40 tasks, each run exactly once, by both workers between them.
    for _ in range(40):
        notify_price_drops.enqueue(product_ids=[])
    done = DBTaskResult.objects.filter(task_path="shop.tasks.notify_price_drops")
    wait_for(
        lambda: done.filter(status=TaskResultStatus.SUCCESSFUL).count() == 40,
        what="both workers to drain the queue",
    )
    runs = [tuple(result.worker_ids) for result in done]
    assert all(len(ids) == 1 for ids in runs)  # each claimed once
    by_worker = {ids[0] for ids in runs}
    print(
        f"\n40 tasks: {sum(1 for r in runs if r == ('worker-a',))} on worker-a, "
        f"{sum(1 for r in runs if r == ('worker-b',))} on worker-b"
    )
    assert by_worker == {"worker-a", "worker-b"}
