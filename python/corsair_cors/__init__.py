"""corsair for Python projects.

The wheel ``corsair-cors`` installs this package, whose compiled module ``corsair_cors._corsair``
holds corsair's engine and command (built from Rust, nothing else to install):

- ``corsair_cors.middleware.CorsMiddleware``: django-cors-headers' middleware, same settings,
  decided by corsair's engine (in ``MIDDLEWARE`` where ``corsheaders``' goes);
- ``corsair_cors.asgi.CORSMiddleware``: Starlette's ``CORSMiddleware`` (FastAPI, Starlette, any
  ASGI app), same arguments, decided by corsair's engine;
- the Django app ``"corsair_cors"`` (in ``INSTALLED_APPS``): corsair's audit of the ``CORS_*``
  settings in ``manage.py check``, and ``manage.py corsair_serve``;
- the ``corsair`` command (``corsair serve``, ``check`` and ``lint``).

The version is the Rust crate's: maturin writes it into the wheel's metadata, read here.
"""

from importlib import metadata

try:
    __version__ = metadata.version("corsair-cors")
except metadata.PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"
