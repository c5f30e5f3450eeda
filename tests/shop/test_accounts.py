"""Accounts: sign up, log in (rate-limited, no enumeration), log out, reset, the account page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from config.proxies import parse_trusted_proxies
from shop.models import Order
from tests.factories import make_product

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def customer():
    return get_user_model().objects.create_user(
        username="ada@example.com", email="ada@example.com", password=PASSWORD
    )


def log_in(client, email="ada@example.com", password=PASSWORD, **extra):
    return client.post("/account/login/", {"email": email, "password": password, **extra})


def test_sign_up_logs_in_and_lands_on_the_account(client):
    response = client.post(
        "/account/signup/", {"email": "New.Person@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 303 and response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert "Logged in as new.person@example.com" in page
    assert "Welcome! Your account is ready." in page


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({"email": "x@example.com", "password": "123"}, "This password is too short", 400),
        ({"email": "x@example.com", "password": "password123"}, "too common", 400),
        ({"email": "not an email", "password": PASSWORD}, "Enter a valid email address.", 400),
        ({"email": "ADA@example.com", "password": PASSWORD}, "already exists", 409),
    ],
)
def test_sign_up_refusals_say_why(client, customer, data, message, status):
    response = client.post("/account/signup/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_log_in_rotates_the_session_and_goes_to_next(client, customer):
    client.get("/cart/")
    client.session.save()
    before = client.session.session_key
    response = log_in(client, email="ADA@example.com", next="/wishlist/")
    assert response.status_code == 303 and response["Location"] == "/wishlist/"
    assert client.session.session_key != before
    assert "Account" in client.get("/").content.decode()


def test_an_offsite_next_is_ignored(client, customer):
    assert log_in(client, next="https://evil.example/")["Location"] == "/account/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, customer):
    wrong = log_in(client, password="nope")
    unknown = log_in(client, email="nobody@example.com", password="nope")
    assert wrong.status_code == unknown.status_code == 400

    def message(response):
        return re.search(r'class="message message--error">([^<]*)<', response.content.decode())[1]

    assert message(wrong) == message(unknown) == "The e-mail address or password is not right."


def test_a_failed_log_in_or_sign_up_never_writes_the_password_back(client, customer):
    typed = "typed-Secret-123"
    failed_login = log_in(client, password=typed).content.decode()
    failed_signup = client.post(
        "/account/signup/", {"email": "ada@example.com", "password": typed}
    ).content.decode()
    for html in (failed_login, failed_signup):
        assert 'type="password"' in html and typed not in html
        assert 'value="ada@example.com"' in html  # The e-mail is kept, to fix the password.


def test_failed_logins_are_limited_per_account(client, customer, settings):
    settings.LOGIN_ATTEMPTS_PER_ACCOUNT = 3
    for _ in range(3):
        assert log_in(client, password="nope").status_code == 400
    blocked = log_in(Client())  # even the right password, from elsewhere, waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    # Unknown addresses are limited exactly the same way (no enumeration by the limit either).
    for _ in range(3):
        log_in(client, email="ghost@example.com", password="nope")
    assert log_in(client, email="ghost@example.com", password="nope").status_code == 429


def test_failed_logins_are_limited_per_ip(customer, settings):
    settings.LOGIN_ATTEMPTS_PER_IP = 4
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(4):
        log_in(attacker, email=f"user{i}@example.com", password="nope")
    # Past the backstop even a right password waits: else it would tell right from wrong.
    assert log_in(attacker).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.8")).status_code == 303


def test_behind_a_trusted_balancer_each_client_has_its_own_backstop(customer, settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    settings.LOGIN_ATTEMPTS_PER_IP = 4
    stuffer = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for i in range(4):
        log_in(stuffer, email=f"user{i}@example.com", password="nope")
    assert log_in(stuffer, email="user9@example.com", password="nope").status_code == 429
    shopper = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert log_in(shopper).status_code == 303


def test_a_forged_forwarded_for_does_not_dodge_the_backstop(customer, settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")
    settings.LOGIN_ATTEMPTS_PER_IP = 4
    for i in range(4):
        forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        log_in(forged, email=f"user{i}@example.com", password="nope")
    dodging = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert log_in(dodging, email="user9@example.com", password="nope").status_code == 429
    named = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert log_in(named).status_code == 303  # the addresses it named were never charged


def test_log_out_is_post_only(client, customer):
    log_in(client)
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 303
    assert client.get("/account/").status_code == 302


def test_the_account_page_lists_the_customers_orders_only(client, customer):
    log_in(client)
    page = client.get("/account/").content.decode()
    assert "No orders yet." in page
    assert Order.objects.count() == 0


def test_account_needs_login_and_comes_back(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/"


def test_an_htmx_request_that_needs_login_gets_a_client_redirect_back_to_the_page(client):
    response = client.post(
        "/account/price-alerts/",
        {"state": "off"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/account/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/account/login/?next=/account/"


def test_a_plain_post_that_needs_login_comes_back_to_the_form_page(client):
    response = client.post(
        "/account/price-alerts/", {"state": "off"}, headers={"Referer": "http://testserver/"}
    )
    assert response["Location"] == "/account/login/?next=/"


def test_price_alerts_toggle_in_both_modes(client, customer):
    log_in(client)
    response = client.post(
        "/account/price-alerts/", {"state": "off"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="price-alerts"')
    assert "Price-drop e-mails are off." in html
    assert customer.wishlist.price_drop_emails is False
    response = client.post("/account/price-alerts/", {"state": "on"})
    assert response.status_code == 303
    customer.wishlist.refresh_from_db()
    assert customer.wishlist.price_drop_emails is True
    assert client.post("/account/price-alerts/", {"state": "maybe"}).status_code == 400


def test_password_reset_by_email(client, customer):
    response = client.post("/account/password-reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    [email] = mail.outbox
    link = re.search(r"http://testserver(/account/password-reset/[^\s]+)", email.body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "an entirely new secret 42"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert log_in(Client(), password=new).status_code == 303


def test_password_reset_says_the_same_for_unknown_addresses(client, customer):
    known = client.post("/account/password-reset/", {"email": "ada@example.com"}, follow=True)
    unknown = client.post("/account/password-reset/", {"email": "no@example.com"}, follow=True)
    assert known.content.decode().count("If an account uses that address") == 1
    assert unknown.content.decode().count("If an account uses that address") == 1
    assert len(mail.outbox) == 1


def test_catalog_budget_for_a_customer_with_cart_and_wishlist(
    client, customer, django_assert_max_num_queries, warm_footer
):
    product = make_product(name="Mug")
    log_in(client)
    client.post("/cart/add/", {"variant": product.variants.get().pk, "quantity": 1})
    client.post("/wishlist/items/", {"product": product.pk, "state": "on"})
    with django_assert_max_num_queries(10):
        html = client.get("/catalog/").content.decode()
    assert "remove Mug from your wishlist" in html
