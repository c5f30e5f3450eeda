"""Database sessions that read and write in one statement each.

Django's database backend checks that a new key is free (a SELECT) and wraps each write in a
transaction (BEGIN, INSERT or UPDATE, COMMIT): four statements for a new shopper's session.
Here a new key is 32 random characters of 36 (a clash is as likely as guessing one; if it
happens, the INSERT fails on the primary key and a new key is drawn, as Django does), and a
single INSERT or UPDATE needs no transaction of its own: outside one it is atomic anyway.
Inside someone's transaction (a login in a view's atomic block), Django's way is kept, so a
failed write never breaks the caller's transaction.

A read is one statement, without building a model instance (it runs on every request of a
visitor with a session): the data and, in the same statement, the visitor's cart lines and
saved products (`shop.queries.visitor.read_with_session`), found by copies of their keys that
every write stores beside the data (`shop.models.Session`). The store keeps them as
`rows_read_along`, with the key they were found by, for the visitor to take when the session
still names the same cart, wishlist and customer. The truth is always the database row: a
logout deletes it, and the next request finds neither the session nor the rows.
"""

from types import SimpleNamespace

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connection, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from shop.models import Session
from shop.queries.visitor import Rows, RowsKey, read_with_session


class SessionStore(db.SessionStore):
    rows_read_along: tuple[RowsKey, Rows] | None = None

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = read_with_session(self.session_key, now)
        if found is None:
            self._session_key = None
            return None
        data, key, rows = found
        self.rows_read_along = (key, rows)
        return SimpleNamespace(session_data=data)

    def create_model_instance(self, data):
        cart, wishlist, customer = RowsKey.of(data)
        return Session(
            session_key=self._get_or_create_session_key(),  # type: ignore[attr-defined]
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
            cart_token=cart,
            wishlist_token=wishlist,
            customer_id=customer,
        )

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        obj = self.create_model_instance(data)
        try:
            obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
