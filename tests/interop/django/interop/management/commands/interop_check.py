"""Read the shared tables through Django and compare with what the library expects (a JSON
document in the same shape as interop/snapshot.py, on standard input). Exits with status 1 and
every difference on a mismatch."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from interop.snapshot import differences, snapshot


class Command(BaseCommand):
    help = "Check Django's view of the interop tables against the JSON on standard input."

    def handle(self, *args, **options):
        expected = json.load(sys.stdin)
        actual = snapshot()
        found = differences(expected, actual)
        if found:
            raise CommandError(
                f"Django reads the shared tables differently ({len(found)} differences):\n  "
                + "\n  ".join(found)
            )
        rows = sum(len(v) for k, v in actual.items() if k != "content_types")
        self.stdout.write(f"Django read back {rows} rows and agrees on every value")
