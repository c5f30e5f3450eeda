"""Ensure the demo's staff account and print how to log in: the shop's login page and the admin.

The shop's login page authenticates by e-mail (a customer's username is their e-mail), so the
staff account's username is its e-mail too: the same address and password work on both pages.
The password is generated afresh on every run and only ever printed: no fixed password exists
anywhere. Refuses to run unless DEBUG is on (the demo), or --force is given.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

EMAIL = "demo-admin@example.com"
OLD_USERNAME = "demo-admin"  # Before the username was the e-mail.


class Command(BaseCommand):
    help = "Create or refresh the demo staff account with a new random password, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Where it runs (default: SITE_URL, %(default)s).",
        )

    def handle(self, *args, force: bool, base_url: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_staff is for the demo (DEBUG=1); use createsuperuser.")
        password = secrets.token_urlsafe(12)
        users = get_user_model().objects
        users.filter(username=OLD_USERNAME).exclude(username=EMAIL).update(username=EMAIL)
        user, created = users.get_or_create(username=EMAIL, defaults={"email": EMAIL})
        user.email = EMAIL
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        base = base_url.rstrip("/")
        state = "new account" if created else "password refreshed for this run"
        self.stdout.write(
            f"Staff account ({state}): e-mail {EMAIL}  password {password}\n"
            f"  Log in on the shop: {base}/account/login/  (then Edit homepage on {base}/)\n"
            f"  Admin:              {base}/admin/"
        )
