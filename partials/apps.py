from django.apps import AppConfig


class PartialsConfig(AppConfig):
    name = "partials"
    verbose_name = "Partials"
