from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.collation import FrenchOrder


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


class Departement(models.Model):
    """A département and the académie it belongs to (the official map; exams/reference/departements.py)."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    academy = models.CharField(_("académie"), max_length=100)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"


def departement_of(postal_code):
    """The département code of a French postal code: « 14000 » → « 14 », « 97400 » → « 974 »,
    Corsica's « 20000 » → « 2A », « 20200 » → « 2B »; None when it is not a French postal code."""
    code = (postal_code or "").replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    return code[:2]


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
    dossier_uploads_open_at = models.DateTimeField(
        _("ouverture du dépôt des dossiers professionnels"), null=True, blank=True,
        help_text=_("Spécialités dont le dossier est déposé sur le portail (SAM, Banque, Maintenance des systèmes)."))
    dossier_uploads_close_at = models.DateTimeField(_("clôture du dépôt des dossiers professionnels"), null=True, blank=True)
    first_group_results_published_at = models.DateTimeField(
        _("publication des résultats du premier groupe"), null=True, blank=True,
        help_text=_("À partir de ce moment, les candidats admis à l'épreuve de rattrapage le voient et choisissent "
                    "leurs deux épreuves ; rien d'autre de leurs notes n'est montré."))
    rattrapage_choice_deadline = models.DateTimeField(
        _("date limite du choix des épreuves de rattrapage"), null=True, blank=True)
    departements = models.CharField(
        _("départements de l'académie"), max_length=200, blank=True,
        help_text=_("Codes séparés par des virgules (14, 27, 50, 61, 76) : seuls les candidats qui y résident "
                    "s'inscrivent à cette session."))
    results_published_at = models.DateTimeField(
        _("publication des résultats"), null=True, blank=True,
        help_text=_("Après la délibération du jury : les candidats voient alors leurs notes, leurs moyennes et la "
                    "décision. Point de départ de la durée de conservation des pièces d'identité."))

    certified_identity_spares_identity_piece = models.BooleanField(
        _("pas de pièce d'identité pour une identité certifiée par FranceConnect"), default=True,
        help_text=_("Coché : la pièce d'identité n'est pas demandée au candidat dont FranceConnect a certifié l'identité "
                    "(les lignes de la matrice à la condition « identité non certifiée »). Décoché : elle est demandée à tous."))

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
        first, deadline, results = (self.first_group_results_published_at, self.rattrapage_choice_deadline,
                                    self.results_published_at)
        if first and deadline and deadline < first:
            raise ValidationError({"rattrapage_choice_deadline": _(
                "Le choix du rattrapage ne peut pas se clore avant la publication des résultats du premier groupe.")})
        if deadline and results and results < deadline:
            raise ValidationError({"results_published_at": _(
                "Les résultats ne peuvent pas être publiés avant la clôture du choix du rattrapage.")})
        known = set(Departement.objects.values_list("code", flat=True))
        unknown = [code for code in self.departement_codes() if code not in known]
        if unknown:
            raise ValidationError({"departements": _("Département inconnu : %(codes)s.") % {"codes": ", ".join(unknown)}})

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

    def departement_codes(self):
        return [code.strip().upper() for code in self.departements.split(",") if code.strip()]

    def results_are_published(self, at=None):
        """Whether candidates may see their marks, averages and the jury's decision at `at`: from
        `results_published_at` on, never before (nothing shows while it is empty)."""
        at = at or timezone.now()
        return self.results_published_at is not None and at >= self.results_published_at

    def rattrapage_choice_is_open(self, at=None):
        """Whether those admitted to the second group may choose their two épreuves at `at`: from the
        publication of the first group's results until the choice's deadline, both included."""
        at = at or timezone.now()
        opens, closes = self.first_group_results_published_at, self.rattrapage_choice_deadline
        return bool(opens and closes and opens <= at <= closes)

    def is_dossier_upload_open(self, at=None):
        """Whether professional dossiers may be uploaded: a window of its own, set later by staff."""
        at = at or timezone.now()
        opens, closes = self.dossier_uploads_open_at, self.dossier_uploads_close_at
        return bool(opens and closes and opens <= at <= closes)

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
    professional_dossier_in_portal = models.BooleanField(
        _("dossier professionnel déposé sur le portail"),
        default=False,
        help_text=_(
            "Les dossiers supports d'épreuves sont téléversés dans l'espace candidat "
            "(SAM, Banque, Maintenance des systèmes)."
        ),
    )
    dossier_pilot_academy = models.CharField(
        _("académie pilote du dossier professionnel"), max_length=100, blank=True,
        help_text=_("Pour une spécialité dont le dossier n'est pas déposé sur le portail : l'académie qui le reçoit."))
    dossier_instructions = models.TextField(
        _("consignes d'envoi du dossier professionnel"), blank=True,
        help_text=_("Ce que « Mes documents » dit au candidat : comment et quand envoyer son dossier à l'académie pilote."))
    dossier_instructions_url = models.URLField(
        _("page des consignes de l'académie pilote"), blank=True)
    is_open = models.BooleanField(
        _("ouverte aux inscriptions"),
        default=True,
        help_text=_("Décocher pour retirer la spécialité de la liste proposée aux candidats."),
    )

    class Meta:
        verbose_name = _("spécialité")
        verbose_name_plural = _("spécialités")
        ordering = [FrenchOrder("name").asc()]  # « Aéronautique » before « Assurance », whatever the locale

    def __str__(self):
        return self.name

    @property
    def dossier_sent_elsewhere(self):
        """A professional dossier not uploaded here, for which the pilot académie's instructions are given."""
        return not self.professional_dossier_in_portal and bool(self.dossier_instructions or self.dossier_instructions_url)

    # Which specialties have options, asked on every registration page: kept in Django's cache,
    # forgotten when an option is added or deleted (exams/signals.py).
    OPTIONS_CACHE_KEY = "exams:specialties-with-options"

    def has_options(self):
        from django.core.cache import cache

        with_options = cache.get_or_set(
            self.OPTIONS_CACHE_KEY, lambda: set(SpecialtyOption.objects.values_list("specialty_id", flat=True)), 60 * 60)
        return self.pk in with_options

    # Which languages each specialty allows (SpecialtyLanguage), read on every step 3 page: kept in
    # Django's cache, forgotten when staff change the table (exams/receivers.py).
    LANGUAGES_CACHE_KEY = "exams:specialty-languages"

    @classmethod
    def languages_by_specialty(cls):
        """{specialty id: [language codes]}, in the order of the Language list."""
        from django.core.cache import cache

        def read():
            order = list(Language.values)
            languages = {}
            for specialty_id, language in SpecialtyLanguage.objects.values_list("specialty_id", "language"):
                languages.setdefault(specialty_id, []).append(language)
            return {pk: sorted(codes, key=order.index) for pk, codes in languages.items()}
        return cache.get_or_set(cls.LANGUAGES_CACHE_KEY, read, 60 * 60)

    def allowed_languages(self):
        """The languages this specialty's regulation allows for the mandatory épreuve (the table staff edit)."""
        return self.languages_by_specialty().get(self.pk, [])


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


