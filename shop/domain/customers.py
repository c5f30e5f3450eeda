"""Who counts as a customer, and as staff allowed to do something: the rules every layer asks."""


def is_customer(user) -> bool:
    """True for a logged-in user (not None, not AnonymousUser)."""
    return user is not None and user.is_authenticated


def is_staff_with(user, permission: str) -> bool:
    """True for an active, logged-in staff user who has `permission` ("app.codename")."""
    return bool(
        is_customer(user) and user.is_active and user.is_staff and user.has_perm(permission)
    )
