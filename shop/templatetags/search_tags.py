"""Template filters for search results: the matched words of a name, marked."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from shop.queries.search import SearchPlan

register = template.Library()


@register.filter
def highlight(text: str, plan: SearchPlan | None) -> SafeString:
    """`text`, escaped, with the words `plan` matched in <mark> (just escaped without a plan:
    the product card uses it everywhere, and only search results pass a plan)."""
    if not isinstance(plan, SearchPlan):
        return conditional_escape(text)
    return plan.mark(text)
