"""Subprocess entry: `python -m bench.worker module:function` with JSON kwargs on stdin.

Sets Django up for the DATABASE_URL in the environment, migrates, calls the function and prints
its JSON result as the last line of stdout.
"""

import importlib
import json
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    module, function = sys.argv[1].split(":")
    result = getattr(importlib.import_module(module), function)(**json.loads(sys.stdin.read() or "{}"))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
