"""Health endpoints for load balancers and orchestrators, and the benchmarks' trivial view.

- `/healthz`: "ok", nothing else (the baseline every benchmark ratio is measured against).
- `/health/live`: the process answers requests; touches no service, so a database outage never
  makes an orchestrator restart healthy processes.
- `/health/ready`: the services a page needs answer; 200 with a JSON body of checks, 503 when
  one fails, so a load balancer stops sending traffic to a process that could not serve it.
  With the database task queue, the body also says how long the oldest task has been ready
  and waiting for a worker (`oldest_ready_task_seconds`, null when none waits): a growing
  figure means the workers are missing or behind. It informs; it does not fail readiness,
  since the app servers can still serve every page without them.
"""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the trivial view benchmarks compare every page against."""
    return HttpResponse("ok", content_type="text/plain")


def database_answers() -> None:
    """Run `SELECT 1` on a pooled connection; raises if none comes within the pool's timeout
    (`DB_POOL_TIMEOUT`) or the query fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def caches_answer() -> None:
    """Store and read back a value in every configured cache (Redis when `REDIS_URL` is set),
    within the cache's own socket timeouts. With the cache's errors ignored
    (`CACHE_IGNORE_ERRORS`) a failed write reads back as a miss: that fails the check too."""
    for alias in settings.CACHES:
        cache = caches[alias]
        key = f"health-ready:{uuid.uuid4().hex}"  # one per probe: concurrent probes never meet
        cache.set(key, "ok", timeout=10)
        if cache.get(key) != "ok":
            raise RuntimeError(f"the {alias!r} cache did not return what was stored")
        cache.delete(key)


# What readiness means, in order: (name in the JSON body, a callable that raises on failure).
# Append a check here to make readiness depend on one more thing.
READINESS_CHECKS: list[tuple[str, Callable[[], None]]] = [
    ("database", database_answers),
    ("cache", caches_answer),
]


def oldest_ready_task_seconds() -> float | None:
    """How long the longest-waiting task of the database queue that is ready to run has waited
    (None when none waits)."""
    waiting = DBTaskResult.objects.ready().aggregate(since=Min("enqueued_at"))["since"]
    return round((timezone.now() - waiting).total_seconds(), 1) if waiting else None


@require_safe
@never_cache
def live(request: HttpRequest) -> HttpResponse:
    """200 `{"status": "ok"}` whenever the process can answer at all (no service touched)."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    """Run every readiness check: 200 `{"status": "ok", "checks": {name: "ok", ...}}`, or 503
    with `"status": "unavailable"` and `"failed: <error type>"` for each check that failed (the
    details go to the log, not to whoever asks)."""
    checks = {}
    for name, check in READINESS_CHECKS:
        try:
            check()
        except Exception as error:
            logger.warning("readiness check %s failed: %r", name, error)
            checks[name] = f"failed: {type(error).__name__}"
        else:
            checks[name] = "ok"
    ok = all(result == "ok" for result in checks.values())
    body: dict[str, object] = {"status": "ok" if ok else "unavailable", "checks": checks}
    if ok and isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        body["oldest_ready_task_seconds"] = oldest_ready_task_seconds()
    return JsonResponse(body, status=200 if ok else 503)
