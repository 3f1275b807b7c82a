"""Catalogue keys grouped by subject: a personal question and its general twins.

A member who is not logged in and asks « mon arrêt sera payé combien ? » gets the general rule
of the same subject first; a message the model hesitates on between two keys of one subject is
still on that subject. The groups are those of domain.yml's `# --- <topic> ---` sections
(a test keeps them equal).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

SUBJECTS: Dict[str, List[str]] = {
    "reimbursement": [
        "check_reimbursement_status",
        "reimbursement_delay",
        "paper_care_form",
        "third_party_payment",
    ],
    "daily_allowance": [
        "check_daily_allowance",
        "send_sick_leave",
        "waiting_period",
        "daily_allowance_amount",
    ],
    "rights_certificate": ["request_rights_certificate"],
    "vitale_card": ["check_vitale_card", "lost_vitale_card", "order_vitale_card", "vitale_app"],
    "care_cost": ["estimate_care_cost", "medical_transport", "glasses_dental_hearing"],
    "gp": ["check_gp_declaration", "declare_gp"],
    "c2s": ["check_c2s_application", "c2s_eligibility"],
    "ald": ["check_ald_status", "long_term_illness"],
    "family": ["maternity_leave", "paternity_leave", "add_child"],
    "abroad": ["european_health_card", "care_abroad"],
    "account": [
        "ameli_account_create",
        "ameli_account_access",
        "change_address",
        "change_bank_details",
        "mon_espace_sante",
    ],
    "contact": ["contact_cpam", "complaint"],
    "covid": ["covid_contact_case", "covid_vaccination", "covid_test"],
    "prevention": ["prevention_exams"],
    "affiliation": ["health_insurance_affiliation"],
    "work_accident": ["work_accident", "invalidity_pension"],
}

# The keys answered from a member's own file (the `personal` section of the catalogue).
PERSONAL = frozenset(
    {
        "check_reimbursement_status",
        "check_daily_allowance",
        "request_rights_certificate",
        "check_vitale_card",
        "estimate_care_cost",
        "check_gp_declaration",
        "check_c2s_application",
        "check_ald_status",
    }
)

# Personal keys whose general rule lives with other subjects too.
RELATED: Dict[str, List[str]] = {
    "request_rights_certificate": ["health_insurance_affiliation"],
    "estimate_care_cost": ["third_party_payment", "reimbursement_delay"],
    "check_c2s_application": ["health_insurance_affiliation"],
}

SUBJECT_OF: Dict[str, str] = {key: subject for subject, keys in SUBJECTS.items() for key in keys}


def subject_of(key: Optional[str]) -> Optional[str]:
    return SUBJECT_OF.get(key or "")


def general_keys(key: str) -> List[str]:
    """The keys whose articles give the general rule behind `key`."""
    subject = subject_of(key)
    keys = list(SUBJECTS.get(subject, [key])) if subject else [key]
    return keys + [k for k in RELATED.get(key, []) if k not in keys]


def leading_subject(
    intent_ranking: Optional[Sequence[Dict]], sure: float, among: int = 3
) -> Optional[str]:
    """The subject the model's leading candidates share, when together they are sure of it:
    « check_daily_allowance 0.45, daily_allowance_amount 0.40 » is the sick-leave subject."""
    totals: Dict[str, float] = {}
    for ranked in list(intent_ranking or [])[:among]:
        subject = subject_of(str(ranked.get("name")))
        if subject:
            totals[subject] = totals.get(subject, 0.0) + float(ranked.get("confidence") or 0.0)
    if not totals:
        return None
    subject, total = max(totals.items(), key=lambda item: item[1])
    return subject if total >= sure else None
