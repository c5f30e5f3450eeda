#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036 (run by an older python3 on purpose)
    sys.exit(
        f"Storefront needs Python 3.12+ (Django 6.1); this is {sys.version.split()[0]}. "
        "Use `make run` / `make test`, or .venv/bin/python."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
