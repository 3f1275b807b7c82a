"""How each topic is named to a member: the titles of clarification and suggestion buttons.

Every topic is a plain intent, so a button triggers it with its ``/intent`` payload.
"""

from __future__ import annotations

from typing import Dict, NamedTuple

from knowledge.subjects import SUBJECT_OF


class Topic(NamedTuple):
    title: str

    def payload(self, key: str) -> str:
        return f"/{key}"


TOPICS: Dict[str, Topic] = {
    # personal
    "check_reimbursement_status": Topic("Suivre mes remboursements"),
    "check_daily_allowance": Topic("Mes indemnités journalières"),
    "request_rights_certificate": Topic("Obtenir mon attestation de droits"),
    "check_vitale_card": Topic("Ma carte Vitale"),
    "estimate_care_cost": Topic("Estimer le coût d'un soin"),
    "check_gp_declaration": Topic("Mon médecin traitant"),
    "check_c2s_application": Topic("Ma demande de C2S"),
    "check_ald_status": Topic("Mon affection longue durée (ALD)"),
    # faq
    "lost_vitale_card": Topic("Carte Vitale perdue ou volée"),
    "order_vitale_card": Topic("Obtenir une carte Vitale"),
    "vitale_app": Topic("L'appli carte Vitale"),
    "reimbursement_delay": Topic("Délais de remboursement"),
    "paper_care_form": Topic("Feuille de soins papier"),
    "third_party_payment": Topic("Tiers payant"),
    "send_sick_leave": Topic("Envoyer un arrêt de travail"),
    "waiting_period": Topic("Délai de carence"),
    "daily_allowance_amount": Topic("Montant des indemnités journalières"),
    "maternity_leave": Topic("Congé maternité"),
    "paternity_leave": Topic("Congé de paternité"),
    "work_accident": Topic("Accident du travail"),
    "european_health_card": Topic("Carte européenne (CEAM)"),
    "care_abroad": Topic("Soins à l'étranger"),
    "c2s_eligibility": Topic("Complémentaire santé solidaire (C2S)"),
    "declare_gp": Topic("Déclarer un médecin traitant"),
    "long_term_illness": Topic("Affection longue durée (ALD)"),
    "medical_transport": Topic("Transport sanitaire"),
    "glasses_dental_hearing": Topic("Lunettes, dentaire, audition"),
    "ameli_account_create": Topic("Créer mon compte ameli"),
    "ameli_account_access": Topic("Accès à mon compte ameli"),
    "add_child": Topic("Rattacher un enfant"),
    "change_address": Topic("Changer d'adresse"),
    "change_bank_details": Topic("Changer de RIB"),
    "invalidity_pension": Topic("Pension d'invalidité"),
    "contact_cpam": Topic("Contacter ma caisse"),
    "complaint": Topic("Faire une réclamation"),
    "covid_contact_case": Topic("Covid : cas contact"),
    "covid_vaccination": Topic("Vaccination Covid et grippe"),
    "covid_test": Topic("Tests Covid"),
    "mon_espace_sante": Topic("Mon espace santé"),
    "prevention_exams": Topic("Prévention et dépistages"),
    "health_insurance_affiliation": Topic("S'affilier à l'Assurance Maladie"),
    # dialogue
    "ask_human": Topic("Parler à un conseiller"),
    "help": Topic("Ce que je sais faire"),
}

# Intents never offered as a clarification: they are not topics a member looks for.
NOT_OFFERED = {
    "nlu_fallback",
    "out_of_scope",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "insult",
    "bot_challenge",
    "distress",
    "session_start",
}

# The topic (data/nlu/<topic>.yml) each intent belongs to: the member system files a hand-off
# ticket under it, so advisers of that subject pick it up. One grouping for the whole project:
# the knowledge base's subjects (knowledge/subjects.py, checked against domain.yml's sections).
TOPIC_OF_INTENT: Dict[str, str] = SUBJECT_OF