class Category(models.TextChoices):
    """The three kinds of individual candidate the notice names (section B), worded so that an
    apprentice or a former apprentice can tell which is theirs (CATEGORY_HELP)."""

    EARLIER_SESSION = "earlier_session", _(
        "Déjà inscrit(e) à une session précédente de ce BTS : refusé(e), éliminé(e), sans décision finale ou non présenté(e)"
    )
    EMPLOYEE = "employee", _("Salarié(e) justifiant d'au moins un an d'expérience professionnelle")
    DISTANCE_LEARNING = "distance_learning", _("Élève de l'enseignement à distance (CNED ou autre organisme)")


CATEGORY_HELP = _(
    "Apprenti(e) ou ancien(ne) apprenti(e) qui a déjà été inscrit(e) à ce BTS : la première catégorie. "
    "Ancien(ne) apprenti(e) salarié(e) depuis au moins un an : la deuxième. "
    "Votre voie de préparation (apprentissage en cours ou terminé) se précise à l'étape suivante."
)


class Pathway(models.TextChoices):
    SCOLAIRE = "scolaire", _("Voie scolaire")
    EX_SCOLAIRE = "ex_scolaire", _("Ex-voie scolaire")
    APPRENTISSAGE = "apprentissage", _("Apprentissage")
    EX_APPRENTISSAGE = "ex_apprentissage", _("Ex-apprenti(e)")
    FORMATION_CONTINUE = "formation_continue", _("Formation professionnelle continue")
    EX_FORMATION_CONTINUE = "ex_formation_continue", _("Ex-formation professionnelle continue")
    EXPERIENCE = "experience", _("Un an d'activité professionnelle dans un domaine en rapport avec la spécialité")

    @property
    def family(self):
        """The column of the notice's table of pieces: scolaire, apprentissage, continue, experience."""
        return {
            "scolaire": "scolaire", "ex_scolaire": "scolaire",
            "apprentissage": "apprentissage", "ex_apprentissage": "apprentissage",
            "formation_continue": "continue", "ex_formation_continue": "continue",
            "experience": "experience",
        }[self.value]


