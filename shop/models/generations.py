"""Generation tokens of cached read models, kept in the database (see shop.cache_tokens).

The cache holds copies of these rows for a few seconds; the rows are the truth, so a token
replaced while the cache was unreachable is not lost.
"""

from django.db import models


class CacheGeneration(models.Model):
    """The token now in force for one cached read model (`name` is a shop.cache_tokens name)."""

    name = models.CharField(max_length=100, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
