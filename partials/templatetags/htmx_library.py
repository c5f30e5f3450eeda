"""`{% htmx_library %}`: the htmx 2 that django-htmx vendors, and nothing else, in every mode.

django-htmx's own `{% htmx_script %}` adds its debug helper when `DEBUG` is on. That helper
treats every 400, 403 and 404 answer to an htmx request as an error page and writes it over the
whole document, before the `responseHandling` of base.html can swap it: with `make run` a
mistyped coupon left a bare fragment with no styles and no title. This shop's 4xx answers are
fragments that carry their message (partials.responses.render_failure), so they must swap the
same way whatever `DEBUG` says. The helper's other job, running the inline scripts of Django's
debug page, is refused by the Content Security Policy anyway (no `unsafe-eval`); a 500 under
`DEBUG` shows its traceback on a full page load, as it does without JavaScript.
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

HTMX = "django_htmx/htmx-2.min.js"


@register.simple_tag
def htmx_library() -> SafeString:
    """The deferred `<script>` of htmx 2. No nonce: the Content Security Policy allows the shop's
    own files, and a public page is the same HTML for every visitor (config/settings.py)."""
    return format_html('<script src="{}" defer></script>', static(HTMX))
