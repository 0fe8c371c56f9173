import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.inbox import forget_unread_count

french_phone = RegexValidator(
    r"^(?:\+33\s?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}$|^\+(?!33)[\d\s.-]{6,20}$",
    _("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."),
)


def is_name_letter(char):
    """A letter of the Latin alphabet, accented or not: the French civil status writes names in it.

    Only cased Latin letters: other scripts hold letters that look like punctuation (ː ᐟ ꓸ ꞏ),
    with which a name could spell a web address in an email."""
    return unicodedata.category(char) in ("Lu", "Ll", "Lt") and unicodedata.name(char, "").startswith("LATIN ")


def validate_person_name(value):
    """A name is Latin letters, with spaces, hyphens and apostrophes between them.

    Names go into emails sent to any address, so nothing else gets in: no digit, dot, colon
    or slash, hence no link and no address.
    """
    if value and not (is_name_letter(value[0]) and all(is_name_letter(char) or char in " -'’" for char in value)):
        raise ValidationError(
            _("Seules les lettres (alphabet latin, accents compris), les espaces, les traits d'union et les "
              "apostrophes sont acceptés, comme à l'état civil."),
            code="person_name",
        )


def activation_delay():
    """How long a new account has to confirm its email (the notice: 48 hours)."""
    return timedelta(hours=settings.ACCOUNT_ACTIVATION_HOURS)


# `email__lower=` compiles to LOWER("email") = …, which the unique index on Lower("email") serves;
# `email__iexact` (UPPER(…)) would scan the whole table.
models.EmailField.register_lookup(Lower)


class EidasLevel(models.TextChoices):
    """The eIDAS levels of assurance FranceConnect signs in at, lowest first."""

    EIDAS1 = "eidas1", _("eIDAS 1")
    EIDAS2 = "eidas2", _("eIDAS 2")
    EIDAS3 = "eidas3", _("eIDAS 3")

    @classmethod
    def at_least(cls, level):
        """The levels that reach `level`: asked eIDAS 1, an eIDAS 2 sign-in will do."""
        values = cls.values
        return values[values.index(level):]


class Gender(models.TextChoices):
    """As FranceConnect's identity pivot gives it."""

    FEMALE = "female", _("féminin")
    MALE = "male", _("masculin")