class Diploma(models.TextChoices):
    BAC_PRO = "bac_pro", _("Baccalauréat professionnel")
    BAC_TECHNO = "bac_techno", _("Baccalauréat technologique")
    BAC_GENERAL = "bac_general", _("Baccalauréat général")
    DAEU = "daeu", _("Diplôme d'accès aux études universitaires (DAEU)")
    LEVEL_4 = "level_4", _("Autre titre ou diplôme classé ou homologué au moins au niveau 4")
    NONE = "none", _("Aucun de ces diplômes")


class Language(models.TextChoices):
    ENGLISH = "anglais", _("Anglais")
    GERMAN = "allemand", _("Allemand")
    SPANISH = "espagnol", _("Espagnol")
    ITALIAN = "italien", _("Italien")
    PORTUGUESE = "portugais", _("Portugais")
    ARABIC = "arabe", _("Arabe")
    CHINESE = "chinois", _("Chinois")
    RUSSIAN = "russe", _("Russe")
    DUTCH = "neerlandais", _("Néerlandais")


class SpecialtyLanguage(models.Model):
    """A language a specialty's regulation allows for its mandatory language épreuve (the notice, F);
    staff edit the table in admin, on each specialty."""

    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="languages", verbose_name=_("spécialité"))
    language = models.CharField(_("langue"), max_length=15, choices=Language.choices)

    class Meta:
        verbose_name = _("langue proposée")
        verbose_name_plural = _("langues proposées")
        ordering = ["specialty", "language"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "language"], name="specialty_language_once",
                                    violation_error_message=_("Cette langue est déjà proposée pour cette spécialité.")),
        ]

    def __str__(self):
        return self.get_language_display()  # shown under its specialty (admin's inline, history)


class JobLevel(models.TextChoices):
    """The level of the job held during the year of activity (the notice, B: « un emploi de niveau
    au moins égal à celui de technicien »)."""

    WORKER = "worker", _("Ouvrier(ère) ou employé(e)")
    TECHNICIAN = "technician", _("Technicien(ne)")
    SUPERVISOR = "supervisor", _("Agent de maîtrise")
    EXECUTIVE = "executive", _("Cadre ou ingénieur(e)")


class Accommodation(models.TextChoices):
    RENEWAL = "renewal", _("Reconduction à l'identique d'un aménagement obtenu à la session précédente")
    NEW_REQUEST = "new_request", _("Nouvelle demande d'aménagement")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("En cours (modifiable)")
    LOCKED = "locked", _("Validée définitivement")
    CANCELLED = "cancelled", _("Candidature annulée")


class RegistrationQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status__in=Registration.EDITABLE)

    def locked(self):
        return self.filter(status=RegistrationStatus.LOCKED)


