"""config/settings.py's pool: connections the server dropped cost no request an error.

Real PostgreSQL backends are terminated (as a restart, a failover or `pg_terminate_backend`
would), from a connection of our own, and only those of the test database.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client
from psycopg_pool import ConnectionPool

from config import database
from tests.factories import make_product

IDLE_CONNECTIONS = 8


def get(client: Client, path: str) -> int:
    """GET `path` and return the status, handing the connection back to the pool afterwards, as
    Django's WSGI handler does at the end of every request (the test client does not)."""
    status = client.get(path).status_code
    close_old_connections()
    return status


def leave_idle_connections() -> None:
    """Several idle connections in the pool, the test's own one among them."""
    pool = connection.pool
    held = [pool.getconn() for _ in range(IDLE_CONNECTIONS)]
    for held_connection in held:
        pool.putconn(held_connection)
    connections.close_all()


def terminate_the_test_databases_backends() -> int:
    """Terminate every other backend connected to the test database (waiting until each has
    exited); return how many."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=True,
    ) as killer:
        row = killer.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.django_db(transaction=True)
def test_after_the_servers_backends_are_terminated_the_next_requests_succeed():
    page = make_product(name="Thing").get_absolute_url()
    client = Client(raise_request_exception=False)
    assert get(client, page) == 200
    leave_idle_connections()

    assert terminate_the_test_databases_backends() >= IDLE_CONNECTIONS

    statuses = [get(client, page) for _ in range(2 * IDLE_CONNECTIONS)]
    assert statuses == [200] * (2 * IDLE_CONNECTIONS)


def query_once() -> None:
    """One query on a connection from the pool, handed back afterwards (as a request does)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    close_old_connections()


@pytest.mark.django_db(transaction=True)
def test_connections_terminated_just_after_use_are_replaced_before_a_query_gets_one():
    """Handed out moments ago, they are checked by their sockets alone: those must tell."""
    leave_idle_connections()

    assert terminate_the_test_databases_backends() >= IDLE_CONNECTIONS

    for _ in range(2 * IDLE_CONNECTIONS):
        query_once()


def hand_out_every_idle_connection() -> None:
    """Use each idle connection of the pool once (it hands them out in turn)."""
    for _ in range(connection.pool.get_stats()["pool_available"] + 1):
        query_once()


def count_checks(monkeypatch) -> dict[str, int]:
    """Count the pool's checks of the connections it hands out, and the real checks (an empty
    query) among them."""
    counts = {"checks": 0, "queries": 0}
    pool = connection.pool
    check, real = pool._check, ConnectionPool.check_connection

    def counted_check(conn):
        counts["checks"] += 1
        check(conn)

    def counted_real(conn):
        counts["queries"] += 1
        real(conn)

    monkeypatch.setattr(pool, "_check", counted_check)
    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted_real))
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_connection_handed_out_again_soon_is_checked_without_a_query(monkeypatch):
    hand_out_every_idle_connection()
    counts = count_checks(monkeypatch)
    for _ in range(3):
        query_once()
    assert counts == {"checks": 3, "queries": 0}


@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_a_while_gets_the_real_check(monkeypatch):
    hand_out_every_idle_connection()
    counts = count_checks(monkeypatch)
    monkeypatch.setattr(database, "QUIET_FOR_SECONDS", 0.0)
    query_once()
    assert counts == {"checks": 1, "queries": 1}
