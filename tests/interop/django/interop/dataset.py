"""The rows Django writes first, and the edits it makes to the library's rows later.

tests/django_interop.rs asserts the same values (keys, titles, tags, verbs) as the library
reads them.
"""
import uuid

GROCERIES = uuid.UUID("6f1c1a52-0a84-4c51-9a8e-3d2f6a1b7c01")
IDEAS = uuid.UUID("0b7e3c9d-52a1-4f0e-8c3b-a9d4e6f20d02")