class RegistrationManager(models.Manager.from_queryset(RegistrationQuerySet)):
    # What the dashboard shows around the answers (templates/documents/overview.html).
    DASHBOARD_SESSION_FIELDS = ["id", "name", "registration_opens_at", "registration_closes_at",
                                "certified_identity_spares_identity_piece"]
    DASHBOARD_FIELDS = ["id", "candidate_id", "session_id", "number", "status", "version"]

    def for_dashboard(self, pk, candidate):
        """The candidate's registration `pk`, or None, with only what the dashboard shows around
        the answers: number, status, version, and its session's name and window.

        The dashboard is the page asked most on the deadline evening. Built by the ORM, this
        query takes about 1,700 Python calls to build and compile (a millisecond on a slow core),
        four times what running the same SQL takes. Every other field is deferred: read from the
        database when used. The session's own columns come through its model, so each database
        converts them as usual; the registration's are a number, two strings and an integer.
        """
        sessions = list(ExamSession.objects.raw(
            "SELECT " + ", ".join(f"s.{name}" for name in self.DASHBOARD_SESSION_FIELDS) + ", "
            + ", ".join(f"r.{name} AS registration_{name}" for name in self.DASHBOARD_FIELDS)
            + f" FROM {ExamSession._meta.db_table} s JOIN {self.model._meta.db_table} r ON r.session_id = s.id"
            " WHERE r.id = %s AND r.candidate_id = %s", [pk, candidate.pk]))
        if not sessions:
            return None
        session = sessions[0]
        registration = self.model.from_db(
            self.db, self.DASHBOARD_FIELDS, [getattr(session, f"registration_{name}") for name in self.DASHBOARD_FIELDS])
        registration.session = session
        registration.candidate = candidate  # the logged-in account: whether its identity is certified decides a piece
        return registration

    def for_menu(self, candidate):
        """The candidate's latest registration as every page's menu reads it (portal/context_processors.py),
        or None: its pk, session and status, whether any convocation of theirs is published, whether
        it has marks, and its session's publication dates. Hand-written like `for_dashboard`: built
        by the ORM, its two EXISTS took longer to compile than PostgreSQL took to answer."""
        convocation, mark = Convocation._meta.db_table, Mark._meta.db_table
        sessions = list(ExamSession.objects.raw(
            "SELECT s.id, s.results_published_at, s.first_group_results_published_at, s.rattrapage_choice_deadline,"
            " r.id AS registration_pk, r.status AS registration_status,"
            f" EXISTS(SELECT 1 FROM {convocation} c JOIN {self.model._meta.db_table} cr ON cr.id = c.registration_id"
            "        WHERE cr.candidate_id = r.candidate_id) AS has_convocation,"
            f" EXISTS(SELECT 1 FROM {mark} m WHERE m.registration_id = r.id) AS has_results"
            f" FROM {self.model._meta.db_table} r JOIN {ExamSession._meta.db_table} s ON s.id = r.session_id"
            " WHERE r.candidate_id = %s ORDER BY s.registration_closes_at DESC, r.created_at DESC LIMIT 1", [candidate.pk]))
        return sessions[0] if sessions else None


