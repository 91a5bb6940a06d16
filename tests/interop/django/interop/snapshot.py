"""Django's view of the shared tables, as JSON: what `interop_snapshot` prints and what
`interop_check` compares with what the library expects.

The library computes the same document through its own API (tests/django_interop/snapshot.rs);
the shape is defined here and there, field for field. Lists are sorted by natural keys so both
sides produce the same order. Everything is read through Django's ORM, the way an application
would: generic foreign keys resolved (prefetched), generic relations, reverse foreign keys.
"""
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch

from .models import Activity, Article, Note, Tag, TaggedItem


def target(obj):
    """A generic foreign key's target: [app_label.model, key as text, title], or None."""
    if obj is None:
        return None
    return [obj._meta.label_lower, str(obj.pk), obj.title]


def owner(obj):
    """A row of a generic relation's owner: its key and title, tag names and activity verbs."""
    return {
        "id": str(obj.pk),
        "title": obj.title,
        "tags": sorted(item.tag.name for item in obj.tags.all()),
        "acted": sorted(a.verb for a in obj.acted.all()),
        "targeted": sorted(a.verb for a in obj.targeted.all()),
    }


def snapshot():
    items = Prefetch("tags", queryset=TaggedItem.objects.select_related("tag"))
    notes = Note.objects.prefetch_related(items, "acted", "targeted")
    articles = Article.objects.prefetch_related(items, "acted", "targeted")
    return {
        "content_types": sorted(
            [ct.id, ct.app_label, ct.model] for ct in ContentType.objects.all()
        ),
        "tags": sorted(
            ({"name": t.name, "items": t.items.count()} for t in Tag.objects.all()),
            key=lambda t: t["name"],
        ),
        "notes": sorted((owner(n) for n in notes), key=lambda n: n["id"]),
        "articles": sorted((owner(a) for a in articles), key=lambda a: int(a["id"])),
        "tagged_items": sorted(
            (
                {
                    "tag": i.tag.name,
                    "object_id": i.object_id,
                    "target": target(i.content_object),
                }
                for i in TaggedItem.objects.select_related("tag").prefetch_related("content_object")
            ),
            key=lambda i: (i["tag"], i["object_id"]),
        ),
        "activities": sorted(
            (
                {
                    "verb": a.verb,
                    "actor_id": a.actor_id,
                    "actor": target(a.actor),
                    "target_id": a.target_id,
                    "target": target(a.target),
                }
                for a in Activity.objects.prefetch_related("actor", "target")
            ),
            key=lambda a: a["verb"],
        ),
    }


def differences(expected, actual, path="$"):
    """Every path where the two documents differ, with both values."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            out += differences(expected.get(key), actual.get(key), f"{path}.{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [
                f"{path}: the library expects {len(expected)} rows, Django reads {len(actual)}:"
                f"\n    library {expected!r}\n    Django  {actual!r}"
            ]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += differences(e, a, f"{path}[{i}]")
        return out
    if expected != actual:
        return [f"{path}: the library expects {expected!r}, Django reads {actual!r}"]
    return []
