"""``python manage.py corsair_serve``: the test project's ``runserver`` behind ``corsair serve``,
which answers CORS with the project's own settings (django-cors-headers' README setup)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

from support import PROJECT, manage_py


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, origin: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Origin": origin} if origin else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def start(port: int, upstream: int) -> subprocess.Popen:
    """``manage.py corsair_serve`` on the seed project, once it answers through corsair."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "corsair_serve",
            f"127.0.0.1:{port}",
            "--upstream",
            f"127.0.0.1:{upstream}",
            "--noreload",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"corsair_serve exited with {process.returncode}")
        try:
            if get(port, "/api/hello").status == 200:
                return process
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise AssertionError("corsair_serve did not answer")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a developer stops runserver."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class CorsairServe(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.process = start(cls.port, free_port())

    @classmethod
    def tearDownClass(cls):
        stop(cls.process)

    def test_the_projects_origins_are_answered_by_corsair(self):
        for origin in ["https://sub.example.com", "https://api.example.com", "http://localhost:8080"]:
            with self.subTest(origin):
                response = get(self.port, "/api/hello", origin)
                self.assertEqual(response.status, 200)
                self.assertEqual(response.getheader("access-control-allow-origin"), origin)
                self.assertEqual(response.getheader("access-control-allow-credentials"), "true")

    def test_other_origins_get_no_cors_headers(self):
        response = get(self.port, "/api/hello", "https://api.example.com.evil.net")
        self.assertEqual(response.status, 200)
        self.assertIsNone(response.getheader("access-control-allow-origin"))


class Stopping(unittest.TestCase):
    def test_ctrl_c_stops_runserver_and_corsair(self):
        port, upstream = free_port(), free_port()
        process = start(port, upstream)
        stop(process)
        self.assertEqual(process.returncode, 0)
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(listening(port), "corsair still listens")
        self.assertFalse(listening(upstream), "runserver still listens")


class Settings(unittest.TestCase):
    def test_settings_corsair_refuses_stop_the_command(self):
        done = manage_py(
            "corsair_serve",
            f"127.0.0.1:{free_port()}",
            "--upstream",
            f"127.0.0.1:{free_port()}",
            "--noreload",
            settings={"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("corsair serve exited with status 2", done.stderr)
        self.assertIn("credentials-with-allow-all", done.stdout + done.stderr)

    def test_settings_become_corsairs_environment(self):
        code = (
            "import django, json; django.setup();"
            "from corsair_cors.management.commands.corsair_serve import corsair_environment;"
            "print(json.dumps({k: v for k, v in corsair_environment({'CORS_X': '1', 'HOME': '/h'}).items()"
            " if k.startswith('CORS_') or k == 'HOME'}))"
        )
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        seen = json.loads(done.stdout)
        self.assertEqual(seen["HOME"], "/h")
        self.assertNotIn("CORS_X", seen)
        self.assertEqual(seen["CORS_ALLOW_CREDENTIALS"], "true")
        self.assertEqual(json.loads(seen["CORS_ALLOWED_ORIGIN_REGEXES"]), [r"^https://\w+\.example\.com$"])
        self.assertEqual(json.loads(seen["CORS_ALLOW_METHODS"])[0], "DELETE")


if __name__ == "__main__":
    unittest.main()
