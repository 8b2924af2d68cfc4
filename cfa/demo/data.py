"""Facts the demo is built from (see shared/design/DOMAIN-FACTS.md)."""

from datetime import date

DEMO_PASSWORD = "cadence-demo"

ORGANISATION = dict(
    name="CFA Médiation sociale Ouest",
    legal_representative="Hélène Le Goff",
    legal_representative_title="Directrice",
    nda="53350812335",
    uai="0352976V",
    address="12 rue de la Médiation",
    postcode="35000",
    city="Rennes",
    email="contact@cfa-mediation.test",
    phone="02 99 00 00 00",
    website="https://cfa-mediation.test",
)

CENTRES = [
    dict(
        code="RENNES",
        name="Rennes",
        address="12 rue de la Médiation",
        postcode="35000",
        city="Rennes",
        uai="0352976V",
        phone="02 99 00 00 00",
        rooms=[("Salle Bréhat", 18), ("Salle Cézembre", 16), ("Salle numérique", 12)],
    ),
    dict(
        code="NANTES",
        name="Nantes / Saint-Herblain",
        address="3 allée des Tisserands",
        postcode="44800",
        city="Saint-Herblain",
        uai="0442981B",
        phone="02 40 00 00 00",
        rooms=[("Salle Loire", 18), ("Salle Erdre", 16), ("Salle Sèvre", 12)],
    ),
]

# The centres close for the two weeks of Christmas and New Year and the first three weeks of August, every year
# (see cfa/demo/calendar.py for the days).
CLOSED_WEEKS_IN_AUGUST = 3

# (code, title, description); wording of the RNCP records, kept editable by the admin.
MSADS_BLOCKS = [
    (
        "CCP1",
        "Contribuer à une veille sociale sur un territoire et travailler en réseau avec les partenaires",
        "Repérer les besoins et les ressources du territoire, alerter, s'inscrire dans un réseau de partenaires.",
    ),
    (
        "CCP2",
        "Mettre en œuvre une médiation sociale entre personnes et entre personnes et institutions",
        "Accueillir, informer, accompagner l'accès aux droits et aux services en ligne, prévenir et gérer les conflits.",
    ),
    (
        "CCP3",
        "Organiser des activités support à la médiation sociale",
        "Concevoir et animer des actions collectives, rendre compte de son activité.",
    ),
]
AMIS_BLOCKS = [
    (
        "CCP1",
        "Maintenir le lien social et prévenir les conflits et dysfonctionnements par une présence active",
        "Assurer une présence active de proximité, signaler les dysfonctionnements techniques de l'espace public.",
    ),
    (
        "CCP2",
        "Réguler les tensions et les conflits par la médiation",
        "Intervenir en médiation, y compris en médiation différée, orienter vers les services compétents.",
    ),
    (
        "CCP3",
        "Participer à des actions ponctuelles et à des projets partenariaux",
        "Contribuer à des manifestations, projets de quartier et actions de prévention avec les partenaires.",
    ),
]

# (code, title, block code or None for cross-cutting modules, hours); budgets add up to the programme's hours.
MSADS_MODULES = [
    ("SOCLE", "Socle : cadre et posture de la médiation sociale", None, 42),
    ("VEILLE", "Diagnostic de territoire et veille sociale", "CCP1", 49),
    ("RESEAU", "Travail en réseau et partenariats", "CCP1", 42),
    ("COMM", "Communication et techniques d'entretien", "CCP2", 49),
    ("CONFLIT", "Prévention et gestion des conflits, médiation entre personnes", "CCP2", 56),
    ("DROITS", "Accès aux droits et aux services, inclusion numérique", "CCP2", 63),
    ("PROJET", "Conduite de projet et actions collectives", "CCP3", 42),
    ("ECRITS", "Écrits professionnels, bureautique et compte rendu d'activité", "CCP3", 35),
    ("PUBLICS", "Publics vulnérables, addictions et santé mentale", None, 28),
    ("TITRE", "Dossier professionnel et préparation au titre", None, 35),
]
AMIS_MODULES = [
    ("SOCLE", "Socle : cadre et posture de la médiation sociale", None, 42),
    ("PRESENCE", "Présence active de proximité et veille technique", "CCP1", 56),
    ("LIEN", "Lien social, publics et territoires", "CCP1", 49),
    ("ECOUTE", "Communication, écoute et accueil", "CCP2", 49),
    ("CONFLIT", "Gestion des conflits et médiation différée", "CCP2", 63),
    ("PROJETS", "Actions ponctuelles et projets partenariaux", "CCP3", 42),
    ("SST", "Sauveteur secouriste du travail (SST)", "CCP3", 14),
    ("NUMERIQUE", "Écrits professionnels et outils numériques", None, 35),
    ("SECURITE", "Santé, sécurité, gestes et postures", None, 21),
    ("TITRE", "Dossier professionnel et préparation au titre", None, 35),
]

