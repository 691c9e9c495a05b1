"""A project with django-cors-headers and corsair_cors installed, and no CORS_* setting."""

SECRET_KEY = "corsair-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["corsheaders", "corsair_cors"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
DATABASES = {}
USE_TZ = True
