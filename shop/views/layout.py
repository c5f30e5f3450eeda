"""The homepage, and its editor on the storefront: edit mode, block changes, publish, share,
revisions.

Only staff with the `shop.edit_homepage` permission get past `editor_required`. Their changes go
into their own draft; `/` shows it to them while edit mode is on in their session, and to nobody
else. Every response that shows a draft is `Cache-Control: private, no-store` and `noindex`.

Without JavaScript each form posts and is redirected (303) to the full-page preview; with htmx the
same URL answers with the part of the page that changed (a block's preview as the editor types,
or the whole layout after adding, moving, hiding or removing a block) plus the draft banner and
the status message out of band.
"""

import uuid
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from partials.public import public_page
from partials.responses import (
    STATUS_FRAGMENT,
    after_action,
    private_preview,
    render_failure,
    render_page,
)
from shop import cache_tokens, session_keys
from shop.forms import (
    AddBlockForm,
    BlockImageForm,
    MoveBlockForm,
    StateForm,
    block_form,
)
from shop.models import LayoutBlock
from shop.models.blocks import BLOCK_KINDS
from shop.models.layout import can_edit_homepage
from shop.moment import links
from shop.moment.middleware import ShopRequest
from shop.queries import layout as layout_queries
from shop.queries import releases as release_queries
from shop.services import layout as layout_services

HOME = "shop:home"
HOME_TEMPLATE = "shop/home.html"
BANNER = "components/draft_banner.html#draft-banner"


def is_editing(request: ShopRequest) -> bool:
    """True when this request's user may edit the homepage and turned edit mode on here."""
    # The session first: a visitor without edit mode costs no user query.
    return bool(request.session.get(session_keys.HOMEPAGE_EDITING)) and can_edit_homepage(
        request.user
    )


def editor_required(view):
    """Let only homepage editors in; send anonymous GETs to the login page, refuse the rest (403).

    Every response of the wrapped view is marked private and noindex.
    """

    @wraps(view)
    def wrapper(request: ShopRequest, *args, **kwargs) -> HttpResponse:
        if not can_edit_homepage(request.user):
            if not request.user.is_authenticated and request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            raise PermissionDenied("Editing the homepage needs the homepage permission.")
        return private_preview(view(request, *args, **kwargs))

    return wrapper


# Context and responses shared by the editor views -------------------------------------------------


def _share_link(request: ShopRequest, draft) -> dict | None:
    """The preview link made for this draft in this session, while it still works."""
    link = request.session.get(session_keys.HOMEPAGE_SHARE_LINK)
    if not draft or not link or link.get("draft") != draft.pk:
        return None
    expires_at = datetime.fromisoformat(link["expires_at"])
    if expires_at <= datetime.now(expires_at.tzinfo):
        return None
    return {"url": link["url"], "expires_at": expires_at}


def editor_context(
    request: ShopRequest, *, bound: dict | None = None, image_bound: dict | None = None
) -> dict:
    """The editor page's context, with each block's form (the just-submitted one when bound)."""
    editor = layout_queries.homepage_editor(user=request.user)
    bound, image_bound = bound or {}, image_bound or {}
    for item in editor.blocks:
        form_class = block_form(item.kind)
        item.form = bound.get(item.key) or form_class(
            initial=form_class.initial_for(item.block),
            choices=editor.choices,
            auto_id=f"block-{item.key}-%s",
        )
        if BLOCK_KINDS[item.kind].takes_image:
            item.image_form = image_bound.get(item.key) or BlockImageForm(
                auto_id=f"block-{item.key}-image-%s"
            )
    return {
        "editor": editor,
        "block_kinds": LayoutBlock.Kind.choices,
        "share_link": _share_link(request, editor.draft),
        "editing_page": True,
        # Draft releases the draft can be saved into (issue 12), for those who build releases.
        "release_choices": (
            release_queries.draft_release_choices()
            if editor.draft and release_queries.can_manage(request.user)
            else []
        ),
    }


def _editing_here(request: ShopRequest) -> bool:
    """An editor's session in edit mode: their own page, never the shared one."""
    return bool(request.session.get(session_keys.HOMEPAGE_EDITING))


