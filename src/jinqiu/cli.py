"""The `jinqiu` console command: serve, demo, and any Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(
            "jinqiu serve [--host 127.0.0.1] [--port 8000]   migrate, load the demo district if empty, serve\n"
            "jinqiu demo --scale district|city|province --seed N   build a demo dataset\n"
            "jinqiu <django command> ...                       migrate, createsuperuser, shell, ...\n"
        )
        if not args:
            return
        args = ["help"]
    from django.core.management import execute_from_command_line

    if args[0] == "serve":
        serve(args[1:])
        return
    execute_from_command_line(["jinqiu", *args])


def serve(args: list[str]) -> None:
    import argparse

    import django
    from django.core.management import call_command

    parser = argparse.ArgumentParser(prog="jinqiu serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo district")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(args)
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if not options.no_demo:
        call_command("demo", scale="district", seed=1, if_empty=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn", "jinqiu.wsgi:application", "--bind", f"{options.host}:{options.port}",
        "--workers", str(options.workers), "--access-logfile", "-",
    ]
    print(f"金秋 is serving on http://{options.host}:{options.port}/", flush=True)
    run()


if __name__ == "__main__":
    main()
