from django import template

from common.formats import format_time_left

register = template.Library()
register.filter("time_left", format_time_left)


@register.filter
def fields_in_error(form):
    """The visible fields with an error, in the form's order: the error summary links to each."""
    return [field for field in form.visible_fields() if field.errors]


@register.filter
def then_message(label, message):
    """A question or a label followed by its message: « Langue : choisissez… », but « Renoncez-vous
    à des bénéfices ? Répondez… », never « ? : »."""
    label = str(label).rstrip()
    return f"{label} {message}" if label.endswith(("?", "!")) else f"{label} : {message}"


@register.filter
def item(mapping, key):
    """`mapping[key]`, or None: what a page computed for one of its rows (`notes|item:file.pk`)."""
    return mapping.get(key) if mapping else None
