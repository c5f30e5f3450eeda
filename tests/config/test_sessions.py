"""config.sessions: database sessions that write in one statement, and stay correct."""

import uuid

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.sessions import SessionStore
from shop.models import Session


@pytest.mark.django_db(transaction=True)
def test_a_new_session_is_one_insert_and_an_update_one_update():
    store = SessionStore()
    store["cart_token"] = "abc"
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]
    store["cart_token"] = "def"
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert [q["sql"].split()[0] for q in queries] == ["UPDATE"]
    assert SessionStore(store.session_key)["cart_token"] == "def"


@pytest.mark.django_db(transaction=True)
def test_a_clashing_key_is_drawn_again(monkeypatch):
    taken = SessionStore()
    taken["x"] = 1
    taken.save()
    keys = iter([taken.session_key, "n" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    fresh = SessionStore()
    fresh["y"] = 2
    fresh.save()
    assert fresh.session_key == "n" * 32
    assert SessionStore(taken.session_key)["x"] == 1  # the first owner's session is untouched


@pytest.mark.django_db(transaction=True)
def test_saving_a_session_deleted_meanwhile_is_an_update_error():
    store = SessionStore()
    store["x"] = 1
    store.save()
    SessionStore(store.session_key).delete()
    store["x"] = 2
    with pytest.raises(UpdateError):
        store.save()


@pytest.mark.django_db(transaction=True)
def test_every_write_stores_the_visitors_keys_beside_the_data():
    cart, wishlist = uuid.uuid4(), uuid.uuid4()
    store = SessionStore()
    store.update({"cart_token": str(cart), "wishlist_token": "not-a-token"})
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    assert (row.cart_token, row.wishlist_token, row.customer_id) == (cart, None, None)

    store.update({"wishlist_token": str(wishlist), "_auth_user_id": "42"})
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    assert (row.cart_token, row.wishlist_token, row.customer_id) == (cart, wishlist, 42)
