from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the trivial view benchmarks compare every page against."""
    return HttpResponse("ok", content_type="text/plain")
