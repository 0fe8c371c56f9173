"""How the portal says quantities to a person, in French."""

from django.utils.translation import gettext, ngettext


def _count(number, singular, plural):
    return ngettext(singular, plural, number) % {"n": number}


def format_time_left(delta):
    """'12 jours et 4 heures', '3 heures et 5 minutes', '7 minutes': the two largest units."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return gettext("moins d'une minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    day_text = _count(days, "%(n)d jour", "%(n)d jours")
    hour_text = _count(hours, "%(n)d heure", "%(n)d heures")
    minute_text = _count(minutes, "%(n)d minute", "%(n)d minutes")
    if days:
        return f"{day_text} et {hour_text}" if hours else day_text
    if hours:
        return f"{hour_text} et {minute_text}" if minutes else hour_text
    return minute_text
