#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # The demo runs with DEBUG off, as production does, on the development secrets (settings_demo.py).
    demo = sys.argv[1:2] == ["demo"]
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "modelarts_admin.settings_demo" if demo else "modelarts_admin.settings"
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
