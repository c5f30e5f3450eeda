"""Sessions, with the keys the visitor's rows are found by beside the data (issue 19).

`config.sessions.SessionStore` writes `cart_token`, `wishlist_token` and `customer_id` from the
session's data in the same INSERT or UPDATE as the data, so one statement can read a session
and the visitor's cart lines and saved products together (`shop.queries.visitor`). They are
copies for finding rows, never trusted on their own: the store compares them with the data
it decoded before the visitor uses what they found. (`get_decoded`, which needs the store, is
not used: the store's `decode` reads a row's data.)
"""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    cart_token = models.UUIDField(null=True, editable=False)
    wishlist_token = models.UUIDField(null=True, editable=False)
    # The signed-in customer's id as the session holds it (no foreign key: logging out deletes
    # the session, and a deleted customer's sessions find nothing).
    customer_id = models.BigIntegerField(null=True, editable=False)

    class Meta(AbstractBaseSession.Meta):
        db_table = "shop_session"
