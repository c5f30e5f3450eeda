"""What this process keeps in memory between requests, registered in one place.

A worker keeps copies that outlive a request (public pages and the tokens they were read under,
the catalog index, the releases' timeline, rendered cards). Each is checked against tokens or
expiry on use, so production never needs to empty one; tests do, because each test has another
database: `clear_all()` empties every registered memory, and nothing is reset by hand.
"""

from collections.abc import Callable

_clears: dict[str, Callable[[], None]] = {}


def register(name: str, clear: Callable[[], None]) -> None:
    """Keep `clear` (which empties the memory called `name`) for `clear_all`."""
    _clears[name] = clear


def registered() -> list[str]:
    """The names of the memories registered so far."""
    return sorted(_clears)


def clear_all() -> None:
    """Empty every registered memory (tests call it after each test)."""
    for clear in _clears.values():
        clear()
