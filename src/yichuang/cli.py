"""The `yichuang` command: Django's management commands plus ours.

Our commands are spelled with hyphens (`seed-demo`, `import-catalog`); Django
modules use underscores, so the first argument is translated.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "yichuang"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
