"""Django writes the first rows: tags on UUID- and integer-keyed rows, activities with two
generic foreign keys (one left empty)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from interop.dataset import GROCERIES, IDEAS
from interop.models import Activity, Article, Note, Tag, TaggedItem


class Command(BaseCommand):
    help = "Write the first rows of the interop test."

    @transaction.atomic
    def handle(self, *args, **options):
        red, green, blue = (Tag.objects.create(name=n) for n in ("red", "green", "blue"))
        groceries = Note.objects.create(id=GROCERIES, title="Groceries")
        ideas = Note.objects.create(id=IDEAS, title="Ideas")
        hello = Article.objects.create(title="Hello")
        world = Article.objects.create(title="World")
        # Through the generic relation's manager, and through the generic foreign key.
        groceries.tags.create(tag=red)
        groceries.tags.create(tag=green)
        ideas.tags.create(tag=green)
        TaggedItem.objects.create(tag=red, content_object=hello)
        TaggedItem.objects.create(tag=blue, content_object=hello)
        TaggedItem.objects.create(tag=blue, content_object=world)
        Activity.objects.create(verb="wrote", actor=hello, target=groceries)
        Activity.objects.create(verb="linked", actor=ideas, target=world)
        Activity.objects.create(verb="joined", actor=groceries)
        self.stdout.write(
            f"Django wrote {Tag.objects.count()} tags, {Note.objects.count()} notes, "
            f"{Article.objects.count()} articles, {TaggedItem.objects.count()} tagged items, "
            f"{Activity.objects.count()} activities"
        )
