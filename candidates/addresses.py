"""One spelling per mailbox: what the portal stores and counts is the address its email reaches.

Django's SMTP backend sends the domain through IDNA, which drops invisible characters (zero-width
space, soft hyphen, word joiner…) and folds its case, so two strings the database keeps apart can
reach one mailbox: two accounts for one person, or endless spellings that escape a limit per
address. Addresses typed into the portal's forms are therefore stored as IDNA gives the domain
back, with a plain-ASCII part before the @, unquoted.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


def canonical_email(value):
    """The address as its email will be delivered; ValidationError when it cannot be one."""
    invalid = ValidationError(_("Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr."), code="invalid")
    local, at, domain = (value or "").strip().rpartition("@")
    if not (at and local and domain):
        raise invalid
    if local.startswith('"') or any(ord(char) > 127 or unicodedata.category(char) in ("Cc", "Cf") for char in local):
        raise ValidationError(_("Écrivez la partie avant le @ sans accent, espace, guillemet ni caractère spécial."),
                              code="local_part")
    try:
        domain = domain.encode("idna").decode("idna").lower()
    except UnicodeError:
        raise invalid from None
    address = f"{local}@{domain}"
    validate_email(address)
    return address


def mailbox_key(value):
    """What the email limits count: the mailbox, whatever the case or a « +étiquette » after its name."""
    try:
        address = canonical_email(value).lower()
    except ValidationError:
        address = (value or "").strip().lower()
    local, _at, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"
