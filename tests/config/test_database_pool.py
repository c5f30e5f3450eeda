"""config/settings.py's pool: connections the server dropped cost no request an error.

Real PostgreSQL backends are terminated (as a restart, a failover or `pg_terminate_backend`
would), from a connection of our own, and only those of the test database.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client

from tests.factories import make_product

IDLE_CONNECTIONS = 8


def get(client: Client, path: str) -> int:
    """GET `path` and return the status, handing the connection back to the pool afterwards, as
    Django's WSGI handler does at the end of every request (the test client does not)."""
    status = client.get(path).status_code
    close_old_connections()
    return status


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
    # Leave several idle connections in the pool, the test's own one among them.
    pool = connection.pool
    held = [pool.getconn() for _ in range(IDLE_CONNECTIONS)]
    for held_connection in held:
        pool.putconn(held_connection)
    connections.close_all()

    assert terminate_the_test_databases_backends() >= IDLE_CONNECTIONS

    statuses = [get(client, page) for _ in range(2 * IDLE_CONNECTIONS)]
    assert statuses == [200] * (2 * IDLE_CONNECTIONS)
