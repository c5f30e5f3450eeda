"""shop/management/commands: every command of the project's own apps explains itself.

The commands are found, not listed, so a new one is covered the day it is added.
"""

from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import ManagementUtility, get_commands


def project_commands() -> list[str]:
    """The commands of the apps whose package sits at the project's root (shop, partials)."""
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    }
    return sorted(name for name, app in get_commands().items() if app in ours)


def test_the_project_commands_are_found():
    assert {"release", "demo_staff", "seed_demo"} <= set(project_commands())
    assert "migrate" not in project_commands()


def run_manage_py(*argv: str) -> tuple[str, int]:
    """What `manage.py *argv` prints and the code it exits with, in this process."""
    out = StringIO()
    code = 0
    with redirect_stdout(out):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exit:
            code = exit.code or 0
    return out.getvalue(), code


@pytest.mark.parametrize("name", project_commands())
def test_help_of_every_project_command_prints_its_usage(name):
    for argv in ([name, "--help"], ["help", name]):
        printed, code = run_manage_py(*argv)
        assert code == 0, argv
        assert f"usage: manage.py {name}" in printed, argv
