"""``python manage.py corsair_serve``: ``runserver`` behind ``corsair serve``, with the project's
own ``CORS_*`` settings.

corsair listens on ADDRPORT (default ``127.0.0.1:8300``) and forwards to ``runserver`` on
``--upstream`` (default ``127.0.0.1:8000``); the frontend calls corsair. The project's ``CORS_*``
settings are passed as the ``CORS_*`` environment variables corsair reads (lists as JSON arrays),
so corsair answers CORS by them, with its own rules (a regex matches the whole origin; a
configuration it refuses stops the command with corsair's explanation). django-cors-headers may
stay installed: corsair replaces the CORS headers the backend sets.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import autoreload

from corsair_cors import binary
from corsair_cors.django_settings import jsonable

#: How long corsair may take to listen before the command gives up.
START_SECONDS = 15


def corsair_environment(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with its ``CORS_*`` variables replaced by the project's ``CORS_*`` settings."""
    env = {key: value for key, value in environ.items() if not key.startswith("CORS_")}
    for name in dir(settings):
        if name.startswith("CORS_"):
            text = environment_value(getattr(settings, name))
            if text is not None:
                env[name] = text
    return env


def environment_value(value: Any) -> str | None:
    """A setting as corsair reads it from the environment, ``None`` for ``None``."""
    value = jsonable(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(value)


def split_addrport(addrport: str) -> tuple[str, int]:
    host, _, port = addrport.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"{addrport!r} is not host:port (e.g. 127.0.0.1:8300)")
    return host.strip("[]"), int(port)


class Command(BaseCommand):
    help = "Runs runserver behind corsair serve, which answers CORS with this project's CORS_* settings."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8300", help="where corsair listens"
        )
        parser.add_argument(
            "--upstream", default="127.0.0.1:8000", help="where runserver listens (host:port)"
        )
        parser.add_argument(
            "--noreload",
            action="store_false",
            dest="use_reloader",
            help="do not restart runserver when the code changes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        listen = split_addrport(options["addrport"])
        split_addrport(options["upstream"])
        # The autoreloader runs this command again in a child process: corsair runs once, in
        # the parent.
        proxy = None
        if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) != "true":
            proxy = self.start_corsair(options["addrport"], options["upstream"], listen)
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command(
                "runserver", options["upstream"], use_reloader=options["use_reloader"]
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
            if proxy is not None:
                proxy.terminate()
                try:
                    proxy.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proxy.kill()

    def start_corsair(
        self, addrport: str, upstream: str, listen: tuple[str, int]
    ) -> subprocess.Popen:
        try:
            path = binary.find()
        except binary.Unavailable as error:
            raise CommandError(str(error)) from None
        proxy = subprocess.Popen(
            [path, "serve", "--listen", addrport, "--upstream", f"http://{upstream}"],
            env=corsair_environment(dict(os.environ)),
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            status = proxy.poll()
            if status is not None:
                raise CommandError(
                    f"corsair serve exited with status {status}: it refuses these CORS settings "
                    "(its messages are above; `python manage.py check` explains them in Django's terms)"
                )
            try:
                socket.create_connection(listen, timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            proxy.kill()
            raise CommandError(f"corsair serve did not listen on {addrport} within {START_SECONDS} s")
        self.stdout.write(f"corsair serve on http://{addrport} -> runserver on http://{upstream}")
        return proxy
