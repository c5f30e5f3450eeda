"""config.sessions: database sessions that write in one statement, and stay correct."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.sessions import SessionStore


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
