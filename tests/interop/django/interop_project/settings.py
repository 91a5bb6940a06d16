"""Settings of the interop project: the database from INTEROP_DATABASE, nothing else."""
import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "only-for-the-interop-tests"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "interop"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def database(url):
    """Django's DATABASES entry for an SQLite file path or a postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    if parts.scheme in ("", "sqlite"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.removeprefix("sqlite://")}
    raise ValueError(f"INTEROP_DATABASE: not an SQLite path or a postgres:// URL: {url!r}")


try:
    DATABASES = {"default": database(os.environ["INTEROP_DATABASE"])}
except KeyError:
    raise SystemExit("INTEROP_DATABASE is not set: an SQLite file path or a postgres:// URL")
