"""The conflict rule of campaign releases: which releases may not be scheduled in overlapping
windows. The releases' windows and what they change are shop.moment.values.

Pure: the models layer reads the rows and hands these values over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shop.moment.values import Window


@dataclass(frozen=True)
class Claim:
    """One thing a release changes, as the conflict rule compares them: ("price", variant id),
    ("visibility", product id), ("page", page id) or ("homepage", 0)."""

    kind: str
    target: int
    label: str = field(default="", compare=False)  # "Merino Jumper (M)", for people

    HOMEPAGE = "homepage"
    PRICE = "price"
    VISIBILITY = "visibility"
    PAGE = "page"


@dataclass(frozen=True)
class Conflict:
    """A scheduled release whose window overlaps the candidate's and that changes some of the
    same things."""

    release_id: int
    release_name: str
    window: Window
    claims: tuple[Claim, ...]

    @property
    def message(self) -> str:
        things = ", ".join(describe(claim) for claim in self.claims[:5])
        more = len(self.claims) - 5
        if more > 0:
            things += f" and {more} more"
        return f"“{self.release_name}” overlaps it and also changes {things}."


def describe(claim: Claim) -> str:
    if claim.kind == Claim.HOMEPAGE:
        return "the homepage"
    nouns = {
        Claim.PRICE: "the price of",
        Claim.VISIBILITY: "whether shoppers see",
        Claim.PAGE: "page",
    }
    return f"{nouns.get(claim.kind, claim.kind)} {claim.label or claim.target}"


def conflicts(
    candidate: Window,
    claims: Iterable[Claim],
    others: Iterable[tuple[Window, str, Iterable[Claim]]],
) -> list[Conflict]:
    """The scheduled releases (`others`: window, name, claims) that overlap `candidate` in time
    and change something it changes. The rule: two such releases are never scheduled at once;
    the second one to be scheduled is refused (services.releases.schedule)."""
    claims = list(claims)
    mine = set(claims)
    labels = {claim: claim for claim in claims}
    found = []
    for window, name, theirs in others:
        if window.release_id == candidate.release_id or not window.overlaps(candidate):
            continue
        shared = sorted(
            (labels.get(c, c) for c in set(theirs) & mine), key=lambda c: (c.kind, c.target)
        )
        if shared:
            found.append(Conflict(window.release_id, name, window, tuple(shared)))
    return found
