"""Facts the demo's short courses are built from: the CFA's published 2025 figures (DOMAIN-FACTS §1).

- modules for mediation professionals: 122 trainees over 354 h delivered;
- modules for staff who receive the public (public services, social landlords, culture and leisure, health):
  387 trainees over 164 h;
- the Ateliers du Vivre Ensemble in five prisons: 405 participants over 144 h;
- the 6-day entry course (socle): 48 new mediators started in 2025, 37 followed it, 36 completed it by
  31/12/2025, i.e. 75 %.
"""

from datetime import time

from cfa.models import CourseAudience, ParticipationForm

# Half-day times: a full day is 7 h (3 h 30 + 3 h 30), a short day 6 h 30 (its afternoon ends at 16 h 30), a prison
# workshop 3 h (the establishment's movements fix the hours).
DAY = ((time(9, 0), time(12, 30)), (time(13, 30), time(17, 0)))
SHORT_DAY = ((time(9, 0), time(12, 30)), (time(13, 30), time(16, 30)))
WORKSHOPS = ((time(9, 0), time(12, 0)), (time(14, 0), time(17, 0)))

TRAINERS = [  # (email, first name, last name, job title, what they teach)
    ("e.quere@cfa-mediation.test", "Erwan", "Quéré", "Formateur, formation socle des médiateurs", "socle"),
    ("f.ouedraogo@cfa-mediation.test", "Fatou", "Ouédraogo", "Formatrice, professionnalisation des médiateurs", "pro"),
    ("g.le-du@cfa-mediation.test", "Gaëlle", "Le Du", "Formatrice, accueil des publics", "reception"),
    ("y.le-roux@cfa-mediation.test", "Yann", "Le Roux", "Intervenant, Ateliers du Vivre Ensemble", "prison"),
]

# Clients of short courses who are not apprenticeship employers: (name, kind, city, postcode).
CLIENTS = [
    ("Direction interrégionale des services pénitentiaires de Rennes", "public_service", "Rennes", "35000"),
    ("Les Champs Libres", "public_service", "Rennes", "35000"),
    ("Centre hospitalier universitaire de Rennes", "public_service", "Rennes", "35000"),
    ("Réseau des médiathèques de Nantes", "city", "Nantes", "44000"),
]
OWN_ASSOCIATION = "Association Médiation Sociale Ouest"  # the CFA's own association employs mediators too
PRISON_CLIENT = CLIENTS[0][0]
PRISONS = [
    "Centre pénitentiaire de Rennes-Vezin",
    "Centre pénitentiaire pour femmes de Rennes",
    "Centre pénitentiaire de Nantes",
    "Centre de détention de Nantes",
    "Maison d'arrêt de Saint-Malo",
]

USUAL_PLACES = {  # where an action usually runs, printed in the catalogue (at a centre otherwise)
    CourseAudience.PUBLIC_RECEPTION: "Dans les locaux de l'employeur",
    CourseAudience.PRISON_WORKSHOPS: "En détention, dans l'établissement partenaire",
}
_PRO_METHODS = dict(
    teaching_methods="Apports, études de cas apportés par les stagiaires, mises en situation filmées.",
    assessment_methods="Positionnement à l'entrée, mise en situation finale et questionnaire des acquis.",
    prerequisites="Exercer une fonction de médiation sociale.",
    audience_detail="Médiateurs et médiatrices en poste, coordinateurs et coordinatrices d'équipes de médiation.",
    modality=ParticipationForm.ON_SITE,
)
_RECEPTION_METHODS = dict(
    teaching_methods="Apports courts, jeux de rôle tirés de situations d'accueil réelles, fiches réflexes.",
    assessment_methods="Mise en situation d'accueil en fin de journée, auto-évaluation.",
    prerequisites="Aucun.",
    modality=ParticipationForm.ON_SITE,
)