@require_safe
@public_page(
    tokens=lambda request: [
        cache_tokens.LIVE_HOMEPAGE,
        cache_tokens.RELEASES,
        cache_tokens.FOOTER_PAGES,
    ],
    seconds=lambda: settings.HOMEPAGE_CACHE_SECONDS,
    bypass=_editing_here,
)
def home(request: ShopRequest) -> HttpResponse:
    """The homepage: the published layout (cached) or the homepage of the release in force, or
    the editor's own draft in edit mode.

    Only the user who owns a draft, with the homepage permission and edit mode on in this
    session, ever gets it here; everybody else gets the live layout (at the moment they time
    travel to, for staff and preview links).
    """
    if is_editing(request):
        # Their draft (or live, before their first change), with the editor around it.
        return private_preview(render_page(request, HOME_TEMPLATE, editor_context(request)))
    homepage = layout_queries.live_homepage(state=request.store)
    response = render_page(request, HOME_TEMPLATE, {"homepage": homepage})
    response.public_until = homepage.next_change  # type: ignore[attr-defined]
    return response


def _refuse(request: ShopRequest, message: str, *, status: int) -> HttpResponse:
    """Say why nothing changed: the editor page (or its layout, with htmx) with `message`, 4xx."""
    messages.error(request, message)
    # Whatever the form aimed at, with htmx the whole layout is what answers a refusal.
    return render_page(
        request,
        HOME_TEMPLATE,
        editor_context(request),
        fragment="homepage-layout",
        oob=[BANNER, STATUS_FRAGMENT],
        status=status,
        retarget="#homepage-layout",
    )


def _layout_changed(request: ShopRequest, *, message: str, key: str | None = None):
    """After a change to the layout's structure: the editor (303), or with htmx its new layout."""
    request.session[session_keys.HOMEPAGE_EDITING] = True
    anchor = f"#block-{key}" if key else ""
    return after_action(
        request,
        redirect_to=reverse(HOME) + anchor,
        template_name=HOME_TEMPLATE,
        fragment="homepage-layout",
        oob=[BANNER],
        context=editor_context(request),
        message=message,
    )


# Edit mode ------------------------------------------------------------------------------------


@require_POST
@editor_required
def edit_mode(request: ShopRequest) -> HttpResponse:
    """Turn edit mode on or off for this session (`state=on|off`), then show the homepage."""
    form = StateForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "Say whether to turn edit mode on or off.", status=400)
    request.session[session_keys.HOMEPAGE_EDITING] = form.on
    message = (
        "Edit mode is on: your changes go into your own draft."
        if form.on
        else "Edit mode is off: this is the live homepage."
    )
    return after_action(request, redirect_to=HOME, message=message)


# Blocks -----------------------------------------------------------------------------------------


def _block_context(request: ShopRequest, block_key: str, **bound) -> dict:
    """The editor's context with `item`, the block a block-level fragment renders."""
    context = editor_context(request, **bound)
    context["item"] = context["editor"].item(block_key)
    return context


@require_POST
@editor_required
def save_block(request: ShopRequest, key: uuid.UUID) -> HttpResponse:
    """Save a block's fields into the user's draft.

    Without JavaScript: 303 to the full-page preview at the block. With htmx (as the editor types):
    the block's new preview, its (now empty) error list and the banner. Invalid fields: nothing
    is saved, 400, and the errors (the full page keeps what was typed).
    """
    block_key = str(key)
    kind = layout_queries.block_kind(user=request.user, key=block_key)
    if kind is None:
        return _refuse(request, layout_services.BlockNotFound.message, status=404)
    form = block_form(kind)(
        request.POST, choices=layout_queries.block_choices(), auto_id=f"block-{block_key}-%s"
    )
    if not form.is_valid():
        return _block_invalid(request, block_key, form)
    try:
        layout_services.update_block(user=request.user, key=block_key, fields=form.changes())
    except layout_services.BlockNotFound as error:
        return _refuse(request, error.message, status=404)
    return _block_saved(request, block_key)


def _block_invalid(request: ShopRequest, block_key: str, form) -> HttpResponse:
    """400: nothing saved; the block's preview and its errors (the full page keeps the input)."""
    return render_page(
        request,
        HOME_TEMPLATE,
        _block_context(request, block_key, bound={block_key: form}),
        fragment="block-preview",
        oob=["block-errors"],
        status=400,
    )


