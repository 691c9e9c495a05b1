"""The ``corsair`` command of the wheel (``serve``, ``check``, ``lint``): a console script that
runs the command line compiled into ``corsair_cors._corsair``."""

from __future__ import annotations

import sys


def main() -> None:
    """Runs ``corsair`` with this process's arguments and exits with its status."""
    from corsair_cors import _corsair

    sys.exit(_corsair.run_cli(["corsair", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
