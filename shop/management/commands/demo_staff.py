"""Ensure the demo's staff account and print how to log in to the admin.

The password is generated afresh on every run and only ever printed: no fixed password
exists anywhere. Refuses to run unless DEBUG is on (the demo), or --force is given.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "demo-admin"


class Command(BaseCommand):
    help = "Create or refresh the demo staff account with a new random password, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_staff is for the demo (DEBUG=1); use createsuperuser.")
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": "demo-admin@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user {USERNAME}  password {password}"
            f"  ({'new account' if created else 'password refreshed for this run'})"
        )
