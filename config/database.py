"""How pooled PostgreSQL connections are checked (config/settings.py's `OPTIONS["pool"]`)."""

from psycopg import Connection
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn: Connection) -> None:
    """Raise if `conn`, about to be handed to a request, no longer works (an empty query, as
    `ConnectionPool.check_connection`); the pool then discards it and hands out another.

    When one fails, every idle connection of its pool is checked at once (`pool.check()`,
    which replaces the broken ones): after a restart, a failover or `pg_terminate_backend` they
    are all dead, and psycopg_pool waits 1, 2, 4, ... seconds between two failed checks in one
    `getconn`, so finding them one at a time would cost a request seconds per dead connection,
    and past `DB_POOL_TIMEOUT` an error.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        # The pool sets `_pool` on the connections it hands out (Django relies on it too).
        pool = getattr(conn, "_pool", None)
        if isinstance(pool, ConnectionPool):
            pool.check()
        raise