def _block_saved(request: ShopRequest, block_key: str) -> HttpResponse:
    """303 to the preview at the block; with htmx its preview, error list and the banner."""
    request.session[session_keys.HOMEPAGE_EDITING] = True
    return after_action(
        request,
        redirect_to=reverse(HOME) + f"#block-{block_key}",
        template_name=HOME_TEMPLATE,
        fragment="block-preview",
        oob=["block-errors", BANNER],
        context=_block_context(request, block_key),
        message="Saved to your draft.",
    )


@require_POST
@editor_required
def save_block_image(request: ShopRequest, key: uuid.UUID) -> HttpResponse:
    """Upload (or remove) a hero block's image in the user's draft; 303 to the preview."""
    block_key = str(key)
    form = BlockImageForm(request.POST, request.FILES, auto_id=f"block-{block_key}-image-%s")
    if not form.is_valid():
        messages.error(request, "The image was not saved: see the hero banner's form.")
        context = editor_context(request, image_bound={block_key: form})
        return render_page(request, HOME_TEMPLATE, context, status=400)
    image = None if form.cleaned_data["remove"] else form.cleaned_data["image"]
    try:
        layout_services.set_block_image(user=request.user, key=block_key, image=image)
    except layout_services.BlockNotFound as error:
        return _refuse(request, error.message, status=404)
    request.session[session_keys.HOMEPAGE_EDITING] = True
    message = "Image removed from your draft." if image is None else "Image saved to your draft."
    return after_action(request, redirect_to=reverse(HOME) + f"#block-{block_key}", message=message)


@require_POST
@editor_required
def add_block(request: ShopRequest) -> HttpResponse:
    """Add a block of the chosen kind at the end of a region of the draft."""
    form = AddBlockForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "Choose a kind of block and a region to add it to.", status=400)
    block = layout_services.add_block(
        user=request.user, kind=form.cleaned_data["kind"], region=form.cleaned_data["region"]
    )
    return _layout_changed(
        request,
        message=f"Added a {block.get_kind_display().lower()} block to your draft.",
        key=str(block.key),
    )


@require_POST
@editor_required
def remove_block(request: ShopRequest, key: uuid.UUID) -> HttpResponse:
    """Remove a block from the draft (the live homepage keeps it until publishing)."""
    try:
        layout_services.remove_block(user=request.user, key=key)
    except layout_services.BlockNotFound as error:
        return _refuse(request, error.message, status=404)
    return _layout_changed(request, message="Block removed from your draft.")


@require_POST
@editor_required
def move_block(request: ShopRequest, key: uuid.UUID) -> HttpResponse:
    """Move a block to `position` (1-based) within its region of the draft."""
    form = MoveBlockForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "Say which position to move the block to.", status=400)
    try:
        block = layout_services.move_block(
            user=request.user, key=key, position=form.cleaned_data["position"]
        )
    except layout_services.BlockNotFound as error:
        return _refuse(request, error.message, status=404)
    return _layout_changed(request, message="Block moved in your draft.", key=str(block.key))


@require_POST
@editor_required
def block_visibility(request: ShopRequest, key: uuid.UUID) -> HttpResponse:
    """Show (`state=on`) or hide (`state=off`) a block in the draft."""
    form = StateForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "Say whether to show or hide the block.", status=400)
    try:
        block = layout_services.set_block_active(user=request.user, key=key, active=form.on)
    except layout_services.BlockNotFound as error:
        return _refuse(request, error.message, status=404)
    message = "Block shown in your draft." if form.on else "Block hidden in your draft."
    return _layout_changed(request, message=message, key=str(block.key))


# The draft as a whole ---------------------------------------------------------------------------


@require_POST
@editor_required
def publish(request: ShopRequest) -> HttpResponse:
    """Publish the user's draft; refuse (409, draft kept) when somebody published meanwhile."""
    try:
        revision = layout_services.publish_draft(user=request.user)
    except layout_services.LayoutError as error:
        return _refuse(request, error.message, status=409)
    request.session[session_keys.HOMEPAGE_EDITING] = False
    request.session.pop(session_keys.HOMEPAGE_SHARE_LINK, None)
    return after_action(
        request,
        redirect_to=HOME,
        message=f"Published: everyone now sees version {revision.version} of the homepage.",
    )


