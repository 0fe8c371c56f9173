from django import template

from common.formats import format_time_left

register = template.Library()
register.filter("time_left", format_time_left)


@register.filter
def fields_in_error(form):
    """The visible fields with an error, in the form's order: the error summary links to each."""
    return [field for field in form.visible_fields() if field.errors]
