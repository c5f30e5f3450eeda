from django.conf import settings


def shop(request) -> dict:
    """Site-wide, query-free values every template may use."""
    return {"site_name": settings.SITE_NAME, "currency": settings.CURRENCY}
