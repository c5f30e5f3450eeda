from django.http import HttpResponse
from django.views.decorators.http import require_GET

from partials.responses import HtmxHttpRequest, render_page
from shop.models.layout import can_edit_homepage
from shop.queries import layout as layout_queries
from shop.views.layout import editor_page, is_editing


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The homepage: the published layout (cached), or the editor's own draft in edit mode.

    Only the user who owns a draft, with the homepage permission and edit mode on in this
    session, ever gets it here; everybody else gets the live layout.
    """
    if is_editing(request):
        return editor_page(request)
    context = {
        "homepage": layout_queries.live_homepage(),
        "can_edit_homepage": can_edit_homepage(request.user),
    }
    return render_page(request, "shop/home.html", context)
