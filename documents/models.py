import uuid
from pathlib import Path

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from exams.models import ExamSession, Registration, Specialty, SpecialtyOption


class PieceKind(models.Model):
    """A kind of supporting piece, e.g. "pièce d'identité" or "attestation R408"."""

    # The codes the portal's code knows (documents/reference.py seeds them): the signed
    # confirmation, whose version is read from the uploaded PDF, and the professional dossier,
    # which has its own window.
    CONFIRMATION = "confirmation"
    PROFESSIONAL_DOSSIER = "professional-dossier"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("intitulé"), max_length=200)
    help_text = models.TextField(_("précisions pour le candidat"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=100)

    class Meta:
        verbose_name = _("type de pièce")
        verbose_name_plural = _("types de pièces")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Condition(models.TextChoices):
    """What, in the candidate's answers, makes a piece required (the notice's last column)."""

    ALWAYS = "always", _("toujours")
    ENGAGEMENT_ETUDIANT = "engagement_etudiant", _("a choisi l'épreuve facultative « engagement étudiant »")
    CLAIMS_DISPENSES = "claims_dispenses", _("demande des dispenses d'épreuves")
    KEEPS_GRADE_BENEFITS = "keeps_grade_benefits", _("conserve des bénéfices de notes")
    RENOUNCES_BENEFITS = "renounces_benefits", _("renonce à des bénéfices de notes")
    POSITIONING_DECISION = "has_positioning_decision", _("a fait l'objet d'une décision de positionnement")
    INTERNSHIP_DEROGATION = "has_internship_derogation", _("bénéficie d'une dérogation à la durée des stages")
    # Asked of everyone but a candidate whose identity FranceConnect certified, when the session
    # spares them (ExamSession.certified_identity_spares_identity_piece): the identity piece.
    IDENTITY_NOT_CERTIFIED = "identity_not_certified", _("identité non certifiée par FranceConnect")


class Requirement(models.Model):
    """One row of the notice's table of pieces, for one session; staff edit them in admin.

    It applies to the pathway columns ticked, to the specialties listed (none: every
    specialty) and, within them, to the options listed (none: every option), when the
    condition holds.
    """

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("session"))
    piece_kind = models.ForeignKey(PieceKind, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("pièce"))
    for_scolaire = models.BooleanField(_("scolaire et ex-scolaire"), default=True)
    for_apprentissage = models.BooleanField(_("apprentissage et ex-apprentis"), default=True)
    for_continue = models.BooleanField(_("formation continue et ex-formation continue"), default=True)
    for_experience = models.BooleanField(_("un an d'activité professionnelle"), default=True)
    condition = models.CharField(_("condition"), max_length=30, choices=Condition.choices, default=Condition.ALWAYS)
    specialties = models.ManyToManyField(Specialty, blank=True, verbose_name=_("spécialités concernées"),
                                         help_text=_("Aucune : toutes les spécialités."))
    options = models.ManyToManyField(SpecialtyOption, blank=True, verbose_name=_("options concernées"),
                                     help_text=_("Aucune : toutes les options des spécialités concernées."))

    history = HistoricalRecords(verbose_name=_("version de la ligne de la matrice"), m2m_fields=["specialties", "options"])

    class Meta:
        verbose_name = _("pièce exigée")
        verbose_name_plural = _("matrice des pièces exigées")
        ordering = ["session", "piece_kind__position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "piece_kind", "condition"], name="requirement_unique_per_session"),
        ]

    def __str__(self):
        return f"{self.piece_kind} ({self.get_condition_display()})"

    def applies_to_family(self, family):
        return getattr(self, f"for_{family}", False)


class GeneratedDocumentKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation d'inscription")
    ENGAGEMENT_FORM = "engagement", _("Formulaire engagement étudiant")


