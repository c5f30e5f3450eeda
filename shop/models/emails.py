"""E-mails that went out, by idempotency key, so a task that runs again sends nothing twice."""

from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """One e-mail sent, named by what it was for ("order-confirmation:42").

    Tasks check the key before sending and record it after: a retry or a duplicate enqueue of
    the same e-mail sends nothing more. (A worker killed between sending and recording sends
    it once more: delivery is at least once, and at most once short of such a crash.)
    """

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
