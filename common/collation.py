"""French alphabetical order, the same whatever the server's locale.

« Aéronautique » comes before « Assurance » and « Économie… » among the E's: accents and case
only break ties. In Python, `french_sort_key`; in the database, `FrenchOrder("name")` in an
`order_by()` or a model's `Meta.ordering`. PostgreSQL sorts with ICU's root collation
(`und-x-icu`, shipped with PostgreSQL, so independent of the server's `lc_collate`); SQLite
with a collation registered on each connection that uses `french_sort_key`.
"""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

SQLITE_COLLATION = "french"


def french_sort_key(text):
    """Letters without their accents first, case-folded; then the text itself to break ties."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return (bare.casefold(), text.casefold(), text)


class FrenchOrder(Func):
    """A text column in French alphabetical order: `FrenchOrder("name").asc()`."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "und-x-icu"', **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"%(expressions)s COLLATE {SQLITE_COLLATION}", **extra)


def _sqlite_compare(a, b):
    a, b = french_sort_key(a), french_sort_key(b)
    return (a > b) - (a < b)


def _register_sqlite_collation(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _sqlite_compare)


connection_created.connect(_register_sqlite_collation, dispatch_uid="common.collation.sqlite")
