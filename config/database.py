"""How pooled PostgreSQL connections are checked (config/settings.py's `OPTIONS["pool"]`)."""

import select
import time
from weakref import WeakKeyDictionary

from psycopg import Connection
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool

# A connection handed out less than this long ago is checked by looking at its socket alone;
# one idle longer (or never handed out) gets the real check, an empty query.
QUIET_FOR_SECONDS = 10.0

_handed_out: WeakKeyDictionary[Connection, float] = WeakKeyDictionary()


def looks_alive(conn: Connection) -> bool:
    """True if `conn` is open, idle, was handed out within QUIET_FOR_SECONDS, and the server
    has sent nothing since (a zero-timeout poll of its socket: no round trip).

    A backend the server ended (a restart, a crash, `pg_terminate_backend`, a failover that
    closes its side) leaves its socket readable, with a FATAL notice or the end of the stream,
    and so fails this. What it cannot see is a peer that vanished without a word (a host gone
    from the network, a middlebox that forgot the connection and will answer its next packet
    with a reset): such a path goes quiet, so a connection idle for longer than
    QUIET_FOR_SECONDS is never trusted on its silence.
    """
    last = _handed_out.get(conn)
    if last is None or time.monotonic() - last > QUIET_FOR_SECONDS:
        return False
    if conn.closed or conn.broken or conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


def check_pooled_connection(conn: Connection) -> None:
    """Raise if `conn`, about to be handed to a request, no longer works; the pool then
    discards it and hands out another.

    A connection that `looks_alive` costs nothing more. Any other gets the real check, an empty
    query (`ConnectionPool.check_connection`), which also reads whatever the server sent.

    When one fails, every idle connection of its pool is checked at once (`pool.check()`,
    which replaces the broken ones): after a restart, a failover or `pg_terminate_backend` they
    are all dead, and psycopg_pool waits 1, 2, 4, ... seconds between two failed checks in one
    `getconn`, so finding them one at a time would cost a request seconds per dead connection,
    and past `DB_POOL_TIMEOUT` an error.
    """
    if not looks_alive(conn):
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            # The pool sets `_pool` on the connections it hands out (Django relies on it too).
            pool = getattr(conn, "_pool", None)
            if isinstance(pool, ConnectionPool):
                pool.check()
            raise
    _handed_out[conn] = time.monotonic()