class Registration(models.Model):
    """A candidate's registration for one session and one specialty ("M'inscrire").

    `version` grows with every saved change; the confirmation PDF and its verification code are
    bound to it, so staff can tell whether a signed copy is the current one.
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("candidat")
    )
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("session"))
    number = models.CharField(_("numéro d'inscription"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    completed_at = models.DateTimeField(_("complète depuis le"), null=True, blank=True,
                                        help_text=_("Première fois que toutes les réponses ont été enregistrées."))
    locked_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    # Step 1: situation.
    category = models.CharField(_("catégorie de candidat"), max_length=20, choices=Category.choices, blank=True)
    distance_learning_organisation = models.CharField(_("organisme d'enseignement à distance"), max_length=200, blank=True)
    employment_months = models.PositiveIntegerField(_("durée d'expérience professionnelle salariée (mois)"), null=True, blank=True)
    # Step 2: preparation.
    pathway = models.CharField(_("voie de préparation"), max_length=25, choices=Pathway.choices, blank=True)
    diploma = models.CharField(_("diplôme détenu"), max_length=15, choices=Diploma.choices, blank=True)
    apprenticeship_contract_years = models.PositiveSmallIntegerField(
        _("durée du contrat d'apprentissage (années)"), null=True, blank=True, choices=[(1, _("1 an")), (2, _("2 ans"))]
    )
    training_hours = models.PositiveIntegerField(_("heures de formation en CFA"), null=True, blank=True)
    two_years_of_training = models.BooleanField(_("deux années de formation par la voie scolaire"), null=True, blank=True)
    experience_months = models.PositiveIntegerField(_("durée d'activité professionnelle (mois)"), null=True, blank=True)
    experience_job = models.CharField(_("emploi occupé"), max_length=200, blank=True)
    experience_level = models.CharField(_("niveau de l'emploi"), max_length=12, choices=JobLevel.choices, blank=True)
    experience_field = models.CharField(_("domaine d'activité"), max_length=200, blank=True)
    experience_field_related = models.BooleanField(_("domaine en rapport avec la spécialité"), null=True, blank=True)
    # Step 3: specialty and épreuves.
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("spécialité"))
    option = models.ForeignKey(SpecialtyOption, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("option"))
    language = models.CharField(_("langue vivante obligatoire"), max_length=15, choices=Language.choices, blank=True)
    distance_language_confirmed = models.BooleanField(
        _("langue enseignée par l'organisme d'enseignement à distance"), default=False)
    engagement_etudiant = models.BooleanField(_("épreuve facultative « engagement étudiant »"), default=False)
    # Step 4: dispenses and benefits. Empty until the candidate answers: no answer is given for them
    # (renounces_benefits is asked only of those who keep benefits, and stays empty for the others).
    claims_dispenses = models.BooleanField(_("demande de dispenses d'épreuves"), null=True, blank=True)
    keeps_grade_benefits = models.BooleanField(_("conserve des bénéfices de notes"), null=True, blank=True)
    renounces_benefits = models.BooleanField(_("renonce à des bénéfices de notes"), null=True, blank=True)
    has_positioning_decision = models.BooleanField(_("décision de positionnement"), null=True, blank=True)
    has_internship_derogation = models.BooleanField(_("dérogation à la durée des stages"), null=True, blank=True)
    # Step 5: accommodations.
    handicap = models.BooleanField(_("handicap"), null=True, blank=True)
    accommodation = models.CharField(_("aménagement d'épreuves"), max_length=15, choices=Accommodation.choices, blank=True)

    # The DEC may attest that a candidate resides in the académie when the map of départements cannot
    # tell or tells otherwise (a commune on the border, an address abroad): for that postal code only.
    residence_attested_postal_code = models.CharField(
        _("résidence attestée par la DEC pour le code postal"), max_length=10, blank=True,
        help_text=_("Vaut pour ce code postal seulement : une nouvelle adresse est vérifiée à nouveau."))
    residence_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("résidence attestée par"))
    residence_attested_at = models.DateTimeField(_("résidence attestée le"), null=True, blank=True)

    pieces_missing = models.PositiveSmallIntegerField(
        _("pièces manquantes"), null=True, blank=True, db_index=True,
        help_text=_("Recalculé à chaque réponse ou dépôt, pour filtrer les dossiers complets."))

    history = HistoricalRecords(verbose_name=_("version de l'inscription"), excluded_fields=["pieces_missing"])

    objects = RegistrationManager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "session"],
                name="registration_one_per_candidate_and_session",
                violation_error_message=_("Vous avez déjà une inscription pour cette session."),
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="registration_status_idx"),
            models.Index(fields=["-created_at"], name="registration_created_idx"),
        ]

    # The status groups. A draft is the only state a candidate may change; a draft ends once,
    # locked (complete, by its candidate or at the deadline) or cancelled (incomplete at the
    # deadline), and neither comes back.
    EDITABLE = (RegistrationStatus.DRAFT,)
    ENDED = (RegistrationStatus.LOCKED, RegistrationStatus.CANCELLED)
    # The tone of each status's badge (templates/portal/_status_badge.html); its words say it too.
    STATUS_TONES = {RegistrationStatus.DRAFT: "info", RegistrationStatus.LOCKED: "success", RegistrationStatus.CANCELLED: "error"}

    def __str__(self):
        return self.number or f"inscription {self.pk}"

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_locked(self):
        return self.status == RegistrationStatus.LOCKED

    @property
    def is_cancelled(self):
        return self.status == RegistrationStatus.CANCELLED

    @property
    def status_tone(self):
        return self.STATUS_TONES[self.status]

    def is_writable(self, at=None):
        """Whether its candidate may change it at `at`: a draft, while the session's window is open."""
        return self.is_editable and self.session.is_registration_open(at)

    def lock(self, at):
        """Lock the draft for good (« J'ai fourni toutes mes pièces », or the deadline's job).
        Returns whether this call locked it: of two at once, one does."""
        return self._end_draft(RegistrationStatus.LOCKED, locked_at=at)

    def cancel(self, at):
        """Cancel the draft, incomplete at the deadline. Returns whether this call cancelled it."""
        return self._end_draft(RegistrationStatus.CANCELLED, cancelled_at=at)

    def _end_draft(self, status, **moment):
        """The one guarded transition out of a draft: a conditional update, so it happens once."""
        ended = bool(type(self).objects.filter(pk=self.pk, status__in=self.EDITABLE).update(status=status, **moment))
        if ended:
            self.status = status
            for field, value in moment.items():
                setattr(self, field, value)
        return ended

    @property
    def identity_not_certified(self):
        """The condition of the identity piece (documents' matrix): it is asked unless FranceConnect
        certified the candidate's identity and the session spares such candidates the piece."""
        certified_at = self.candidate.identity_certified_at if self.candidate_id is not None else None
        if certified_at is None:
            certified = False
        elif self.status == RegistrationStatus.DRAFT:
            certified = True
        else:  # locked or cancelled: what was asked until then stays asked
            ended_at = self.locked_at or self.cancelled_at
            certified = ended_at is None or certified_at <= ended_at
        return not (self.session.certified_identity_spares_identity_piece and certified)

    @property
    def identity_piece_spared(self):
        return not self.identity_not_certified

    @property
    def pathway_family(self):
        return Pathway(self.pathway).family if self.pathway else None

    def activity_described(self):
        """The year of activity as the candidate declared it, in one line for the pages, the
        confirmation and the reviewer: « 14 mois — technicien de maintenance (technicien(ne)),
        maintenance industrielle, en rapport avec la spécialité ». Empty for another pathway."""
        if self.pathway != Pathway.EXPERIENCE or self.experience_months is None:
            return ""
        what = []
        if self.experience_job:
            level = f" ({self.get_experience_level_display().lower()})" if self.experience_level else ""
            what.append(f"{self.experience_job}{level}")
        if self.experience_field:
            what.append(self.experience_field)
        if self.experience_field_related is not None:
            what.append(_("en rapport avec la spécialité") if self.experience_field_related else _("sans rapport avec la spécialité"))
        months = f"{self.experience_months} mois"
        return f"{months} — {', '.join(str(part) for part in what)}" if what else months

    def residence_is_attested(self):
        """Whether the DEC attested the candidate's residence in the académie for their current postal code."""
        code = self.residence_attested_postal_code
        return bool(code) and code.replace(" ", "") == (self.candidate.postal_code or "").replace(" ", "")


