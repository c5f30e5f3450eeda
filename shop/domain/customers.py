"""Who counts as a customer: the one rule every layer asks."""


def is_customer(user) -> bool:
    """True for a logged-in user (not None, not AnonymousUser)."""
    return user is not None and user.is_authenticated
