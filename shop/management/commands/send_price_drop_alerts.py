"""E-mail customers about price drops on their wishlists (for cron; saves also trigger it)."""

from django.core.management.base import BaseCommand

from shop.tasks import notify_price_drops


class Command(BaseCommand):
    help = "E-mail customers whose wishlisted products got cheaper, once per drop."

    def handle(self, *args, **options):
        result = notify_price_drops.enqueue()
        sent = result.return_value if result.is_finished else "queued"
        self.stdout.write(f"Price-drop e-mails: {sent}.")