class Domain(models.TextChoices):
    GENERAL = "general", _("Domaine général")
    PROFESSIONAL = "professional", _("Domaine professionnel")


class EpreuveForm(models.TextChoices):
    WRITTEN = "written", _("Écrit")
    ORAL = "oral", _("Oral")
    PRACTICAL = "practical", _("Pratique")


class Epreuve(models.Model):
    """An épreuve of a specialty, with its coefficient."""

    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="epreuves", verbose_name=_("spécialité"))
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("intitulé"), max_length=200)
    domain = models.CharField(_("domaine"), max_length=15, choices=Domain.choices)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=1)
    form = models.CharField(_("forme"), max_length=10, choices=EpreuveForm.choices)
    is_language = models.BooleanField(_("épreuve de langue"), default=False)

    class Meta:
        verbose_name = _("épreuve")
        verbose_name_plural = _("épreuves")
        ordering = ["specialty", "code"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "code"], name="epreuve_code_unique_per_specialty"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="epreuve_coefficient_positive"),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def is_professional(self):
        return self.domain == Domain.PROFESSIONAL

    @property
    def rattrapage_minutes(self):
        """Preparation and oral, each, for the second group: 10 minutes for languages, else 20."""
        return 10 if self.is_language else 20


class ExamSlot(models.Model):
    """When and where an épreuve takes place for a session; a language may be in another académie."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="slots", verbose_name=_("session"))
    epreuve = models.ForeignKey(Epreuve, on_delete=models.CASCADE, related_name="slots", verbose_name=_("épreuve"))
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"))
    place = models.CharField(_("lieu"), max_length=300)
    academy = models.CharField(_("académie"), max_length=100)
    language = models.CharField(
        _("langue"), max_length=15, choices=Language.choices, blank=True,
        help_text=_("Épreuve de langue seulement : le créneau des candidats de cette langue. Vide : celui de toutes "
                    "les langues qui n'ont pas de créneau propre."))

    history = HistoricalRecords(verbose_name=_("version du créneau"))

    class Meta:
        verbose_name = _("épreuve programmée")
        verbose_name_plural = _("calendrier des épreuves")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(
            fields=["session", "epreuve", "language"], name="slot_once_per_session_and_language",
            violation_error_message=_("Cette épreuve a déjà un créneau pour cette langue dans cette session."))]

    def __str__(self):
        language = f" ({self.get_language_display().lower()})" if self.language else ""
        return f"{self.epreuve}{language} — {self.starts_at:%d/%m/%Y %H:%M}"

    def clean(self):
        super().clean()
        if self.language and self.epreuve_id and not self.epreuve.is_language:
            raise ValidationError({"language": _("Seule une épreuve de langue a un créneau par langue : laissez ce champ vide.")})


class Convocation(models.Model):
    """A candidate's convocation to the épreuves of their specialty, published by staff."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="convocation")
    published_at = models.DateTimeField(_("publiée le"))
    opened_at = models.DateTimeField(_("consultée le"), null=True, blank=True)
    file = models.FileField(_("PDF"), upload_to="convocations/%Y/", blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Une nouvelle version est produite quand un créneau de ses épreuves change."))

    history = HistoricalRecords(verbose_name=_("version de la convocation"))

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")

    def __str__(self):
        return f"Convocation {self.registration}"


class ConvocationVersion(models.Model):
    """An earlier PDF of a convocation, kept when a time slot of its épreuves changed after publication."""

    convocation = models.ForeignKey(Convocation, on_delete=models.CASCADE, related_name="earlier_versions")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("PDF"), upload_to="convocations/%Y/", blank=True)
    replaced_at = models.DateTimeField(_("remplacée le"))

    class Meta:
        verbose_name = _("version antérieure de convocation")
        verbose_name_plural = _("versions antérieures de convocations")
        ordering = ["convocation", "-version"]
        constraints = [models.UniqueConstraint(fields=["convocation", "version"], name="convocation_version_once")]

    def __str__(self):
        return f"{self.convocation} — version {self.version}"


