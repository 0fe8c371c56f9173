from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegistrationPhase(models.TextChoices):
    UPCOMING = "upcoming", _("Inscriptions à venir")
    OPEN = "open", _("Inscriptions ouvertes")
    CLOSED = "closed", _("Inscriptions closes")


class ExamSessionQuerySet(models.QuerySet):
    def open_at(self, at):
        return self.filter(registration_opens_at__lte=at, registration_closes_at__gte=at)

    def current(self, at=None):
        """The session to show a visitor: the open one, else the next to open, else the last."""
        at = at or timezone.now()
        return (
            self.open_at(at).order_by("registration_closes_at").first()
            or self.filter(registration_opens_at__gt=at).order_by("registration_opens_at").first()
            or self.order_by("-registration_closes_at").first()
        )


class ExamSession(models.Model):
    """One yearly BTS session of an académie, with its registration window.

    The window includes both ends: registrations open at `registration_opens_at` and are
    accepted up to and including `registration_closes_at` (the notice: "jusqu'à 17h").
    """

    name = models.CharField(_("nom"), max_length=100)
    year = models.PositiveSmallIntegerField(_("année de la session"))
    academy = models.CharField(_("académie"), max_length=100)
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"))
    registration_closes_at = models.DateTimeField(
        _("clôture des inscriptions"),
        help_text=_("Date limite des inscriptions et du dépôt de toutes les pièces."),
    )

    objects = ExamSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session d'examen")
        verbose_name_plural = _("sessions d'examen")
        ordering = ["-year", "academy"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_opens_at__lt=F("registration_closes_at")),
                name="exam_session_opens_before_it_closes",
                violation_error_message=_(
                    "L'ouverture des inscriptions doit précéder leur clôture."
                ),
            ),
            models.UniqueConstraint(
                fields=["year", "academy"],
                name="exam_session_one_per_year_and_academy",
                violation_error_message=_("Cette académie a déjà une session cette année-là."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and opens >= closes:
            raise ValidationError(
                {"registration_closes_at": _("La clôture doit être postérieure à l'ouverture.")}
            )

    def registration_phase(self, at=None):
        at = at or timezone.now()
        if at < self.registration_opens_at:
            return RegistrationPhase.UPCOMING
        if at > self.registration_closes_at:
            return RegistrationPhase.CLOSED
        return RegistrationPhase.OPEN

    def is_registration_open(self, at=None):
        """Whether candidates may register or change anything at `at` (default: now)."""
        return self.registration_phase(at) == RegistrationPhase.OPEN

    def time_left_to_register(self, at=None):
        """Time until the deadline while the window is open, else None."""
        at = at or timezone.now()
        if not self.is_registration_open(at):
            return None
        return self.registration_closes_at - at


class Specialty(models.Model):
    """A BTS specialty of the national list, e.g. "Bâtiment" or "Maintenance des systèmes"."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("intitulé"), max_length=200, unique=True)
    requires_r408 = models.BooleanField(
        _("attestation R408 exigée"),
        default=False,
        help_text=_("Réception et utilisation des échafaudages de pied."),
    )
    professional_dossier_in_portal = models.BooleanField(
        _("dossier professionnel déposé sur le portail"),
        default=False,
        help_text=_(
            "Les dossiers supports d'épreuves sont téléversés dans l'espace candidat "
            "(SAM, Banque, Maintenance des systèmes)."
        ),
    )
    is_open = models.BooleanField(
        _("ouverte aux inscriptions"),
        default=True,
        help_text=_("Décocher pour retirer la spécialité de la liste proposée aux candidats."),
    )

    class Meta:
        verbose_name = _("spécialité")
        verbose_name_plural = _("spécialités")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SpecialtyOption(models.Model):
    """An option of a specialty, e.g. option B "Systèmes énergétiques et fluidiques"."""

    specialty = models.ForeignKey(
        Specialty, on_delete=models.CASCADE, related_name="options", verbose_name=_("spécialité")
    )
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["specialty", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["specialty", "code"],
                name="specialty_option_code_unique",
                violation_error_message=_("Cette spécialité a déjà une option avec ce code."),
            ),
        ]

    def __str__(self):
        return f"{self.specialty.name} — option {self.code} : {self.name}"
