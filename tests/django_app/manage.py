#!/usr/bin/env python
"""A small Django JSON API without django-cors-headers: the backend of corsair's end-to-end tests.

Run: python manage.py runserver --noreload 127.0.0.1:8000
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