PROGRAMMES = [
    dict(
        code="MSADS",
        title="Médiateur social accès aux droits et services",
        level=4,
        rncp_code="RNCP36241",
        rncp_valid_from=date(2022, 5, 16),
        rncp_valid_until=date(2027, 5, 16),
        hours=441,
        duration_months=11,
        first_block_weeks=2,
        blocks=MSADS_BLOCKS,
        modules=MSADS_MODULES,
    ),
    dict(
        code="AMIS",
        title="Agent de médiation, information, services",
        level=3,
        rncp_code="RNCP37722",
        rncp_valid_from=date(2023, 7, 2),
        rncp_valid_until=date(2028, 7, 2),
        hours=406,
        duration_months=12,
        blocks=AMIS_BLOCKS,
        modules=AMIS_MODULES,
    ),
]

MICRO_CERTIFICATIONS = [
    dict(
        code="MC-CADRE",
        domain=1,
        title="Le cadre de la médiation sociale et la posture du médiateur",
        outcomes=[
            "Situer la médiation sociale dans son cadre déontologique et réglementaire",
            "Adopter une posture de tiers neutre, impartial et indépendant",
            "Identifier les limites de son intervention et orienter vers les partenaires",
        ],
        hours=14,
        eqf=3,
        blocks=[("MSADS", "CCP2"), ("AMIS", "CCP1")],
    ),
    dict(
        code="MC-COMM",
        domain=2,
        title="Les bases de la communication en médiation sociale",
        outcomes=[
            "Pratiquer l'écoute active et la reformulation",
            "Adapter sa communication verbale et non verbale au public",
            "Conduire un entretien d'accueil et d'information",
        ],
        hours=14,
        eqf=3,
        blocks=[("MSADS", "CCP2"), ("AMIS", "CCP2")],
    ),
    dict(
        code="MC-CONFLIT",
        domain=3,
        title="Les bases de la gestion de conflit",
        outcomes=[
            "Repérer les signes d'escalade d'une tension",
            "Mettre en œuvre des techniques de désamorçage",
            "Conduire une médiation simple entre deux parties",
        ],
        hours=14,
        eqf=3,
        blocks=[("MSADS", "CCP2"), ("AMIS", "CCP2")],
    ),
]

# (email, first name, last name, roles, job title)
STAFF = [
    ("admin@cadence.test", "Claire", "Morvan", ["admin"], "Responsable administrative"),
    ("qualite@cadence.test", "Yannick", "Le Bihan", ["quality"], "Référent qualité"),
    ("formateur@cadence.test", "Samia", "Benali", ["trainer"], "Formatrice, cheffe d'équipe de médiation"),
    ("j.guillou@cfa-mediation.test", "Jérôme", "Guillou", ["trainer"], "Formateur, médiateur expérimenté"),
    ("m.riou@cfa-mediation.test", "Maëlle", "Riou", ["trainer"], "Formatrice, accès aux droits"),
    ("t.nguyen@cfa-mediation.test", "Thierry", "Nguyen", ["trainer"], "Formateur, outils bureautiques"),
    ("a.diallo@cfa-mediation.test", "Aïssatou", "Diallo", ["trainer"], "Formatrice, gestion de conflit"),
    ("p.lemoine@cfa-mediation.test", "Pierre", "Lemoine", ["trainer"], "Formateur, prévention des addictions"),
    ("s.kerjean@cfa-mediation.test", "Sophie", "Kerjean", ["trainer", "quality"], "Formatrice, insertion"),
    ("l.garnier@cfa-mediation.test", "Luc", "Garnier", ["trainer"], "Formateur SST"),
    ("k.mensah@cfa-mediation.test", "Kofi", "Mensah", ["trainer"], "Formateur, médiateur de quartier"),
    ("n.hamon@cfa-mediation.test", "Nolwenn", "Hamon", ["trainer"], "Formatrice SST, prévention"),
]

# Trainers by centre and programme, by module code: who teaches what. Each cohort of a centre has its own team and
# room: the running year moves with the day the demo is built, so a centre's two cohorts may be at the centre on
# the same day, and nobody can teach two groups at once.
TEACHING = {
    ("RENNES", "MSADS"): {
        "default": "formateur@cadence.test",
        "DROITS": "m.riou@cfa-mediation.test",
        "ECRITS": "t.nguyen@cfa-mediation.test",
        "PUBLICS": "p.lemoine@cfa-mediation.test",
    },
    ("RENNES", "AMIS"): {
        "default": "j.guillou@cfa-mediation.test",
        "SST": "l.garnier@cfa-mediation.test",
        "SECURITE": "l.garnier@cfa-mediation.test",
    },
    ("NANTES", "MSADS"): {
        "default": "a.diallo@cfa-mediation.test",
        "COMM": "s.kerjean@cfa-mediation.test",
        "DROITS": "s.kerjean@cfa-mediation.test",
        "ECRITS": "s.kerjean@cfa-mediation.test",
    },
    ("NANTES", "AMIS"): {
        "default": "k.mensah@cfa-mediation.test",
        "SST": "n.hamon@cfa-mediation.test",
        "SECURITE": "n.hamon@cfa-mediation.test",
    },
}

