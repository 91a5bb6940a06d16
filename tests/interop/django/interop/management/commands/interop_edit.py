"""Django works on the rows the library wrote: finds the library's note by its UUID key, tags
it, points a new activity at it, deletes an article (Django's collector cascades its generic
rows) and a tag (Django cascades its tagged items in Python)."""
import uuid

from django.core.management.base import BaseCommand
from django.db import transaction

from interop.dataset import IDEAS
from interop.models import Activity, Article, Note, Tag


class Command(BaseCommand):
    help = "Edit and delete rows the library wrote."

    def add_arguments(self, parser):
        parser.add_argument("note", type=uuid.UUID, help="the key of the note the library wrote")
        parser.add_argument("tag", help="the name of the tag the library wrote")

    @transaction.atomic
    def handle(self, *args, note, tag, **options):
        note = Note.objects.get(pk=note)
        note.tags.create(tag=Tag.objects.get(name="blue"))
        Activity.objects.create(verb="replied", actor=note, target=Note.objects.get(pk=IDEAS))
        _, hello = Article.objects.get(title="Hello").delete()
        _, library = Tag.objects.get(name=tag).delete()
        self.stdout.write(f"Django deleted the article {hello} and the tag {library}")
