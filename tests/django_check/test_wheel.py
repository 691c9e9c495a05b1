"""The Python package: the wheel built by maturin (``pyproject.toml``), installed with pip into a
new venv, puts a working ``corsair`` command there, with the crate's version, and middlewares
that work without a Rust toolchain.

The wheel is ``CORSAIR_WHEEL`` when set (``scripts/test-all`` builds it once, in the dev profile),
else built here with the maturin of this Python (``pip install maturin``; the build needs cargo).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest
import zipfile
from pathlib import Path

from support import ROOT


def cargo_version() -> str:
    """The workspace's version, the one source of the package's version."""
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = text.split("[workspace.package]", 1)[1]
    match = re.search(r'^version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    assert match, "no version in [workspace.package]"
    return match.group(1)


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=900, check=False, **kwargs
    )


class WheelInANewVenv(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="corsair-wheel-"))
        wheel = os.environ.get("CORSAIR_WHEEL")
        if wheel:
            cls.wheel = Path(wheel)
        else:
            maturin = shutil.which("maturin", path=sysconfig.get_path("scripts")) or "maturin"
            built = run(
                maturin, "build", "--profile", "dev", "--out", cls.tmp / "dist", cwd=ROOT
            )
            assert built.returncode == 0, built.stdout + built.stderr
            (cls.wheel,) = (cls.tmp / "dist").glob("*.whl")
        venv = cls.tmp / "venv"
        made = run(sys.executable, "-m", "venv", venv)
        assert made.returncode == 0, made.stderr
        cls.bin = venv / ("Scripts" if os.name == "nt" else "bin")
        installed = run(cls.bin / "python", "-m", "pip", "install", "--quiet", cls.wheel)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        cls.corsair = cls.bin / ("corsair.exe" if os.name == "nt" else "corsair")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_wheel_is_corsair_cors_with_the_crate_version(self):
        self.assertTrue(self.wheel.name.startswith(f"corsair_cors-{cargo_version()}-"), self.wheel)
        with zipfile.ZipFile(self.wheel) as archive:
            names = archive.namelist()
            metadata = archive.read(f"corsair_cors-{cargo_version()}.dist-info/METADATA").decode()
            entry_points = archive.read(f"corsair_cors-{cargo_version()}.dist-info/entry_points.txt").decode()
        # One abi3 module for CPython 3.9 and later: the engine and the command line.
        self.assertIn("-cp39-abi3-", self.wheel.name)
        self.assertIn("corsair_cors/_corsair.abi3.so", names)
        self.assertIn("corsair=corsair_cors.cli:main", entry_points.replace(" ", ""))
        self.assertIn("corsair_cors/__init__.py", names)
        self.assertIn("corsair_cors/middleware.py", names)
        self.assertIn("corsair_cors/asgi.py", names)
        self.assertIn("corsair_cors/checks.py", names)
        self.assertIn("Name: corsair-cors", metadata)

    def test_corsair_version_is_the_crate_version(self):
        done = run(self.corsair, "--version")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.strip(), f"corsair {cargo_version()}")
        python = run(self.bin / "python", "-c", "import corsair_cors; print(corsair_cors.__version__)")
        self.assertEqual(python.stdout.strip(), cargo_version(), python.stderr)

    def test_corsair_lint_audits_a_file(self):
        config = self.tmp / "corsair.toml"
        config.write_text('[cors]\nallowed_origins = ["https://app.example/"]\n', encoding="utf-8")
        done = run(self.corsair, "lint", config)
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("error[origin-has-path] allowed_origins", done.stdout)
        clean = run(self.corsair, "lint", ROOT / "corsair.toml")
        self.assertEqual(clean.returncode, 0, clean.stdout + clean.stderr)

    def test_corsair_lint_django_reads_settings_on_stdin(self):
        settings = {"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"]}
        done = run(self.corsair, "lint", "--django", "--json", input=json.dumps(settings))
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual(report["mode"], "django")
        self.assertEqual([f["id"] for f in report["findings"]], ["corsair.W007"])
        self.assertEqual(report["findings"][0]["fix"], "write `https://app.example.com`")

    def test_the_middlewares_work_from_the_installed_wheel(self):
        script = (
            "from corsair_cors.asgi import CORSMiddleware\n"
            "try:\n"
            "    CORSMiddleware(None, allow_origins=['*'], allow_credentials=True)\n"
            "except ValueError as e:\n"
            "    print('refused', 'allow_credentials' in str(e))\n"
            "m = CORSMiddleware(None, allow_origins=['https://a.example'])\n"
            "d = m.policy.decide('GET', '/', 'https://a.example')\n"
            "print(dict(d.headers())['access-control-allow-origin'])\n"
        )
        done = run(self.bin / "python", "-c", script)
        self.assertEqual(done.stdout.split(), ["refused", "True", "https://a.example"], done.stderr)

    def test_the_command_runs_without_python_on_path(self):
        # The console script names the venv's Python: it runs with an empty environment.
        done = run(self.corsair, "--help", env={})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("serve", done.stdout)


if __name__ == "__main__":
    unittest.main()