@require_POST
@editor_required
def discard(request: ShopRequest) -> HttpResponse:
    """Delete the user's draft (its preview links stop working)."""
    discarded = layout_services.discard_draft(user=request.user)
    request.session.pop(session_keys.HOMEPAGE_SHARE_LINK, None)
    message = (
        "Draft discarded: the editor shows the live homepage again."
        if discarded
        else "You had no draft to discard."
    )
    return after_action(request, redirect_to=HOME, message=message)


@require_POST
@editor_required
def rebase(request: ShopRequest) -> HttpResponse:
    """Keep the draft over a newer live version: publishing it will replace what is live now."""
    try:
        draft = layout_services.rebase_draft(user=request.user)
    except layout_services.LayoutError as error:
        return _refuse(request, error.message, status=409)
    return after_action(
        request,
        redirect_to=HOME,
        message=f"Your draft now replaces live version {draft.base_version} when you publish it.",
    )


@require_POST
@editor_required
def share(request: ShopRequest) -> HttpResponse:
    """Make a signed, expiring link that shows the draft to anyone who has it (no login)."""
    draft = layout_queries.draft_of(user=request.user)
    if draft is None:
        return _refuse(request, "Make a change first: there is no draft to share yet.", status=409)
    link = links.preview_link(draft=draft)
    url = request.build_absolute_uri(reverse("shop:homepage-preview", args=[link.token]))
    request.session[session_keys.HOMEPAGE_SHARE_LINK] = {
        "draft": draft.pk,
        "url": url,
        "expires_at": link.expires_at.isoformat(),
    }
    return after_action(
        request,
        redirect_to=HOME,
        template_name="components/draft_banner.html",
        fragment="draft-banner",
        context=editor_context(request),
        message="Preview link ready: it is in the banner.",
    )


@require_safe
@editor_required
def compare(request: ShopRequest) -> HttpResponse:
    """The draft next to the live homepage: what is new, changed, moved or removed."""
    editor = layout_queries.homepage_editor(user=request.user)
    context = {"editor": editor, "share_link": _share_link(request, editor.draft)}
    return render_page(request, "shop/homepage_compare.html", context)


@require_safe
@editor_required
def revisions(request: ShopRequest) -> HttpResponse:
    """Every published version of the homepage, each restorable into the user's draft."""
    editor = layout_queries.homepage_editor(user=request.user)
    context = {
        "editor": editor,
        "share_link": _share_link(request, editor.draft),
        "revisions": layout_queries.revision_history(),
    }
    return render_page(request, "shop/homepage_revisions.html", context)


@require_POST
@editor_required
def restore_revision(request: ShopRequest, version: int) -> HttpResponse:
    """Copy a published revision into the user's draft (replacing it), then show the editor."""
    try:
        layout_services.restore_revision(user=request.user, version=version)
    except layout_services.LayoutError as error:
        return _refuse(request, error.message, status=404)
    request.session[session_keys.HOMEPAGE_EDITING] = True
    return after_action(
        request,
        redirect_to=HOME,
        message=f"Version {version} is in your draft now: publish it to bring it back.",
    )


# Shared previews (no login) -------------------------------------------------------------------


@require_safe
def shared_preview(request: ShopRequest, token: str) -> HttpResponse:
    """The homepage as a draft would make it, for whoever has the signed link; 404 when stale."""
    try:
        target = links.read_preview_link(token=token, of_draft=True)
    except links.PreviewLinkInvalid as invalid:
        return private_preview(
            render_failure(
                request, "shop/preview_link_invalid.html", message=invalid.message, status=404
            )
        )
    draft = target.draft
    assert draft is not None  # of_draft=True: only a homepage draft's link is read
    owner = draft.owner
    context = {
        "homepage": layout_queries.draft_homepage(draft=draft, state=request.store),
        "preview": {
            "owner_name": (owner.get_full_name() or owner.get_username()) if owner else "",
            "expires_at": target.expires_at,
        },
    }
    return private_preview(render_page(request, HOME_TEMPLATE, context))
