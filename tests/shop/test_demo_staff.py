"""The demo's staff account logs in where a marketer would: the shop's own login page."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_printed_staff_login_works_on_the_shop_login_page_and_the_links_use_the_port(
    client, settings, capsys
):
    settings.DEBUG = True
    call_command("demo_staff", "--host", "127.0.0.1", "--port", "8123")
    printed = capsys.readouterr().out
    email = re.search(r"e-mail (\S+)", printed).group(1)
    password = re.search(r"password (\S+)", printed).group(1)
    assert "http://127.0.0.1:8123/account/login/" in printed
    assert "http://127.0.0.1:8123/admin/" in printed
    response = client.post("/account/login/", {"email": email, "password": password, "next": "/"})
    assert response.status_code == 303 and response["Location"] == "/"
    assert client.get("/").context["can_edit_homepage"] is True
