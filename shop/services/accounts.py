"""Customer accounts: an e-mail address is the username (stored lower-case)."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction


class EmailTaken(Exception):
    message = "An account already exists for this e-mail. Log in, or reset your password."

    def __str__(self) -> str:
        return self.message


def username_for(email: str) -> str:
    return email.strip().lower()


def sign_up(*, email: str, password: str):
    """Create a customer account; raises EmailTaken if the address already has one."""
    User = get_user_model()
    username = username_for(email)
    if User.objects.filter(username__iexact=username).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=username, password=password)
    except IntegrityError:  # the same address, signing up twice at once
        raise EmailTaken() from None
