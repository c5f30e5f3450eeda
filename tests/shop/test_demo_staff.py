import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_demo_staff(settings, *args) -> str:
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_staff", *args, stdout=out)
    return out.getvalue()


def test_the_printed_e_mail_and_password_log_in_on_the_shops_own_login_page(client, settings):
    printed = run_demo_staff(settings, "--base-url", "http://0.0.0.0:9001")
    email, password = re.search(r"e-mail (\S+)  password (\S+)", printed).groups()
    assert "http://0.0.0.0:9001/account/login/" in printed
    assert "http://0.0.0.0:9001/admin/" in printed
    response = client.post("/account/login/", {"email": email, "password": password})
    assert response.status_code == 303
    assert client.get("/admin/").status_code == 200  # The same account is staff.


def test_without_a_base_url_the_links_are_on_the_shops_own_address(settings):
    settings.SITE_URL = "https://shop.example.com"
    printed = run_demo_staff(settings)
    assert "https://shop.example.com/account/login/" in printed
    assert "https://shop.example.com/admin/" in printed
    assert "127.0.0.1" not in printed


def test_an_older_demo_admin_account_is_renamed_not_duplicated(settings):
    UserFactory(username="demo-admin", email="demo-admin@example.com")
    run_demo_staff(settings)
    run_demo_staff(settings)
    assert list(get_user_model().objects.values_list("username", flat=True)) == [
        "demo-admin@example.com"
    ]
