"""Health endpoints: /healthz (benchmarks), /health/live (no service) and /health/ready."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from shop.views import health

pytestmark = pytest.mark.django_db


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("connection refused")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_healthz_stays_the_trivial_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0), connection.execute_wrapper(refuse_every_query):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_ready_when_the_database_and_the_cache_answer(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert client.head("/health/ready").status_code == 200


def test_not_ready_while_the_database_is_down(client):
    with connection.execute_wrapper(refuse_every_query):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "failed: OperationalError", "cache": "ok"},
    }


def test_not_ready_while_redis_is_down_even_with_its_errors_ignored(client, settings):
    """Nothing listens on port 1; IGNORE_EXCEPTIONS turns the failures into misses."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "failed: RuntimeError"}


def test_one_more_readiness_check_is_one_more_entry(client, monkeypatch):
    def tasks_are_fresh() -> None:
        raise RuntimeError("the oldest ready task waits too long")

    checks = [*health.READINESS_CHECKS, ("tasks", tasks_are_fresh)]
    monkeypatch.setattr(health, "READINESS_CHECKS", checks)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == "failed: RuntimeError"


def test_ready_says_how_long_the_oldest_ready_task_has_waited(client, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from shop.tasks import notify_price_drops
    from tests.shop.test_tasks import QUEUE

    settings.TASKS = QUEUE
    assert client.get("/health/ready").json()["oldest_ready_task_seconds"] is None
    notify_price_drops.enqueue(product_ids=[])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=3))
    body = client.get("/health/ready").json()
    assert body["status"] == "ok" and 180 <= body["oldest_ready_task_seconds"] < 240
