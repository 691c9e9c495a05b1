"""Settings of the test API: no database, no CORS middleware, JSON views only."""

SECRET_KEY = "corsair-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "api.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
