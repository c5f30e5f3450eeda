"""Marketer HTML made harmless with nh3: applied when it is saved and again when it is rendered.

What survives is an allow-list: formatting tags, links and (custom HTML only) a few layout tags,
tables and same-origin images. Everything else goes, in particular:

- scripts, styles and their content; iframes, objects, embeds, forms, SVG and MathML;
- event handlers (`on*`), `style`, `id` and every `hx-*` / `data-hx-*` / `data-*` attribute,
  so htmx finds nothing to act on in swapped content and nothing can pose as an OOB target;
- `javascript:`, `data:` and other schemes in links (only http, https, mailto, tel and
  relative URLs stay); images only from this site's own paths, so showing a page never makes a
  request to another host.
"""

import re

import nh3

RICH_TEXT_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "small", "mark", "sub", "sup",
    "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "hr", "code", "pre", "abbr",
}  # fmt: skip
CUSTOM_HTML_TAGS = RICH_TEXT_TAGS | {
    "div", "span", "section", "article", "aside", "header", "footer", "figure", "figcaption",
    "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "dl", "dt", "dd",
    "details", "summary", "time",
}  # fmt: skip
# Removed together with everything inside them, not just unwrapped.
CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math"}
LINK_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
CUSTOM_ATTRIBUTES = {
    **LINK_ATTRIBUTES,
    "*": {"class", "lang", "dir"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# A path on this site: "/x" but not "//host" or "/\host" (browsers read both as another host).
SITE_PATH = re.compile(r"^/(?![/\\])")
LOADING_VALUES = {"lazy", "eager"}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep image sources on this site only; keep `loading` to its two real values."""
    if tag == "img" and attribute == "src":
        return value if SITE_PATH.match(value.strip()) else None
    if attribute == "loading":
        return value if value in LOADING_VALUES else None
    return value


def _cleaner(*, tags: set[str], attributes: dict[str, set[str]]) -> nh3.Cleaner:
    """An nh3 cleaner keeping `tags` and `attributes`; the rules for URLs are the same for all."""
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=CONTENT_TAGS,
        attributes=attributes,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_RICH_TEXT = _cleaner(tags=RICH_TEXT_TAGS, attributes=LINK_ATTRIBUTES)
_CUSTOM_HTML = _cleaner(tags=CUSTOM_HTML_TAGS, attributes=CUSTOM_ATTRIBUTES)


def clean_rich_text(html: str) -> str:
    """Return `html` with only formatting, headings, lists and safe links left."""
    return _RICH_TEXT.clean(html or "")


def clean_custom_html(html: str) -> str:
    """Return `html` with layout tags, tables and same-origin images also kept."""
    return _CUSTOM_HTML.clean(html or "")


LINK_SCHEMES = re.compile(r"^(https?://|mailto:|tel:)", re.IGNORECASE)


def is_safe_link(url: str) -> bool:
    """True for a path on this site ("/x") or an http(s), mailto or tel URL; never javascript:."""
    url = url.strip()
    return bool(SITE_PATH.match(url) or LINK_SCHEMES.match(url)) and not any(
        ch in url for ch in "\x00\n\r\t<>\"'` "
    )
