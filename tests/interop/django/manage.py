#!/usr/bin/env python3
"""The Django 5.2 project that shares its database with the library (tests/django_interop.rs).

The database comes from INTEROP_DATABASE: an SQLite file path, or a postgres:// URL.
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interop_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
