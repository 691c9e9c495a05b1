#!/usr/bin/env python
"""A Django project that uses django-cors-headers and corsair_cors: the project of corsair's
Django check tests. Its settings are django-cors-headers' README's typical setup.

Run: python manage.py check
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
