"""Holes: a page rendered once for everyone, its personal parts filled per request."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings

from partials import holes


class Answers:
    """A visitor that answers from a dict, counting how often it was built."""

    built = 0

    def __init__(self, request):
        type(self).built += 1
        self.values = {"cart-count": 3, "name": "<b>Ada</b>"}
        self.saved = {"7"}

    def value(self, name, arg):
        return self.values[name]

    def test(self, name, arg):
        if name == "saved":
            return arg in self.saved
        raise KeyError(name)

    def fingerprint(self):
        return repr(sorted(self.saved))


pytestmark = pytest.mark.usefixtures("answers")


@pytest.fixture
def answers(settings):
    settings.PARTIALS_VISITOR = "tests.partials.test_holes.Answers"
    Answers.built = 0


def request_with_messages(*texts):
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    for text in texts:
        request._messages.add(20, text)
    return request


def render(source: str) -> str:
    return Template("{% load holes %}" + source).render(Context({"pk": 7, "other": 8}))


def test_a_template_writes_markers_not_values():
    html = render('{% hole "cart-count" %} {% csrf_input %} {% hole "request-id" pk %}')
    assert html == (
        '<!--hole:cart-count--> <input type="hidden" name="csrfmiddlewaretoken" '
        'value="<!--hole:csrf-->"> <!--hole:request-id:7-->'
    )


def test_filling_answers_each_hole_for_this_visitor_and_escapes_values():
    request = request_with_messages()
    html = render('Cart {% hole "cart-count" %} · {% hole "name" %} · {% hole "request-id" %}')
    filled = holes.fill(html, request)
    assert filled.startswith("Cart 3 · &lt;b&gt;Ada&lt;/b&gt; · ")
    assert len(filled.rsplit(" · ", 1)[1]) == 32  # a fresh submission id
    assert Answers.built == 1  # built once per request, whatever the number of holes


def test_a_conditional_keeps_one_branch_and_fills_the_holes_inside_it():
    source = '{% visitor "saved" pk %}Saved {% csrf_input %}{% else %}Save{% endvisitor %}|'
    source += (
        '{% visitor "saved" other %}Saved{% else %}Save {% hole "cart-count" %}{% endvisitor %}'
    )
    filled = holes.fill(render(source), request_with_messages())
    first, second = filled.split("|")
    assert first.startswith('Saved <input type="hidden" name="csrfmiddlewaretoken" value="')
    assert "<!--" not in filled and second == "Save 3"


def test_other_comments_and_unfinished_markers_pass_through_untouched():
    html = render(
        "<!-- a note --><!--hole:Bad--><!--if:saved:7-->never closed"
        "<!--hole:cart-count--><!--[if IE]><![endif]-->"
    )
    assert holes.fill(html, request_with_messages()) == (
        "<!-- a note --><!--hole:Bad--><!--if:saved:7-->never closed3<!--[if IE]><![endif]-->"
    )


def test_the_messages_hole_shows_queued_messages_once():
    request = request_with_messages("Added to your cart.")
    filled = holes.fill(render('<div role="status">{% hole "messages" %}</div>'), request)
    assert filled == (
        '<div role="status"><p class="message message--info">Added to your cart.</p></div>'
    )
    assert request._messages.used  # consumed: the next response will not show it again


def test_hole_names_and_arguments_are_words_so_data_cannot_forge_a_marker():
    with pytest.raises(ValueError):
        holes.marker("saved", "1--><script>")
    with pytest.raises(ValueError):
        holes.condition("Saved!")
    # Escaped text never contains a marker: "<" is "&lt;".
    text = Template("{{ text }}").render(Context({"text": "<!--hole:csrf-->"}))
    assert holes.fill(text, request_with_messages()) == text


def test_the_middleware_fills_html_responses_only():
    request = request_with_messages()
    page = holes.FillHoles(lambda r: HttpResponse("<p><!--hole:cart-count--></p>"))(request)
    assert page.content == b"<p>3</p>"
    data = HttpResponse("<!--hole:cart-count-->", content_type="text/plain")
    assert holes.FillHoles(lambda r: data)(request).content == b"<!--hole:cart-count-->"


def test_a_fingerprint_needs_a_csrf_cookie_and_no_waiting_message():
    request = request_with_messages()
    assert holes.fingerprint(request) is None  # no CSRF cookie yet: the token will be new
    request.META["CSRF_COOKIE"] = "s" * 32
    first = holes.fingerprint(request)
    assert first and first == holes.fingerprint(request)
    holes.visitor(request).saved.add("8")
    assert holes.fingerprint(request) != first  # a heart changed: another fingerprint
    request._messages.add(20, "Saved.")
    assert holes.fingerprint(request) is None  # a message shows once: never "not modified"


@override_settings(PARTIALS_VISITOR="tests.partials.test_holes.Answers")
def test_an_unknown_hole_is_an_error_not_a_silent_blank():
    with pytest.raises(KeyError):
        holes.fill("<!--if:nobody:1-->a<!--else-->b<!--endif-->", request_with_messages())


def test_the_csrf_hole_is_the_visitors_secret_under_a_fresh_mask():
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token

    request = request_with_messages()
    request.META["CSRF_COOKIE"] = "k" * 32
    tokens = {holes.csrf_token(request) for _ in range(50)}
    assert len(tokens) == 50  # a fresh mask every time (BREACH)
    assert all(len(t) == 64 and set(t) <= set(CSRF_ALLOWED_CHARS) for t in tokens)
    assert {_unmask_cipher_token(t) for t in tokens} == {"k" * 32}
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    newcomer = request_with_messages()  # no cookie yet: a new secret, to be set as the cookie
    token = holes.csrf_token(newcomer)
    assert _unmask_cipher_token(token) == newcomer.META["CSRF_COOKIE"] != "k" * 32


def test_every_memory_a_worker_keeps_is_registered_for_one_reset():
    """tests/conftest.py empties them all with memories.clear_all(), none by hand."""
    from partials import memories

    assert memories.registered() == [
        "catalog index",
        "public pages",
        "releases timeline",
        "rendered cards",
    ]
