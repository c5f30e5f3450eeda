"""partials: one view serves a full page or a fragment. RequestFactory only, no database."""

import json

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from partials import holes
from partials.responses import (
    after_action,
    drops_blank_parameters,
    private_page,
    render_page,
    safe_next,
    wants_fragment,
    without_blank_parameters,
)

TEMPLATES_DIR = __import__("pathlib").Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}
    ]


def make_request(method="get", **headers):
    factory = RequestFactory()
    request = getattr(factory, method)("/widgets/", headers=headers)
    request.htmx = HtmxDetails(request)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


CONTEXT = {"widgets": ["a", "b", "c"]}


def test_plain_request_gets_the_full_page():
    response = render_page(make_request(), "widgets.html", CONTEXT, fragment="widget-list")
    body = response.content.decode()
    assert "<h1>Widgets page</h1>" in body
    assert '<ul id="widget-list">' in body
    assert "hx-swap-oob" not in body


def test_htmx_request_gets_only_the_fragment_and_oob_partials():
    response = render_page(
        make_request(HX_Request="true"),
        "widgets.html",
        CONTEXT,
        fragment="widget-list",
        oob=["widget-count"],
    )
    body = response.content.decode()
    assert "<h1>" not in body
    assert body.startswith('<ul id="widget-list"><li>a</li>')
    assert '<span id="widget-count" hx-swap-oob="true">3</span>' in body


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-History-Restore-Request": "true"},
    ],
    ids=["boosted", "history-restore", "history-restore-without-hx-request"],
)
def test_boosted_and_history_restore_requests_get_the_full_page(headers):
    request = make_request(**{k.replace("-", "_"): v for k, v in headers.items()})
    assert not wants_fragment(request)
    response = render_page(request, "widgets.html", CONTEXT, fragment="widget-list")
    assert "<h1>Widgets page</h1>" in response.content.decode()


@pytest.mark.parametrize("headers", [{}, {"HX_Request": "true"}, {"HX_Boosted": "true"}])
def test_every_branching_response_varies_on_htmx_headers(headers):
    response = render_page(make_request(**headers), "widgets.html", CONTEXT, fragment="widget-list")
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= vary


def test_render_page_keeps_the_status_code_in_both_modes():
    for headers in ({}, {"HX_Request": "true"}):
        response = render_page(
            make_request(**headers), "widgets.html", CONTEXT, fragment="widget-list", status=400
        )
        assert response.status_code == 400


def test_after_action_without_javascript_redirects_with_303_and_queues_the_message():
    request = make_request("post")
    response = after_action(
        request,
        redirect_to="/widgets/",
        template_name="widgets.html",
        fragment="widget-list",
        context=CONTEXT,
        message="Widget added.",
    )
    assert response.status_code == 303
    assert response["Location"] == "/widgets/"
    assert [str(m) for m in request._messages] == ["Widget added."]


def test_after_action_boosted_form_also_redirects():
    request = make_request("post", HX_Request="true", HX_Boosted="true")
    response = after_action(
        request, redirect_to="/widgets/", template_name="widgets.html", fragment="widget-list"
    )
    assert response.status_code == 303


def test_after_action_with_htmx_returns_fragment_oob_status_and_trigger():
    request = make_request("post", HX_Request="true")
    response = after_action(
        request,
        redirect_to="/widgets/",
        template_name="widgets.html",
        fragment="widget-list",
        context=CONTEXT,
        oob=["widget-count"],
        message="Widget added.",
        trigger={"widgets-changed": {"count": 3}},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<ul id="widget-list">')
    assert 'id="widget-count" hx-swap-oob="true"' in body
    # The message is announced in the role="status" region, out of band, and consumed: the
    # region's content is a hole, filled for the visitor on the way out (partials.holes).
    assert 'id="status-messages" role="status"' in body
    assert "<!--hole:messages-->" in body and not request._messages.used
    body = holes.fill(body, request)
    assert '<p class="message message--success">Widget added.</p>' in body
    assert json.loads(response["HX-Trigger"]) == {"widgets-changed": {"count": 3}}
    assert "HX-Request" in response["Vary"]
    assert request._messages.used  # consumed: it will not show again on the next page


def test_after_action_trigger_can_be_a_plain_event_name():
    request = make_request("post", HX_Request="true")
    response = after_action(
        request,
        redirect_to="/widgets/",
        template_name="widgets.html",
        fragment="widget-count",
        context=CONTEXT,
        trigger="widgets-changed",
    )
    assert response["HX-Trigger"] == "widgets-changed"


def test_render_page_retargets_only_a_fragment():
    """A refusal can replace more than the element asked for: htmx is told where, never a page."""
    fragment = render_page(
        make_request(HX_Request="true"),
        "widgets.html",
        CONTEXT,
        fragment="widget-list",
        retarget="#widget-list",
        status=404,
    )
    assert (fragment["HX-Retarget"], fragment["HX-Reswap"]) == ("#widget-list", "outerHTML")
    for headers in ({}, {"HX_Request": "true", "HX_Boosted": "true"}):
        page = render_page(
            make_request(**headers), "widgets.html", CONTEXT, fragment="widget-list", retarget="#x"
        )
        assert "HX-Retarget" not in page and "HX-Reswap" not in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/catalog/?colour=red", "/catalog/?colour=red"),
        ("https://evil.example/", "shop:home"),
        ("//evil.example/", "shop:home"),
        ("/\\evil.example/", "shop:home"),
        ("///evil.example/", "shop:home"),
        ("javascript:alert(1)", "shop:home"),
        # Same host, but not a path: the forms only ever send paths.
        ("http://testserver/catalog/", "shop:home"),
        # Not paths: resolve_url would take them for URL names and fail.
        ("NaN", "shop:home"),
        ("cart", "shop:home"),
        ("0", "shop:home"),
        ("{}", "shop:home"),
        ("", "shop:home"),
        (None, "shop:home"),
    ],
)
def test_safe_next_keeps_only_local_paths(url, expected):
    assert safe_next(url, "shop:home") == expected


def test_private_page_marks_every_response_private_and_not_stored():
    view = private_page(lambda request: HttpResponse("mine", status=409))
    response = view(make_request())
    assert {d.strip() for d in response["Cache-Control"].split(",")} == {"private", "no-store"}


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("q=&min_price=", ""),
        ("q=wool&min_price=&max_price=", "q=wool"),
        # The others stay as they were sent (encoding and order), repeated keys too.
        ("colour=red&q=+&sort=price&in_stock&colour=blue", "colour=red&sort=price&colour=blue"),
        ("q=shirt%20red&&min_price=%20", "q=shirt%20red"),
        ("q=caf%C3%A9", "q=caf%C3%A9"),
    ],
)
def test_without_blank_parameters_keeps_the_others_as_they_were(query, kept):
    assert without_blank_parameters(query) == kept


def test_drops_blank_parameters_redirects_full_pages_and_lets_fragments_through():
    view = drops_blank_parameters(lambda request: HttpResponse("results"))
    factory = RequestFactory()
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        request = factory.get("/caf\u00e9s/?q=tea&min_price=", headers=headers)
        request.htmx = HtmxDetails(request)
        response = view(request)
        assert (response.status_code, response["Location"]) == (302, "/caf%C3%A9s/?q=tea")
        assert "HX-Request" in response["Vary"]
    fragment = factory.get("/cafes/?q=tea&min_price=", headers={"HX-Request": "true"})
    fragment.htmx = HtmxDetails(fragment)
    assert view(fragment).content == b"results"
    clean = factory.get("/cafes/?q=tea")
    clean.htmx = HtmxDetails(clean)
    assert view(clean).content == b"results"
