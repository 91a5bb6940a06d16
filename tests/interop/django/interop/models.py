"""The models whose tables the library shares (declared again in tests/django_interop/models.rs).

A UUID-keyed model and an integer-keyed one, both tagged through a through model with a text
object id (so it points at either key type) and both the actor or the target of an activity,
a model with two generic foreign keys. Constraint and index names are Django's, given here.
"""
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class TaggedItem(models.Model):
    """The through model: a foreign key to Tag (Django cascades it) and a generic foreign key."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.TextField()
    content_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "content_type", "object_id"],
                name="interop_taggeditem_unique_link",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="interop_tagged_ct_obj_idx")]


class Activity(models.Model):
    """Two generic foreign keys: who did it (required) and to what (optional)."""

    verb = models.CharField(max_length=50)
    actor_ct = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    actor_id = models.TextField()
    actor = GenericForeignKey("actor_ct", "actor_id")
    target_ct = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    target_id = models.TextField(null=True, blank=True)
    target = GenericForeignKey("target_ct", "target_id")

    class Meta:
        indexes = [
            models.Index(fields=["actor_ct", "actor_id"], name="interop_activity_actor_idx"),
            models.Index(fields=["target_ct", "target_id"], name="interop_activity_target_idx"),
        ]


def _activities(gfk):
    ct, oid = ("actor_ct", "actor_id") if gfk == "actor" else ("target_ct", "target_id")
    return GenericRelation(Activity, content_type_field=ct, object_id_field=oid)


class Note(models.Model):
    """UUID-keyed: SQLite stores the key as 32 hex digits in char(32)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    title = models.CharField(max_length=100)
    tags = GenericRelation(TaggedItem, related_query_name="note")
    acted = _activities("actor")
    targeted = _activities("target")


class Article(models.Model):
    """Integer-keyed (BigAutoField)."""

    title = models.CharField(max_length=200)
    tags = GenericRelation(TaggedItem, related_query_name="article")
    acted = _activities("actor")
    targeted = _activities("target")
