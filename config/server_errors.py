"""What an unexpected exception answers (Django's `handler500`, see config/urls.py).

A database that does not answer (down, restarting, failing over, or every pooled connection
busy for `DB_POOL_TIMEOUT` seconds) is not a bug in the page: it answers 503 with the shop's own
"back in a moment" page and `Retry-After`, so browsers, crawlers and load balancers try again
later. Any other exception gets the 500 page. Neither shows a traceback, and neither leaves a
write half done: every write runs in `transaction.atomic`, which rolls back when it fails.

This is a handler rather than a middleware's `process_exception` on purpose: it also sees the
errors raised outside the view, such as the session middleware saving the session.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """503 with templates/503.html and `Retry-After` when the exception being handled is the
    database's (`OperationalError`, `InterfaceError`); Django's 500 page otherwise.

    Like the 500 page, the 503 page renders without a request context: it must not need the
    database it reports missing.
    """
    if isinstance(sys.exception(), DATABASE_ERRORS):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        patch_cache_control(response, no_store=True)
        return response
    return django_server_error(request)
