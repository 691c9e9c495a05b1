"""corsair for Python projects.

The wheel ``corsair-cors`` installs the ``corsair`` command (``corsair serve``, ``check`` and
``lint``, built from Rust, nothing else to install) and this package: a Django app that adds
corsair's audit of the django-cors-headers settings to ``manage.py check``. Add
``"corsair_cors"`` to ``INSTALLED_APPS``.

The version is the Rust crate's: maturin writes it into the wheel's metadata, read here.
"""

from importlib import metadata

try:
    __version__ = metadata.version("corsair-cors")
except metadata.PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"
