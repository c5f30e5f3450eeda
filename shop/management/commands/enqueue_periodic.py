"""Enqueue the periodic work: settling unpaid orders and the price-drop scan.

Run it from cron or a systemd timer every few minutes (see docs/production.md), on one host or
on several: a task that is already waiting in the queue is not enqueued a second time, so a
slow or stopped worker never comes back to a pile of duplicates.
"""

from django.core.management.base import BaseCommand
from django.tasks import Task, TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from shop.services.payments import settle_unpaid_orders
from shop.tasks import notify_price_drops

PERIODIC: list[Task] = [settle_unpaid_orders, notify_price_drops]


def already_waiting(task: Task) -> bool:
    """Whether `task` waits in the database queue, not yet run (False for other backends)."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return waiting.filter(task_path=task.module_path).exists()


class Command(BaseCommand):
    help = "Enqueue the periodic tasks (unpaid-order settling, price-drop scan), once each."

    def handle(self, *args, verbosity: int = 1, **options):
        for task in PERIODIC:
            if already_waiting(task):
                said = f"{task.name}: already waiting in the queue"
            else:
                said = f"{task.name}: enqueued ({task.enqueue().id})"
            if verbosity:
                self.stdout.write(said)
