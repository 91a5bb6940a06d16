"""Print Django's view of the shared tables as JSON (interop/snapshot.py)."""
import json

from django.core.management.base import BaseCommand

from interop.snapshot import snapshot


class Command(BaseCommand):
    help = "Print Django's view of the interop tables as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(snapshot(), sort_keys=True))
