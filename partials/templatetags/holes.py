"""Template tags that write holes (see partials.holes): `hole`, `csrf_input`, `visitor`."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from partials import holes

register = template.Library()


@register.simple_tag
def hole(name: str, arg: object = None) -> SafeString:
    """A value hole: `{% hole "cart-count" %}`, `{% hole "request-id" card.pk %}`."""
    return mark_safe(holes.marker(name, arg))


@register.simple_tag
def csrf_input() -> SafeString:
    """The CSRF hidden input, the same for everyone until its value is filled per request."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        mark_safe(holes.marker("csrf")),
    )


class VisitorNode(template.Node):
    def __init__(self, name, arg, yes, no):
        self.name, self.arg, self.yes, self.no = name, arg, yes, no

    def render(self, context) -> str:
        name = self.name.resolve(context)
        arg = self.arg.resolve(context) if self.arg is not None else None
        no = self.no.render(context) if self.no is not None else ""
        return (
            f"{holes.condition(name, arg)}{self.yes.render(context)}{holes.ELSE}{no}{holes.ENDIF}"
        )


@register.tag
def visitor(parser, token) -> VisitorNode:
    """`{% visitor "saved" product.pk %}…{% else %}…{% endvisitor %}`: one branch per visitor.

    Both branches are rendered into the shared page; the one that holds for the visitor asking
    is kept when the holes are filled.
    """
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(
            '{% visitor "name" [arg] %} takes a name and an argument.'
        )
    name = parser.compile_filter(bits[1])
    arg = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    yes = parser.parse(("else", "endvisitor"))
    no = None
    if parser.next_token().contents == "else":
        no = parser.parse(("endvisitor",))
        parser.delete_first_token()
    return VisitorNode(name, arg, yes, no)
