"""The `<id:…>` path converter: a row id the database can hold, or no match (a 404).

Django's `<int:…>` matches any run of digits; ids are PostgreSQL `bigint`s, so a longer
number would reach the view and the database. This one stops at the URL.
"""

from django.urls import register_converter

BIGINT_MAX = 2**63 - 1


class DatabaseIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= BIGINT_MAX:
            raise ValueError(value)  # the URL resolver reads this as "no match"
        return number

    def to_url(self, value):
        return str(value)


register_converter(DatabaseIdConverter, "id")