class Mark(models.Model):
    """A mark out of 20 (two decimals), or an absence, for one épreuve of a registration."""

    FIRST, RATTRAPAGE = "first", "rattrapage"
    GROUPS = [(FIRST, _("1er groupe")), (RATTRAPAGE, _("rattrapage"))]

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="marks")
    epreuve = models.ForeignKey(Epreuve, on_delete=models.PROTECT, related_name="marks")
    group = models.CharField(_("groupe"), max_length=10, choices=GROUPS, default=FIRST)
    value = models.DecimalField(_("note sur 20"), max_digits=4, decimal_places=2, null=True, blank=True)
    absent = models.BooleanField(_("absent"), default=False)
    dispensed = models.BooleanField(
        _("dispensé(e)"), default=False,
        help_text=_("Dispense demandée par le candidat et accordée : l'épreuve ne compte ni pour ni contre les moyennes."))
    carried_over = models.BooleanField(
        _("bénéfice ou report de note"), default=False,
        help_text=_("Note d'une session antérieure que le candidat conserve : elle remplace celle du premier groupe "
                    "de cette épreuve tant qu'il conserve ses bénéfices de notes."))

    history = HistoricalRecords(verbose_name=_("version de la note"))

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["registration", "epreuve", "group", "carried_over"], name="mark_once_per_group"),
            models.CheckConstraint(
                condition=Q(absent=True, dispensed=False, value__isnull=True)
                | Q(dispensed=True, absent=False, value__isnull=True)
                | Q(absent=False, dispensed=False, value__gte=0, value__lte=20),
                name="mark_is_a_value_out_of_20_an_absence_or_a_dispense"),
        ]

    def __str__(self):
        return "ABS" if self.absent else "DISP" if self.dispensed else f"{self.value}"