class UserQuerySet(models.QuerySet):
    def with_email(self, email):
        """The account(s) with this address, whatever its case, through the index."""
        return self.filter(email__lower=(email or "").lower())

    def never_activated_before(self, cutoff):
        """Candidate accounts created before `cutoff` whose email was never confirmed."""
        return self.filter(
            is_active=False,
            activated_at__isnull=True,
            is_staff=False,
            is_superuser=False,
            date_joined__lt=cutoff,
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """One spelling per mailbox (candidates/addresses.py), where the address allows it."""
        from candidates.addresses import canonical_email

        try:
            return canonical_email(email)
        except ValidationError:
            return super().normalize_email(email)

    def get_by_natural_key(self, email):
        # The login is the email, whatever its case.
        return self.with_email(email).get()

    def create_user(self, email, password=None, **fields):
        """A candidate's account: inactive until the email is confirmed."""
        fields.setdefault("is_active", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, is_active=True)
        fields.setdefault("activated_at", timezone.now())
        return self._create(email, password, **fields)

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: candidates and rectorate staff alike.

    `is_active` is False until the email address is confirmed; `date_joined` is when the
    account was created; `activated_at` is when its email was confirmed.
    """

    email = models.EmailField(
        _("adresse électronique"),
        unique=True,
        error_messages={"unique": _("Un compte existe déjà avec cette adresse électronique.")},
    )
    last_name = models.CharField(_("nom"), max_length=150, blank=True, validators=[validate_person_name])
    first_name = models.CharField(_("prénoms"), max_length=150, blank=True, validators=[validate_person_name])
    is_staff = models.BooleanField(
        _("membre du personnel"),
        default=False,
        help_text=_("Peut se connecter à l'administration du rectorat."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=False,
        help_text=_("Faux tant que l'adresse électronique n'a pas été confirmée."),
    )
    date_joined = models.DateTimeField(_("compte créé le"), default=timezone.now)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)

    # Situation: what "Mon compte" shows and the candidate may change at any time.
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    address_line = models.CharField(_("adresse"), max_length=200, blank=True)
    address_complement = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=100, blank=True, default="France")
    phone = models.CharField(_("téléphone"), max_length=25, blank=True, validators=[french_phone])
    usage_name = models.CharField(_("nom d'usage"), max_length=150, blank=True, validators=[validate_person_name],
                                  help_text=_("Facultatif : le nom que vous utilisez, s'il diffère du nom de naissance."))

    # The identity FranceConnect vouched for (candidates/franceconnect.py): its `sub`, one per
    # person and per service, links the account to that person; the rest of the identity pivot
    # fills the civil identity above (last_name is the birth name, first_name the given names).
    franceconnect_sub = models.CharField(_("identifiant FranceConnect"), max_length=255, null=True, blank=True, unique=True,
                                         editable=False)
    identity_certified_at = models.DateTimeField(_("identité certifiée le"), null=True, blank=True, editable=False)
    identity_eidas_level = models.CharField(_("niveau eIDAS"), max_length=10, choices=EidasLevel.choices, blank=True, editable=False)
    gender = models.CharField(_("sexe"), max_length=10, choices=Gender.choices, blank=True, editable=False)
    birthplace_code = models.CharField(_("commune de naissance (code INSEE)"), max_length=5, blank=True, editable=False,
                                       help_text=_("Vide pour une personne née à l'étranger."))
    birth_country_code = models.CharField(_("pays de naissance (code INSEE)"), max_length=5, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_(
                    "Un compte existe déjà avec cette adresse électronique."
                ),
            ),
        ]
        indexes = [
            # The purge's query: never-activated accounts by age, without scanning the others.
            models.Index(
                fields=["date_joined"],
                condition=Q(is_active=False, activated_at__isnull=True),
                name="user_never_activated_idx",
            ),
        ]

    def __str__(self):
        """How staff see a person in admin (choices, history): the listed name, then the address
        that tells two namesakes apart."""
        name = self.listed_name()
        return f"{name} ({self.email})" if name != self.email else name

    def listed_name(self):
        """The name as the rectorate's lists write it, « DUPONT Léa », or the address when none is given."""
        name = f"{self.last_name.upper()} {self.first_name}"
        return name if name.strip() else self.email  # as typed: an export shows the stored name

    @property
    def identity_is_certified(self):
        return self.identity_certified_at is not None

    def identity_status(self):
        """What staff read about the civil identity: certified, and at which level, or declared."""
        if self.identity_is_certified:
            return _("Identité certifiée par FranceConnect (%(level)s)") % {"level": self.get_identity_eidas_level_display()}
        return _("Identité déclarée")

    FRANCE_INSEE_CODE = "99100"

    def birth_country_label(self):
        """FranceConnect gives the country as its INSEE code: France is named, another country shows its code."""
        if not self.birth_country_code:
            return ""
        if self.birth_country_code == self.FRANCE_INSEE_CODE:
            return _("France")
        return _("pays de code INSEE %(code)s") % {"code": self.birth_country_code}

    POSTAL_ADDRESS_FIELDS = ("address_line", "postal_code", "city", "country")

    def postal_address_missing(self):
        """The names of the parts of the postal address still empty (« Mon compte »): the
        registration confirmation shows the address, so none is made without it."""
        return [str(self._meta.get_field(name).verbose_name) for name in self.POSTAL_ADDRESS_FIELDS
                if not (getattr(self, name) or "").strip()]

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    @property
    def activation_deadline(self):
        """The account must be activated by then, or it is deleted (the notice: 48 hours)."""
        return self.date_joined + activation_delay()

    def can_be_activated(self, at=None):
        at = at or timezone.now()
        return not self.is_active and self.activated_at is None and at <= self.activation_deadline

    def activate(self, at=None):
        self.is_active = True
        self.activated_at = at or timezone.now()
        self.save(update_fields=["is_active", "activated_at"])

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name


class ProfileChange(models.Model):
    """One field of a candidate's situation changed: who, when, from what to what."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profile_changes", verbose_name=_("compte"))
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("modifié par")
    )
    field = models.CharField(_("champ"), max_length=50)
    old_value = models.TextField(_("ancienne valeur"), blank=True)
    new_value = models.TextField(_("nouvelle valeur"), blank=True)
    after_lock = models.BooleanField(_("après validation définitive"), default=False,
                                     help_text=_("Fait alors qu'une inscription du candidat était déjà validée."))
    staff_notified_at = models.DateTimeField(_("rectorat prévenu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("changement de situation")
        verbose_name_plural = _("changements de situation")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.field} : {self.old_value} → {self.new_value}"

    @property
    def field_label(self):
        return User._meta.get_field(self.field).verbose_name


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    SENDING = "sending", _("envoi en cours")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec de l'envoi")
    # A change of address to one that is another account's: recorded like any request, so the
    # requester's « Mes messages » looks the same, but never sent (the owner is told instead).
    WITHHELD = "withheld", _("non envoyé : adresse d'un autre compte")


class MessageQuerySet(models.QuerySet):
    def claim_for_delivery(self, pk):
        """Take a pending message for sending; None when another worker has it or it is sent.

        The conditional update makes two deliveries of the same message impossible.
        """
        claimed = self.filter(pk=pk, status=MessageStatus.PENDING).update(
            status=MessageStatus.SENDING, attempts=models.F("attempts") + 1
        )
        return self.get(pk=pk) if claimed else None


class LinkPurpose(models.TextChoices):
    """Emails whose link logs in or changes an account: the link is made when the email leaves
    and never stored, so no one but the addressee can use it (candidates/outbox.py)."""

    ACTIVATION = "activation", _("activation du compte")
    PASSWORD_RESET = "password_reset", _("nouveau mot de passe")
    EMAIL_CHANGE = "email_change", _("changement d'adresse électronique")


class Message(models.Model):
    """An email the portal sent, also shown in "Mes messages" when it is about an account.

    `event_key` names the event that caused it, unique, so one event never makes two emails.
    `recipient` is empty for an email to the examination office or to an address that has no
    account. When `link_purpose` is set, what is stored holds no link: the sentence that takes
    its place says it was sent by email and until when it is valid (`link_valid_until`), and
    the link itself is made from `link_data` (nothing secret) at delivery.
    """

    MAX_ATTEMPTS = 5

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="messages", verbose_name=_("destinataire"),
                                  null=True, blank=True)
    to_email = models.EmailField(_("adresse d'envoi"))
    event_key = models.CharField(_("événement"), max_length=200, unique=True)
    subject = models.CharField(_("objet"), max_length=200)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    status = models.CharField(_("état"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    link_purpose = models.CharField(_("lien personnel"), max_length=20, choices=LinkPurpose.choices, blank=True,
                                    help_text=_("Le lien n'est jamais conservé : il est fabriqué à l'envoi du courriel."))
    link_valid_until = models.DateTimeField(_("lien valable jusqu'au"), null=True, blank=True)
    link_data = models.JSONField(_("données du lien"), default=dict, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="message_inbox_idx"),
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None

    def mark_read(self, at=None):
        if self.read_at is None:
            self.read_at = at or timezone.now()
            Message.objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=self.read_at)
            forget_unread_count(self.recipient_id)

    def mark_unread(self):
        self.read_at = None
        Message.objects.filter(pk=self.pk).update(read_at=None)
        forget_unread_count(self.recipient_id)
