"""Template filters for marketer content: sanitised HTML on the way out, and safe links."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from shop.sanitising import clean_custom_html, clean_rich_text, is_safe_link

register = template.Library()


@register.filter
def rich_text(value: str) -> SafeString:
    """Rich text, sanitised again as it is rendered (it was sanitised when saved, too)."""
    return mark_safe(clean_rich_text(value))  # Safe: nothing survives the sanitiser but markup.


@register.filter
def custom_html(value: str) -> SafeString:
    """Custom HTML, sanitised again as it is rendered."""
    return mark_safe(clean_custom_html(value))  # Safe: the custom-HTML allow-list only.


@register.filter
def safe_link(value: str) -> str:
    """The link if it is a site path or an http(s)/mailto/tel URL, else "" (never javascript:)."""
    return value if value and is_safe_link(value) else ""
