"""Django configured once per test process for the middleware tests: a project of one URLconf
(``urls``), corsair's middleware or django-cors-headers' in ``MIDDLEWARE`` as each test says.

Run the tests (``scripts/test-all`` does, with the wheel installed into ``.venv``):
``.venv/bin/python -m unittest discover -s tests/python_middlewares -t tests/python_middlewares``
"""

from __future__ import annotations

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corsair-tests",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="urls",
        INSTALLED_APPS=["django.contrib.contenttypes", "corsheaders", "corsair_cors"],
        MIDDLEWARE=["corsair_cors.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=["https://app.example.com"],
        USE_TZ=True,
    )
    django.setup()
