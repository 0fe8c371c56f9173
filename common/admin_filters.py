"""Every admin filter that lists names lists them in French order.

Django lists a relation's choices in the related admin's ordering and a text column's values in
the database's byte order (« Zone » before « Éducation » on PostgreSQL's C collation). These
two filters take priority over Django's for relations and plain text columns, so a filter added
later is in French order without anyone thinking of it (`PortalConfig.ready` registers them).
"""

from django.contrib import admin
from django.db import models

from common.collation import french_sort_key


def french_choices(choices):
    """(value, label) pairs sorted by their label in French order."""
    return sorted(choices, key=lambda choice: french_sort_key(str(choice[1])))


class FrenchRelatedFieldListFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return french_choices(super().field_choices(field, request, model_admin))


class FrenchAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = list(self.lookup_choices)
        self.lookup_choices = [v for v in values if v is None] + sorted(
            (v for v in values if v is not None), key=lambda v: french_sort_key(str(v)))


def is_plain_text(field):
    return isinstance(field, (models.CharField, models.TextField)) and not field.choices


def register_french_filters():
    admin.FieldListFilter.register(lambda f: f.remote_field, FrenchRelatedFieldListFilter, take_priority=True)
    admin.FieldListFilter.register(is_plain_text, FrenchAllValuesFieldListFilter, take_priority=True)
