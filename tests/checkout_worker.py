"""A separate process that checks out carts concurrently, for the concurrency tests.

    python -m tests.checkout_worker '{"carts": [1, 2], "threads": 8}'

Run with DATABASE_URL pointing at the test database. Each thread opens its own connection and
closes it. Prints one JSON line: {"placed": n, "refused": {"stock": n, ...}, "errors": [...]}.
"""

import json
import os
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def check_out(cart_id: int, details) -> str:
    """Review then place the order for one cart; returns "placed" or why it was refused."""
    from django.db import connections

    from shop.domain import pricing
    from shop.models import Cart
    from shop.moment.resolve import resolve
    from shop.queries import cart as cart_queries
    from shop.services import checkout

    try:
        cart = Cart.objects.select_related("coupon").get(pk=cart_id)
        quote = cart_queries.review(state=resolve(), cart=cart)
        checkout.place_order(
            cart_id=cart.pk,
            checkout_token=cart.checkout_token,
            confirmed=pricing.read_signed(quote.signed()),
            details=details,
        )
        return "placed"
    except checkout.CheckoutChanged as changed:
        return "+".join(sorted({change.kind for change in changed.changes}))
    finally:
        connections.close_all()


def buyer_details():
    """The same delivery details for every buyer (they differ only in their carts)."""
    from shop.services.checkout import CheckoutDetails

    return CheckoutDetails(
        email="buyer@example.com",
        full_name="Concurrent Buyer",
        address_line1="1 Race Street",
        address_line2="",
        city="Leeds",
        postcode="LS1 1AA",
        country="GB",
        shipping_code="standard",
        payment_method="card",
    )


def run(cart_ids: list[int], threads: int) -> dict:
    """Check out every cart on `threads` threads; tally outcomes and unexpected errors."""
    details = buyer_details()
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    tally = threading.Lock()

    def one(cart_id: int) -> None:
        try:
            outcome = check_out(cart_id, details)
        except Exception as error:  # the tests assert there are none
            with tally:
                errors.append(f"{type(error).__name__}: {error}")
        else:
            with tally:
                outcomes[outcome] += 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, cart_ids))
    return {"placed": outcomes.pop("placed", 0), "refused": dict(outcomes), "errors": errors}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    args = json.loads(sys.argv[1])
    print(json.dumps(run(args["carts"], args["threads"])))


if __name__ == "__main__":
    main()