# (name, kind, city, postcode, opco); SIRETs are generated with a valid check digit.
EMPLOYERS = [
    ("Ville de Rennes – Mission médiation de quartier", "city", "Rennes", "35000", "CNFPT"),
    ("Archipel Habitat", "social_landlord", "Rennes", "35000", "OPCO EP"),
    ("Néotoa", "social_landlord", "Rennes", "35200", "OPCO EP"),
    ("CCAS de Rennes", "public_service", "Rennes", "35000", "CNFPT"),
    ("Ville de Saint-Malo – Médiation", "city", "Saint-Malo", "35400", "CNFPT"),
    ("Association Optima Médiation", "association", "Rennes", "35700", "Uniformation"),
    ("Médiation Chantiers Ouest", "transport", "Cesson-Sévigné", "35510", "OPCO Mobilités"),
    ("Ville de Nantes – Médiation à l'école", "city", "Nantes", "44000", "CNFPT"),
    ("Nantes Métropole Habitat", "social_landlord", "Nantes", "44000", "OPCO EP"),
    ("La Nantaise d'Habitations", "social_landlord", "Nantes", "44100", "OPCO EP"),
    ("Ville de Saint-Herblain", "city", "Saint-Herblain", "44800", "CNFPT"),
    ("CCAS de Saint-Nazaire", "public_service", "Saint-Nazaire", "44600", "CNFPT"),
    ("Transports de l'agglomération nantaise", "transport", "Nantes", "44300", "OPCO Mobilités"),
    ("Association Liens et Quartiers", "association", "Rezé", "44400", "Uniformation"),
    ("Association Médiation Sociale Ouest", "association", "Rennes", "35000", "Uniformation"),
]

FIRST_NAMES = [
    "Adam",
    "Inès",
    "Lucas",
    "Léa",
    "Mohamed",
    "Chloé",
    "Nathan",
    "Manon",
    "Yanis",
    "Camille",
    "Hugo",
    "Sarah",
    "Enzo",
    "Emma",
    "Rayan",
    "Lina",
    "Théo",
    "Jade",
    "Kylian",
    "Louise",
    "Bilal",
    "Zoé",
    "Maxime",
    "Amina",
    "Noah",
    "Clara",
    "Sofiane",
    "Anaïs",
    "Mathis",
    "Yasmine",
    "Tom",
    "Océane",
    "Ilyes",
    "Julie",
    "Axel",
    "Fatou",
    "Romain",
    "Mélissa",
    "Kevin",
    "Nour",
    "Dylan",
    "Alice",
    "Samir",
    "Lou",
    "Quentin",
    "Rose",
    "Abdel",
    "Marie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Le Gall",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Roux",
    "Guérin",
    "Boyer",
    "Chevalier",
    "Clément",
    "Gautier",
    "Perrin",
    "Robin",
    "Masson",
    "Sanchez",
    "Henry",
    "Rousseau",
    "Mathieu",
    "Nicolas",
    "Benoît",
    "Kone",
    "Traoré",
    "Haddad",
    "Belkacem",
    "Le Floch",
    "Jaouen",
    "Tanguy",
]

# The finished year is the CFA's real past: the 2024-2025 cohorts hold the 53 alternants of its 2025 report and
# the 2025 juries behind its 79 % success. (programme, centre, start, end, apprentices)
FINISHED_COHORTS = [
    ("MSADS", "RENNES", date(2024, 9, 16), date(2025, 8, 14), 14),
    ("AMIS", "RENNES", date(2024, 9, 30), date(2025, 9, 26), 13),
    ("MSADS", "NANTES", date(2024, 9, 16), date(2025, 8, 14), 14),
    ("AMIS", "NANTES", date(2024, 9, 30), date(2025, 9, 26), 12),
]
# The running year is dated around the day the demo is built (cfa/demo/calendar.py); AMIS opened two weeks before
# MSADS, so that it is running whenever MSADS is. (programme, centre, weeks after the MSADS cohorts' start, apprentices)
RUNNING_COHORTS = [
    ("MSADS", "RENNES", 0, 15),
    ("AMIS", "RENNES", -2, 12),
    ("MSADS", "NANTES", 0, 13),
    ("AMIS", "NANTES", -2, 12),
]
DEMO_PROGRAMME, DEMO_CENTRE = "MSADS", "RENNES"  # the running cohort of the demo apprentice, led by the demo trainer
DEMO_APPRENTICE = "apprenti@cadence.test"
DEMO_TRAINER = "formateur@cadence.test"
DEMO_EMPLOYER = "Archipel Habitat"
