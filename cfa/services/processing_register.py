"""The register of processing activities (RGPD article 30): what Cadence holds, why, on what legal basis, for how
long and who receives it. Kept as data beside the code that does the processing, so that a change of one shows in
review next to the other; the retention durations are the ones the retention service applies."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    people: str
    data: str
    legal_basis: str
    retention: str
    recipients: str


def _years(count: int) -> str:
    return f"{count} an" if count == 1 else f"{count} ans"


def register(retention_years: int, proof_years: int) -> list[Processing]:
    """The processing activities, with the durations this installation is configured for."""
    after_training = f"{_years(retention_years)} après la fin de la dernière formation, puis anonymisation"
    return [
        Processing(
            "Comptes et annuaire",
            "Donner accès à Cadence à chacun selon son rôle ; contacter les personnes.",
            "Apprenti·es, stagiaires, tuteur·rices, formateur·rices, personnel du CFA",
            "Nom, prénom, e-mail, téléphone, date de naissance, employeur, fonction, rôles, dernière connexion",
            "Exécution du contrat d'apprentissage ou de formation (art. 6-1-b) ; obligation légale du CFA (art. 6-1-c)",
            after_training + " ; comptes du personnel : jusqu'au départ",
            "Personnel du CFA habilité ; l'employeur et le tuteur pour leurs apprenti·es",
        ),
        Processing(
            "Inscriptions et contrats",
            "Suivre les contrats d'apprentissage et les inscriptions aux formations courtes ; facturer.",
            "Apprenti·es, stagiaires, employeurs",
            "Promotion, dates de contrat, ruptures et motifs, employeur, tuteur, référent·e, évaluation des acquis",
            "Obligation légale (Code du travail L.6231-2, L.6353-1) ; exécution du contrat",
            after_training + " ; dates et statuts conservés sans nom pour les indicateurs publiés",
            "OPCO (financeur) ; employeur ; services de l'État (indicateurs L.6111-8)",
        ),
        Processing(
            "Émargement et assiduité",
            "Prouver la réalisation de la formation auprès du financeur ; prévenir le décrochage.",
            "Apprenti·es, stagiaires, formateur·rices",
            "Présences par demi-journée, retards, départs anticipés, signatures, justificatifs d'absence",
            "Obligation légale (Code du travail D.6211-2, R.6332-26)",
            f"Feuilles et certificats : 3 ans au moins ; pièces justificatives : {_years(proof_years)} après la période "
            "couverte (10 ans avec un cofinancement européen), puis suppression du fichier ; heures conservées",
            "OPCO ; employeur (absences de l'apprenti·e) ; auditeurs Qualiopi",
        ),
        Processing(
            "Évaluations, jurys et certifications",
            "Évaluer les acquis, présenter au titre professionnel, délivrer micro-certifications et badges.",
            "Apprenti·es, stagiaires, formateur·rices, jurys",
            "Résultats d'ECF, décisions de jury par bloc, certifications délivrées et leur vérification",
            "Obligation légale (certification professionnelle) ; exécution du contrat",
            after_training + " ; une certification délivrée reste vérifiable",
            "Certificateur ; toute personne à qui le titulaire présente son badge ou son code de vérification",
        ),
        Processing(
            "Suivi en entreprise",
            "Coordonner apprenti·e, tuteur et CFA (Qualiopi 13 et 28) : livret, visites, actions.",
            "Apprenti·es, tuteur·rices, référent·es",
            "Livret d'apprentissage, comptes rendus de visite, actions de suivi",
            "Obligation légale (Code du travail L.6231-2) ; intérêt légitime du CFA",
            after_training,
            "Tuteur et employeur de l'apprenti·e ; référent·e",
        ),
        Processing(
            "Enquêtes de satisfaction et réclamations",
            "Recueillir les appréciations et traiter les réclamations (Qualiopi 30, 31, 32).",
            "Apprenti·es, stagiaires, employeurs, formateur·rices, financeurs",
            "Invitations, réponses (anonymes sauf enquête nominative), réclamations et leur traitement",
            "Obligation légale (certification Qualiopi, L.6316-1) ; intérêt légitime",
            after_training + " ; réponses anonymes sans limite (elles ne désignent personne)",
            "Responsable qualité ; auditeur Qualiopi",
        ),
        Processing(
            "Journal d'audit et sauvegardes",
            "Prouver qui a modifié un document légal, quand et pourquoi ; restaurer après un incident.",
            "Toute personne dont un enregistrement a été modifié ; auteurs des modifications",
            "Auteur, date, valeurs avant et après, motif ; copie complète de la base et des fichiers",
            "Obligation légale (preuve des documents légaux) ; intérêt légitime (sécurité, art. 32)",
            "Journal : aussi longtemps que les documents qu'il prouve ; sauvegardes : selon leur rotation",
            "Administration du CFA ; hébergeur",
        ),
    ]
