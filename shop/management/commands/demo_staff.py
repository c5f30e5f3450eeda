"""Ensure the demo's staff account and print how to log in, on the shop and in the admin.

The account's username is its e-mail address, as every storefront account's is, so the same
e-mail and password log in on the shop's own login page (to edit the homepage) and at
/admin/. The password is generated afresh on every run and only ever printed: no fixed
password exists anywhere. Refuses to run unless DEBUG is on (the demo), or --force is given.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

EMAIL = "marketer@example.com"


class Command(BaseCommand):
    help = "Create or refresh the demo staff account with a new random password, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")
        parser.add_argument("--host", default="127.0.0.1", help="Where the shop is served.")
        parser.add_argument("--port", default="8000", help="The port it is served on.")

    def handle(self, *args, force: bool, host: str, port: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_staff is for the demo (DEBUG=1); use createsuperuser.")
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=EMAIL, defaults={"email": EMAIL}
        )
        user.email = EMAIL
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        site = f"http://{host}:{port}"
        self.stdout.write(
            f"Staff login ({'new account' if created else 'password refreshed for this run'}): "
            f"e-mail {EMAIL}  password {password}\n"
            f"  on the shop: {site}/account/login/?next=/  (then press Edit homepage)\n"
            f"  admin:       {site}/admin/"
        )
