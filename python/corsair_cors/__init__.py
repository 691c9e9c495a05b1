"""corsair for Python projects.

The wheel ``corsair-cors`` installs the ``corsair`` command (``corsair serve``, ``check`` and
``lint``, built from Rust, nothing else to install) and this package.

The version is the Rust crate's: maturin writes it into the wheel's metadata, read here.
"""

from importlib import metadata

try:
    __version__ = metadata.version("corsair-cors")
except metadata.PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"
