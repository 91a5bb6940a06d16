"""Print what Django's `delete()` of one row returns, `[total, {label: count}]` as JSON, without
deleting it (the delete runs in a transaction that is rolled back), so the library's own
delete of the same row can be compared with it."""
import json

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Print Django's delete() counts for one row, and roll the delete back."

    def add_arguments(self, parser):
        parser.add_argument("model", help="app_label.ModelName")
        parser.add_argument("pk", help="the row's primary key")

    def handle(self, *args, model, pk, **options):
        with transaction.atomic():
            counts = apps.get_model(model).objects.get(pk=pk).delete()
            transaction.set_rollback(True)
        self.stdout.write(json.dumps(counts))