# Each action: code, title, audience, days (half-day times per day), runs in 2025, per-trainee price (euros),
# intra-company runs' clients in turn (none: inter-company runs at a centre), objectives and fields of the catalogue.
# Hours: professionals 7 x 14 + 5 x 14 + 6 x 7 + 5 x 14 + 5 x 7 + 3 x 13 = 354 h; public reception 8 x 7 + 8 x 7
# + 4 x 6.5 + 4 x 6.5 = 164 h; prisons 24 x 6 = 144 h; socle 4 x 42 = 168 h.
ACTIONS = [
    dict(
        code="SOCLE",
        title="Formation socle des médiateurs : cadre, posture, communication",
        audience=CourseAudience.NEW_MEDIATORS,
        entry_course=True,
        days=[DAY] * 6,
        runs=4,
        price=1260,
        objectives="Situer la médiation sociale dans son cadre déontologique et institutionnel\n"
        "Adopter la posture de tiers : neutralité, impartialité, confidentialité\n"
        "Communiquer avec les publics et désamorcer une situation de tension",
        content="Jour 1-2 : cadre et référentiel de la médiation sociale. Jour 3-4 : posture de tiers. "
        "Jour 5-6 : communication, écoute active, gestion de l'agressivité.",
        teaching_methods="Apports, analyse de situations vécues, mises en situation filmées.",
        assessment_methods="Mise en situation finale observée ; ouvre la demande de micro-certification.",
        prerequisites="Occuper ou prendre un poste de médiateur ou de médiatrice sociale.",
        audience_detail="Médiateurs et médiatrices nouvellement recrutés, quel que soit leur employeur.",
        modality=ParticipationForm.ON_SITE,
    ),
    dict(
        code="CONFLITS",
        title="Gestion des conflits et des situations de tension",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[DAY] * 2,
        runs=7,
        price=590,
        objectives="Analyser les ressorts d'un conflit\nConduire une médiation entre deux parties",
        content="Typologie des conflits, escalade, techniques de médiation, sortie de crise.",
        **_PRO_METHODS,
    ),
    dict(
        code="ECRITS",
        title="Écrits professionnels du médiateur",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[DAY] * 2,
        runs=5,
        price=590,
        objectives="Rédiger un compte rendu d'intervention factuel\nRendre compte de son activité aux financeurs",
        content="Main courante, compte rendu, signalement, bilan d'activité.",
        **_PRO_METHODS,
    ),
    dict(
        code="RESEAU",
        title="Travail en réseau et partenariats de territoire",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[DAY],
        runs=6,
        price=320,
        objectives="Cartographier les partenaires d'un territoire\nOrienter un public vers le bon interlocuteur",
        content="Acteurs du territoire, conventions de partenariat, orientation accompagnée.",
        **_PRO_METHODS,
    ),
    dict(
        code="DROITS",
        title="Accès aux droits et aux services numériques",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[DAY] * 2,
        runs=5,
        price=590,
        objectives="Accompagner une démarche en ligne sans faire à la place\nRepérer le non-recours aux droits",
        content="Prestations sociales, démarches en ligne, inclusion numérique.",
        **_PRO_METHODS,
    ),
    dict(
        code="SANTE-M",
        title="Médiation et santé mentale : repérer, orienter",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[DAY],
        runs=5,
        price=320,
        objectives="Repérer les signes d'une souffrance psychique\nOrienter vers les dispositifs de soin",
        content="Troubles psychiques fréquents, crise, ressources locales de santé mentale.",
        **_PRO_METHODS,
    ),
    dict(
        code="APP",
        title="Analyse de la pratique professionnelle",
        audience=CourseAudience.MEDIATION_PROFESSIONALS,
        days=[SHORT_DAY] * 2,
        runs=3,
        price=540,
        objectives="Prendre du recul sur ses interventions\nPartager des réponses entre pairs",
        content="Analyse de situations apportées par les participants, selon une méthode structurée.",
        **_PRO_METHODS,
    ),
    dict(
        code="ACC-SP",
        title="Accueillir le public et prévenir les incivilités – services publics",
        audience=CourseAudience.PUBLIC_RECEPTION,
        days=[DAY],
        runs=8,
        price=290,
        clients=[
            "CCAS de Rennes",
            "Ville de Rennes – Mission médiation de quartier",
            "CCAS de Saint-Nazaire",
            "Ville de Saint-Herblain",
        ],
        objectives="Accueillir un public en difficulté\nDésamorcer une situation d'agressivité",
        content="Accueil physique et téléphonique, émotions, incivilités, procédures internes.",
        audience_detail="Agents d'accueil des collectivités et services publics.",
        **_RECEPTION_METHODS,
    ),
    dict(
        code="ACC-BS",
        title="Accueillir le public et prévenir les incivilités – bailleurs sociaux",
        audience=CourseAudience.PUBLIC_RECEPTION,
        days=[DAY],
        runs=8,
        price=290,
        clients=["Archipel Habitat", "Néotoa", "Nantes Métropole Habitat", "La Nantaise d'Habitations"],
        objectives="Gérer une réclamation de locataire\nDésamorcer une situation d'agressivité",
        content="Relation aux locataires, réclamations, troubles de voisinage, sécurité des gardiens.",
        audience_detail="Gardiens, chargés de clientèle et personnels de proximité des bailleurs sociaux.",
        **_RECEPTION_METHODS,
    ),
    dict(
        code="ACC-CL",
        title="Accueillir le public et prévenir les incivilités – culture et loisirs",
        audience=CourseAudience.PUBLIC_RECEPTION,
        days=[SHORT_DAY],
        runs=4,
        price=270,
        clients=["Les Champs Libres", "Réseau des médiathèques de Nantes"],
        objectives="Accueillir des publics variés\nFaire respecter un règlement sans conflit",
        content="Accueil en équipement culturel, règlement intérieur, publics jeunes, médiation.",
        audience_detail="Agents d'accueil et de surveillance des équipements culturels et de loisirs.",
        **_RECEPTION_METHODS,
    ),
    dict(
        code="ACC-SA",
        title="Accueillir le public et prévenir les incivilités – santé",
        audience=CourseAudience.PUBLIC_RECEPTION,
        days=[SHORT_DAY],
        runs=4,
        price=270,
        clients=["Centre hospitalier universitaire de Rennes"],
        objectives="Accueillir des patients et proches inquiets\nPrévenir les tensions aux urgences",
        content="Attente, angoisse, agressivité, procédures de sécurité hospitalières.",
        audience_detail="Agents d'accueil et secrétaires médicales des établissements de santé.",
        **_RECEPTION_METHODS,
    ),
    dict(
        code="AVE",
        title="Ateliers du Vivre Ensemble",
        audience=CourseAudience.PRISON_WORKSHOPS,
        days=[WORKSHOPS],
        runs=24,
        price=0,
        clients=[PRISON_CLIENT],
        objectives="Exprimer un désaccord sans violence\nComprendre le point de vue de l'autre",
        content="Deux ateliers collectifs : communication non violente, gestion des émotions, règles de vie.",
        teaching_methods="Ateliers collectifs, jeux de rôle, débats.",
        assessment_methods="Tour de table final et bilan écrit de l'intervenant.",
        prerequisites="Être volontaire, avec l'accord du service pénitentiaire d'insertion et de probation.",
        audience_detail="Personnes détenues, sur proposition du SPIP.",
        modality=ParticipationForm.ON_SITE,
    ),
]

# Trainees per audience in 2025 (distinct people), and the socle's figures.
PROFESSIONALS = 122
PRO_PLACES_PER_RUN = (7, 10)  # each professional follows one to three modules of the year
RECEPTION_TRAINEES = 387
PRISON_PARTICIPANTS = 405
NEW_MEDIATORS_2025 = 48
SOCLE_TRAINEES_2025 = (10, 9, 9, 9)  # 37 followed the socle in 2025
SOCLE_DROPOUTS_2025 = 1  # 36 completed it by 31/12/2025: 75 % of the 48

DEMO_TRAINEE = "stagiaire@cadence.test"  # a trainee with an account, in the socle running on the demo's day