class GeneratedDocument(models.Model):
    """A PDF the portal made for a registration, one per kind and version, made once."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="generated_documents")
    kind = models.CharField(_("document"), max_length=15, choices=GeneratedDocumentKind.choices)
    version = models.PositiveIntegerField(_("version de l'inscription"))
    file = models.FileField(_("fichier"), upload_to="generated/%Y/%m/")
    created_at = models.DateTimeField(_("produit le"), default=timezone.now)
    verification_code = models.CharField(
        _("code de vérification"), max_length=11, blank=True, db_index=True,
        help_text=_("Celui qu'imprime la confirmation de cette version, lu par la page « /verifier/<code> »."))

    class Meta:
        verbose_name = _("document produit")
        verbose_name_plural = _("documents produits")
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind", "version"], name="generated_document_once_per_version"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class PieceStatus(models.TextChoices):
    RECEIVED = "received", _("Reçue, en attente de contrôle")
    ACCEPTED = "accepted", _("Acceptée")
    TO_REPLACE = "to_replace", _("À remplacer")


class PieceQuerySet(models.QuerySet):
    def awaiting_review(self):
        """The pieces staff have to decide on: received, with a file the antivirus let through,
        none still being scanned. The review queue, the dashboard and the admin filter read this."""
        has_file = models.Exists(PieceFile.objects.filter(piece=models.OuterRef("pk")).exclude(scan_status=ScanStatus.INFECTED))
        return self.filter(has_file, status=PieceStatus.RECEIVED).exclude(files__scan_status=ScanStatus.PENDING)


class Piece(models.Model):
    """A required piece of a registration, from the candidate's first file on. It stays when its
    files are removed: its state, staff's reason and its reopening do not depend on them.

    `updated_at` is when it last joined the review queue: the queue takes the oldest first.
    `claimed_by`/`claimed_until`: the staff member who has it open in the queue, so two staff
    members are given different pieces (documents/review.py).
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="pieces", verbose_name=_("inscription"))
    piece_kind = models.ForeignKey(PieceKind, on_delete=models.PROTECT, related_name="pieces", verbose_name=_("pièce"))
    status = models.CharField(_("état"), max_length=12, choices=PieceStatus.choices, default=PieceStatus.RECEIVED)
    review_reason = models.TextField(_("motif"), blank=True)
    replace_until = models.DateTimeField(_("à remplacer avant le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("contrôlée le"), null=True, blank=True)
    reviewed_by = models.ForeignKey("candidates.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("contrôlée par"))
    claimed_by = models.ForeignKey("candidates.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("ouverte par"))
    claimed_until = models.DateTimeField(_("ouverte jusqu'au"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historique de la pièce"), excluded_fields=["claimed_by", "claimed_until"])

    objects = PieceQuerySet.as_manager()

    class Meta:
        verbose_name = _("pièce déposée")
        verbose_name_plural = _("pièces déposées")
        constraints = [models.UniqueConstraint(fields=["registration", "piece_kind"], name="piece_once_per_registration")]
        indexes = [models.Index(fields=["status", "updated_at"], name="piece_queue_idx")]

    def __str__(self):
        return f"{self.piece_kind} — {self.registration}"

    def can_be_replaced(self, at):
        """Staff asked for a replacement and its date has not passed: open even after the lock."""
        return self.status == PieceStatus.TO_REPLACE and (self.replace_until is None or at <= self.replace_until)

    def files_since_request(self):
        """The files given since staff's request (all of them when there was none)."""
        return [f for f in self.files.all() if self.reviewed_at is None or f.uploaded_at > self.reviewed_at]


class ScanStatus(models.TextChoices):
    """Where a file stands with the antivirus (ClamAV through clamd)."""

    PENDING = "pending", _("En cours d'analyse")
    CLEAN = "clean", _("Sain")
    INFECTED = "infected", _("Infecté, supprimé")
    UNSCANNED = "unscanned", _("Non analysé (antivirus désactivé)")


class QrReading(models.TextChoices):
    """Where the reading of a signed confirmation's QR code stands (documents/signed_copies.py)."""

    PENDING = "pending", _("Lecture en cours")
    READ = "read", _("Lu")
    UNREADABLE = "unreadable", _("Illisible")


class SignedCopyVerdict(models.TextChoices):
    """What a signed confirmation is, judged against the registration's current version."""

    CURRENT = "current", _("à jour")
    OUTDATED = "outdated", _("ancienne")
    UNREADABLE = "unreadable", _("illisible")
    PENDING = "pending", _("lecture en cours")


def _random_name(instance, filename):
    return f"pieces/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class PieceFile(models.Model):
    """One file of a piece, stored under a random name; its original name is only shown."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="files", verbose_name=_("pièce"))
    file = models.FileField(_("fichier"), upload_to=_random_name, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256 du fichier conservé"), max_length=64)
    sent_sha256 = models.CharField(
        _("empreinte SHA-256 du fichier envoyé"), max_length=64,
        help_text=_("Celle du fichier tel que le candidat l'a envoyé. Elle diffère de celle du fichier conservé quand le "
                    "portail en a retiré des éléments actifs (scripts, fichiers joints), ou quand des photos ont été "
                    "assemblées : c'est alors l'empreinte de la suite de leurs empreintes, dans l'ordre d'envoi."))
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    confirmation_version = models.PositiveIntegerField(
        _("version de confirmation lue"), null=True, blank=True,
        help_text=_("Pour la confirmation signée : la version que prouve son code QR, quand il est lisible."))
    qr_reading = models.CharField(_("lecture du code QR"), max_length=10, choices=QrReading.choices, blank=True,
                                  help_text=_("Pour la confirmation signée seulement."))
    signature_ink = models.BooleanField(
        _("cadre de signature encré"), null=True, blank=True,
        help_text=_("Indice, jamais un refus : le cadre « Date et signature », situé d'après le code QR, contient de l'encre. "
                    "Vide : non évalué (code illisible, ou cadre hors de l'image)."))
    scan_status = models.CharField(_("antivirus"), max_length=10, choices=ScanStatus.choices, default=ScanStatus.PENDING)
    scanned_at = models.DateTimeField(_("analysé le"), null=True, blank=True)
    scan_signature = models.CharField(_("menace détectée"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fichier déposé")
        verbose_name_plural = _("fichiers déposés")
        ordering = ["uploaded_at", "pk"]
        # The files still to scan: the review queue leaves their pieces aside, the nightly task requeues them.
        indexes = [models.Index(fields=["piece"], condition=models.Q(scan_status="pending"), name="piecefile_pending_idx")]

    def __str__(self):
        return self.original_name

    @property
    def can_be_served(self):
        """Only a file the antivirus found clean (or that was stored while scanning was off) is
        ever sent, to its owner or to staff; a pending one waits, an infected one is gone."""
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.UNSCANNED)

    @property
    def is_infected(self):
        return self.scan_status == ScanStatus.INFECTED

    @property
    def is_a_copy(self):
        """The stored file is not the one sent: cleaned of active content, or photos combined."""
        return self.sent_sha256 != self.sha256

    def signed_copy_verdict(self, registration):
        """For a signed confirmation: current or older version of `registration` (its version may
        have changed since the upload), unreadable, or still being read; None for another piece."""
        if self.qr_reading == QrReading.READ:
            current = self.confirmation_version == registration.version
            return SignedCopyVerdict.CURRENT if current else SignedCopyVerdict.OUTDATED
        if self.qr_reading == QrReading.UNREADABLE:
            return SignedCopyVerdict.UNREADABLE
        if self.qr_reading == QrReading.PENDING:
            return SignedCopyVerdict.PENDING
        return None


class RejectionReason(models.Model):
    """A reason staff pick when a piece must be replaced; none: it fits every kind of piece."""

    label = models.CharField(_("motif"), max_length=200)
    piece_kinds = models.ManyToManyField(PieceKind, blank=True, related_name="rejection_reasons",
                                         verbose_name=_("pièces concernées"), help_text=_("Aucune : toutes les pièces."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)

    class Meta:
        verbose_name = _("motif de remplacement")
        verbose_name_plural = _("motifs de remplacement")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label
