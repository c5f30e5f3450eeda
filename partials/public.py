"""Public pages, cached whole: one rendering serves every visitor; holes are filled per request.

    @require_safe
    @public_page(tokens=lambda request, **kwargs: ["catalog:pages-token"], seconds=60)
    def catalog(request, category_slug=None): ...

A public page is the same HTML for every visitor (its personal parts are holes, see
`partials.holes`). Its response is stored under the page's identity (scheme, host, path, the
query in a canonical order, and whether it is the full page or the htmx fragment) together with
the generation tokens it was rendered under. A later request reads the entry and the current
tokens in one cache round trip (`get_many`) and uses the entry only if the tokens still match
and its time (`seconds`, or a view's own `response.public_until`) has not run out. A token's
value is the cache's copy; the missing copies are read by `settings.PARTIALS_TOKEN_READER` (a
dotted path to a callable taking a list of names, returning {name: token}) from the truth.

Only a 200 without cookies and without `private`/`no-store` is stored: refusals, 404s and
previews are rendered each time, and so is a response whose view set `public_store = False`.

A request that previews something not public yet (`settings.PARTIALS_PREVIEW`, a dotted path
to a callable taking the request: the shop's time travel) neither reads nor fills the cache,
and `MarkPreviews`, a middleware, makes every response to it `private, no-store` and
`noindex`.

Every public response gets `Cache-Control: private, no-cache` (it carries this visitor's holes,
so no shared cache may keep it, and the browser asks again each time) and an ETag made of the
body's digest and the visitor's fingerprint (`holes.fingerprint`), so a 304 is answered only
when neither the page nor anything its holes show has changed.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.module_loading import import_string

from partials import holes, memories
from partials.responses import private_preview, wants_fragment

KEY = "public:v1:{}"
STORED_HEADERS = ("Content-Type", "Vary", "HX-Trigger", "HX-Retarget", "HX-Reswap")

Tokens = Callable[..., Iterable[str]]


@dataclass(frozen=True)
class Entry:
    """A stored public response: its body (with holes) and what it was rendered under."""

    tokens: dict[str, str]
    status: int
    headers: dict[str, str]
    body: bytes
    digest: str
    until: float | None  # a timestamp after which it is stale, if the view named one


def identity(request: HttpRequest) -> str:
    """The cache key of this request's page: same page, same key, whoever asks."""
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    mode = "fragment" if wants_fragment(request) else "page"
    raw = f"{request.scheme}|{request.get_host()}|{request.path}|{query}|{mode}"
    return KEY.format(hashlib.blake2b(raw.encode(), digest_size=16).hexdigest())


def current_tokens(names: list[str], found: dict) -> dict[str, str]:
    """The tokens of `names`: the cache's copies in `found`, the rest from the reader."""
    missing = [name for name in names if not found.get(name)]
    read = import_string(settings.PARTIALS_TOKEN_READER)(missing) if missing else {}
    return {name: found.get(name) or read[name] for name in names}


class Memory:
    """The entries this process used last, split at their holes (`holes.Compiled`), so a hit
    reads only the tokens from the cache and never moves or re-scans the body. An entry here is
    used only when the tokens still match it, as for the shared cache.

    The tokens it read are kept too, for `settings.PUBLIC_TOKEN_SECONDS` (1 by default): a hit
    within that time of the last reading costs no cache round trip at all. So a change another
    process made shows here at most that long after its new token reached the cache; one made
    by this process (`forget_token`, called by whatever replaces a token) shows at once."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, tuple[Entry, holes.Compiled]] = OrderedDict()
        self.tokens: dict[str, tuple[str, float]] = {}  # name → (token, monotonic time read)

    def recent_tokens(self, names: list[str]) -> dict[str, str] | None:
        """The tokens of `names` if every one was read within PUBLIC_TOKEN_SECONDS, else None."""
        oldest = time.monotonic() - settings.PUBLIC_TOKEN_SECONDS
        found = {}
        for name in names:
            seen = self.tokens.get(name)
            if seen is None or seen[1] < oldest:
                return None
            found[name] = seen[0]
        return found

    def read_tokens(self, tokens: dict[str, str]) -> None:
        now = time.monotonic()
        for name, token in tokens.items():
            self.tokens[name] = (token, now)

    def forget_token(self, name: str) -> None:
        self.tokens.pop(name, None)

    def clear(self) -> None:
        self.entries.clear()
        self.tokens.clear()

    def get(self, key: str) -> tuple[Entry, holes.Compiled] | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: str, entry: Entry) -> tuple[Entry, holes.Compiled]:
        kept = (entry, holes.compile_holes(entry.body.decode()))
        self.entries[key] = kept
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return kept

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)


memory = Memory(settings.PUBLIC_PAGE_MEMORY)
memories.register("public pages", memory.clear)

# The tokens a public page was looked up under, while its view renders it: the read models it
# calls take them from here (see `token_read`) instead of asking the cache again, so the page
# is rendered from one reading of them, the one it is stored under.
tokens_read: ContextVar[dict[str, str] | None] = ContextVar("tokens_read", default=None)


def forget_token(name: str) -> None:
    """Call when token `name` is replaced: this process reads it afresh on its next request."""
    memory.forget_token(name)


def token_read(name: str) -> str | None:
    """The value of token `name` this request's public page was looked up under, if any."""
    known = tokens_read.get()
    return known.get(name) if known else None


