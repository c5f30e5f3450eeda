"""Give back the stock of orders whose payment never started (run it from cron or a task)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from shop.services import orders


class Command(BaseCommand):
    help = "Fail orders awaiting payment for too long with no payment under way; return stock."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=30, help="Age in minutes (30).")

    def handle(self, *args, minutes: int, **options):
        if minutes < 1:
            raise CommandError("--minutes must be at least 1.")
        released = orders.release_unpaid(older_than=timedelta(minutes=minutes))
        for order in released:
            self.stdout.write(f"Released {order.number} ({order.email})")
        self.stdout.write(f"{len(released)} unpaid order(s) released.")
