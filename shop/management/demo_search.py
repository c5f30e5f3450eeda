"""The demo's search: every product's search document, a few synonyms and a pinned result.

Called by seed_demo after it bulk-inserts products (bulk inserts send no signals, so the
receivers that keep documents current never saw them). Idempotent: documents that would not
change are left alone, and synonyms and pins a merchandiser changed are kept.
"""

from shop.models import Product, SearchPin, SearchSynonym
from shop.moment.resolve import resolve
from shop.services import search as search_service

SYNONYMS = [
    "jumper, sweater, pullover",
    "trainers, sneakers, runners",
    "tee, t-shirt",
    "trousers, pants",
    "mac, raincoat",
    "throw, blanket",
    "duffel, holdall",
]
PINNED = {"gift": "kitchen"}  # a search → the category whose newest two products it pins


def ensure_demo_search() -> str:
    """Refresh every search document, add the demo synonyms and pins; say what was done."""
    search_service.refresh_documents()
    added = 0
    for terms in SYNONYMS:
        synonym = SearchSynonym(terms=terms)
        synonym.clean()
        added += SearchSynonym.objects.get_or_create(terms=synonym.terms)[1]
    for query, category_slug in PINNED.items():
        if SearchPin.objects.filter(query=query).exists():
            continue
        products = Product.objects.published(resolve()).filter(category__slug=category_slug)
        for position, product in enumerate(products.order_by("-created", "pk")[:2]):
            SearchPin.objects.create(query=query, product=product, position=position)
    return f"Search ready: {Product.objects.count()} documents, {added} synonyms added."