def previewing(request: HttpRequest) -> bool:
    """Whether the request previews what is not public yet (settings.PARTIALS_PREVIEW; False
    when unset), asked once per request."""
    found = request.__dict__.get("_partials_previewing")
    if found is None:
        path = getattr(settings, "PARTIALS_PREVIEW", "")
        found = bool(path and import_string(path)(request))
        request.__dict__["_partials_previewing"] = found
    return found


class MarkPreviews:
    """Middleware: every response to a previewing request is private, no-store and noindex
    (after the session middleware, which `PARTIALS_PREVIEW` usually reads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if previewing(request):
            private_preview(response)
        return response


def _fresh(entry: object, versions: dict[str, str], now: float) -> bool:
    return (
        isinstance(entry, Entry)
        and entry.tokens == versions
        and (entry.until is None or entry.until > now)
    )


def public_page(
    *,
    tokens: Tokens,
    seconds: int | Callable[[], int] = 300,
    bypass: Callable[..., bool] | None = None,
):
    """Cache the view's GET responses whole (see the module's docstring).

    `tokens(request, **kwargs)` names the generation tokens the page depends on; `bypass(request)`
    says when this request must not use or fill the cache (an editor's own view of it), as a
    previewing request never does.
    `seconds` (or a callable returning it, read per request) 0, or settings.PUBLIC_PAGE_CACHE
    off, renders every time, still with the ETag.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if previewing(request) or (bypass is not None and bypass(request)):
                return view(request, *args, **kwargs)
            ttl = seconds() if callable(seconds) else seconds
            use_cache = settings.PUBLIC_PAGE_CACHE and ttl > 0
            if request.method not in ("GET", "HEAD") or not use_cache:
                response = view(request, *args, **kwargs)
                return _conditional(request, response, _digest(response))
            names = list(tokens(request, *args, **kwargs))
            key = identity(request)
            now = timezone.now().timestamp()
            kept = memory.get(key)
            if kept is not None:
                # Served without a round trip when this process read the tokens less than
                # PUBLIC_TOKEN_SECONDS ago and they still match its copy.
                recent = memory.recent_tokens(names)
                if recent is not None and _fresh(kept[0], recent, now):
                    return _serve(request, kept)
            # One round trip: the tokens, and the entry too unless this process has it.
            found = cache.get_many(names if kept else [key, *names])
            versions = current_tokens(names, found)
            memory.read_tokens(versions)
            if kept is not None and not _fresh(kept[0], versions, now):
                memory.forget(key)
                kept, found[key] = None, cache.get(key)  # another process may have a newer one
            if kept is None and _fresh(found.get(key), versions, now):
                kept = memory.put(key, found[key])
            if kept is not None:
                return _serve(request, kept)
            reading = tokens_read.set(versions)
            try:
                response = view(request, *args, **kwargs)
            finally:
                tokens_read.reset(reading)
            digest = _digest(response)
            if _storable(response):
                until = getattr(response, "public_until", None)
                timeout = ttl if until is None else min(ttl, int(until.timestamp() - now))
                if timeout > 0:
                    entry = Entry(
                        tokens=versions,
                        status=response.status_code,
                        headers={h: response[h] for h in STORED_HEADERS if h in response},
                        body=response.content,
                        digest=digest,
                        until=until.timestamp() if until is not None else None,
                    )
                    cache.set(key, entry, timeout=timeout)
                    _, compiled = memory.put(key, entry)
                    # Filled from the split copy just made, instead of splitting it again.
                    response.content = compiled.render(request)
                    response.holes_filled = True
            return _conditional(request, response, digest)

        return wrapper

    return decorator


def _serve(request: HttpRequest, kept: tuple[Entry, holes.Compiled]) -> HttpResponse:
    """A stored public response, its holes filled for this visitor."""
    entry, compiled = kept
    response = HttpResponse(compiled.render(request), status=entry.status)
    response.holes_filled = True  # type: ignore[attr-defined]
    for header, value in entry.headers.items():
        response[header] = value
    return _conditional(request, response, entry.digest)


def _digest(response: HttpResponse) -> str:
    if response.streaming:
        return ""
    return hashlib.blake2b(response.content, digest_size=12).hexdigest()


def _storable(response: HttpResponse) -> bool:
    """A 200 that no visitor's own answer went into; a view can say no (`public_store`)."""
    control = response.get("Cache-Control", "")
    return (
        getattr(response, "public_store", True)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def _conditional(request: HttpRequest, response: HttpResponse, digest: str) -> HttpResponse:
    """Mark a public response private and revalidated each time; answer 304 when it may."""
    control = response.get("Cache-Control", "")
    if "no-store" in control or response.status_code != 200 or not digest:
        return response  # a preview or a refusal: no ETag, no 304
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    fingerprint = holes.fingerprint(request)
    if fingerprint is None:
        return response
    etag = f'"{digest}-{fingerprint}"'
    response["ETag"] = etag
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Vary"):
            not_modified[header] = response[header]
        return not_modified
    return response
