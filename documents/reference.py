"""The notice's table of pieces (session 2024), as rows the data migration loads.

Kept beside the migration that reads it; application code reads the database.
"""

PIECE_KINDS = [
    ("confirmation", "Confirmation d'inscription datée et signée",
     "Imprimez la confirmation de « Mes documents », vérifiez-la, datez-la et signez-la, puis téléversez-la."),
    ("identity", "Pièce d'identité", "Copie lisible, recto et verso, d'une pièce d'identité en cours de validité."),
    ("apprenticeship-contract", "Contrat d'apprentissage (CERFA)",
     "Le CERFA indiquant au moins 1350 heures de formation dans le centre de formation qui vous présente "
     "(675 heures si la durée du contrat a été réduite à un an)."),
    ("work-contract", "Contrat de professionnalisation ou contrat de travail", ""),
    ("experience-proof", "Certificats de travail ou contrat de travail (un an d'activité professionnelle)",
     "Les certificats de travail de vos employeurs, ou votre contrat de travail, qui montrent au moins 12 mois "
     "d'activité effective, l'emploi occupé (de niveau technicien au moins) et son domaine."),
    ("engagement-form", "Formulaire engagement étudiant",
     "Le formulaire est produit dans « Mes documents » : complétez-le, puis téléversez-le."),
    ("dispense-proof", "Diplôme ou relevé de notes ouvrant droit à dispenses",
     "La copie du diplôme ou du relevé de notes, ou l'attestation rectorale de dispense."),
    ("last-transcript", "Relevé de notes de la dernière session",
     "Le relevé de notes de la dernière session passée, qui justifie vos bénéfices de notes."),
    ("renounce-request", "Demande manuscrite de renoncement aux bénéfices",
     "Une demande écrite à la main, datée et signée, qui précise les épreuves concernées."),
    ("r408", "Attestation de formation R408 (échafaudages de pied)",
     "Attestation de formation à la réception et à l'utilisation des échafaudages de pied."),
    ("electrical-risk", "Attestation de formation à la prévention des risques d'origine électrique", ""),
    ("first-aid", "Attestation de formation à la protection et au secours aux personnes en cas d'urgence", ""),
    ("refrigerants", "Attestation de formation à la manipulation des fluides frigorigènes", ""),
    ("work-at-height", "Attestation de formation aux travaux en hauteur", ""),
    ("positioning-decision", "Décision de positionnement", "Copie de la décision de positionnement."),
    ("internship-derogation", "Décision de dérogation à la durée des stages", "Copie de la décision."),
    ("professional-dossier", "Dossier professionnel",
     "Le dossier support des épreuves orales professionnelles, à déposer aux dates fixées par le rectorat, "
     "après la validation de l'inscription."),
]

ALL = ("scolaire", "apprentissage", "continue", "experience")

# (piece, families, condition, specialty codes, {specialty code: option codes})
REQUIREMENTS_2024 = [
    ("confirmation", ALL, "always", [], {}),
    # The notice asks it of all; not of a candidate whose identity FranceConnect certified (issue 18).
    ("identity", ALL, "identity_not_certified", [], {}),
    ("apprenticeship-contract", ("apprentissage",), "always", [], {}),
    ("work-contract", ("continue",), "always", [], {}),
    # The notice, B: a candidate eligible by one year of professional activity proves that year.
    ("experience-proof", ("experience",), "always", [], {}),
    ("engagement-form", ALL, "engagement_etudiant", [], {}),
    ("dispense-proof", ALL, "claims_dispenses", [], {}),
    ("last-transcript", ALL, "keeps_grade_benefits", [], {}),
    ("renounce-request", ALL, "renounces_benefits", [], {}),
    ("r408", ALL, "always", ["AMCR", "BAT", "EBCR", "MEC", "FED", "SCBH", "TP"], {}),
    ("electrical-risk", ALL, "always", ["MS"], {}),
    ("first-aid", ALL, "always", ["MS"], {}),
    ("refrigerants", ALL, "always", ["MS"], {"MS": ["B"]}),
    ("work-at-height", ALL, "always", ["MS"], {"MS": ["C", "D"]}),
    ("positioning-decision", ALL, "has_positioning_decision", [], {}),
    ("internship-derogation", ALL, "has_internship_derogation", [], {}),
]