class MarksImport(models.Model):
    """A marks file staff imported: who, when, which file (its name and SHA-256), for which session
    and group, and how many lines it saved. Written with the marks, in the same transaction."""

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="+", verbose_name=_("session"))
    group = models.CharField(_("groupe"), max_length=10, choices=Mark.GROUPS)
    file_name = models.CharField(_("fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64)
    lines = models.PositiveIntegerField(_("notes enregistrées"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("importé par"))
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("import de notes")
        verbose_name_plural = _("imports de notes")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y})"


class RattrapageChoice(models.Model):
    """The two general-domain oral épreuves a candidate chose for the second group."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="rattrapage_choice")
    epreuves = models.ManyToManyField(Epreuve, verbose_name=_("épreuves choisies"))
    chosen_at = models.DateTimeField(_("choisies le"), default=timezone.now)

    class Meta:
        verbose_name = _("choix de rattrapage")
        verbose_name_plural = _("choix de rattrapage")


class Verdict(models.TextChoices):
    ADMIS = "admis", _("admis(e)")
    REFUSE = "refuse", _("refusé(e)")


class JuryDecision(models.Model):
    """The jury's decision on a registration: the computed one by default, confirmed by the jury
    (or changed, the jury being sovereign), with who and when. The candidate sees it once the
    session's results are published; the history keeps every change."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="jury_decision",
                                        verbose_name=_("inscription"))
    verdict = models.CharField(_("décision du jury"), max_length=10, choices=Verdict.choices)
    computed = models.CharField(_("décision calculée"), max_length=10, choices=Verdict.choices,
                                help_text=_("Ce que donnaient les notes quand le jury a confirmé."))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("confirmée par"))
    confirmed_at = models.DateTimeField(_("confirmée le"))
    marks_digest = models.CharField(
        _("empreinte des notes délibérées"), max_length=64, blank=True, editable=False,
        help_text=_("Les notes sur lesquelles le jury a délibéré : si une note change ensuite, la décision est à "
                    "confirmer à nouveau et le candidat ne la voit plus d'ici là."))
    history = HistoricalRecords(verbose_name=_("version de la décision du jury"))

    class Meta:
        verbose_name = _("décision du jury")
        verbose_name_plural = _("décisions du jury")

    def __str__(self):
        return f"{self.registration} : {self.get_verdict_display()}"

    @property
    def departs_from_the_marks(self):
        """The jury decided otherwise than the marks alone (points de jury, for example)."""
        return self.verdict != self.computed

