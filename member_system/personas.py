"""The demo personas: fixed member ids, each covering a situation the assistant must handle.

Only metadata lives here (cheap to import: `python -m member_system.token --list` reads it); their
data is built by `generator.build_personas`. Names are invented. README.md has the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    situation: str
    ask: str


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "P-CLAIRE-REMB",
        "Claire Fontaine",
        "Remboursements payés, en attente et refusés (prescription manquante, feuille de soins "
        "incomplète)",
        "Où en est le remboursement de ma kiné ? Pourquoi ma radio n'a pas été remboursée ?",
    ),
    Persona(
        "P-KARIM-IJ",
        "Karim Benali",
        "Arrêt maladie en cours ; indemnités bloquées : l'attestation de salaire de l'employeur "
        "n'est pas arrivée",
        "Pourquoi je n'ai pas reçu mes indemnités journalières ?",
    ),
    Persona(
        "P-JULIE-MATERNITE",
        "Julie Marchand",
        "Congé maternité : indemnités versées tous les 14 jours, prochain paiement prévu ; "
        "bébé rattaché",
        "Quand sera versé mon prochain paiement de congé maternité ?",
    ),
    Persona(
        "P-NADIA-C2S",
        "Nadia Lefèvre",
        "Bénéficiaire de la Complémentaire santé solidaire (droits ouverts jusqu'à une date)",
        "Jusqu'à quand ai-je la C2S ? Combien je paierai chez le généraliste ?",
    ),
    Persona(
        "P-THOMAS-C2S-ATTENTE",
        "Thomas Girard",
        "Demande de C2S en cours d'examen, un justificatif de ressources demandé",
        "Où en est ma demande de complémentaire santé solidaire ?",
    ),
    Persona(
        "P-MICHEL-ALD",
        "Michel Roussel",
        "Affection de longue durée (diabète) : soins liés pris en charge à 100 % jusqu'à une date",
        "Suis-je remboursé à 100 % ? Jusqu'à quand ?",
    ),
    Persona(
        "P-LEA-SANS-MT",
        "Léa Dubois",
        "Aucun médecin traitant déclaré : consultations remboursées à 30 %",
        "Qui est mon médecin traitant ? Combien me coûte une consultation chez le généraliste ?",
    ),
    Persona(
        "P-SOPHIE-FAMILLE",
        "Sophie Garnier",
        "Trois enfants rattachés (ayants droit) avec des soins remboursés pour eux",
        "Le pédiatre de ma fille a-t-il été remboursé ?",
    ),
    Persona(
        "P-ANTOINE-VITALE",
        "Antoine Moreau",
        "Commande de carte Vitale en cours : photo reçue, carte en fabrication",
        "Où en est ma nouvelle carte Vitale ? / J'ai perdu ma carte Vitale.",
    ),
    Persona(
        "P-EMMA-NOUVELLE",
        "Emma Petit",
        "Nouvelle assurée sans aucun historique (ni remboursement, ni arrêt, ni carte Vitale)",
        "Où en sont mes remboursements ? (réponse attendue : aucun)",
    ),
    Persona(
        "P-HUGO-DROITS-FERMES",
        "Hugo Lambert",
        "Droits fermés depuis plus d'un mois ; soin refusé pour « droits fermés à la date des "
        "soins » ; attestation de droits impossible",
        "Je voudrais une attestation de droits. / Pourquoi mon soin a été refusé ?",
    ),
    Persona(
        "P-GERARD-INCOMPLET",
        "Gérard Lemoine",
        "Dossier incomplet (ni e-mail, ni téléphone, adresse partielle) ; feuille de soins "
        "papier en attente sans date de paiement ; carte Vitale envoyée",
        "Ma feuille de soins papier a-t-elle été traitée ? Ma carte Vitale est-elle partie ?",
    ),
)

PERSONA_IDS = tuple(persona.id for persona in PERSONAS)


def persona_lines() -> list[str]:
    """One line per persona: id, a tab, a one-line description (the `--list` format)."""
    return [f"{p.id}\t{p.name} — {p.situation}" for p in PERSONAS]
