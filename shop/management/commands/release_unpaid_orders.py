"""Settle orders left awaiting payment now (the `settle_unpaid_orders` task does it on a
schedule; this is the same work by hand, with an age of your choosing)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from shop.services import payments


class Command(BaseCommand):
    help = "Settle orders awaiting payment for too long: paid if authorised, else failed."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=30, help="Age in minutes (30).")

    def handle(self, *args, minutes: int, **options):
        if minutes < 1:
            raise CommandError("--minutes must be at least 1.")
        settled = payments.settle(older_than=timedelta(minutes=minutes))
        for order in settled:
            self.stdout.write(f"Settled {order.number} ({order.email}): {order.status}")
        self.stdout.write(f"{len(settled)} unpaid order(s) settled.")
