"""Care-cost estimate: official tariffs (tariffs.yml) applied to one member's situation.

The rules, in the order they are tried (codes in parentheses are returned to the caller so that
the assistant can explain the figure):
- care linked to an exonerating ALD: 100 % (ALD_FULL_COVER; ALD_ASSUMED_RELATED when the caller
  did not say whether the care is linked to the ALD);
- maternity cover (6th month of pregnancy to 12 days after the birth): 100 % (MATERNITY_FULL_COVER);
- dentist: 60 % (DENTAL_RATE);
- under 16: 70 % with or without a médecin traitant (UNDER_16);
- otherwise 70 % within the coordinated care pathway (GP_DECLARED, DIRECT_ACCESS,
  REFERRAL_BY_GP_ASSUMED), 30 % outside it (NO_GP_DECLARED).
Then the participation forfaitaire (PARTICIPATION_FORFAITAIRE, or PF_EXEMPT_UNDER_18,
PF_EXEMPT_C2S, PF_EXEMPT_MATERNITY, PF_ANNUAL_CAP_REACHED, PF_NOT_APPLICABLE) and, for C2S
members, the C2S share (C2S_FULL_COVER, or C2S_PARTIAL_OUTSIDE_PATHWAY when the 30 % rate leaves
a penalty the C2S does not pay). SECTOR_1_ASSUMED is always set: no extra fees are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TARIFFS_PATH = Path(__file__).with_name("tariffs.yml")
CENT = Decimal("0.01")

CARE_TYPES = (
    "generaliste",
    "specialiste",
    "dermatologue",
    "ophtalmologue",
    "gynecologue",
    "pediatre",
    "psychiatre",
    "cardiologue",
    "dentiste",
    "kinesitherapeute",
    "infirmier",
    "sage_femme",
    "pharmacie",
    "lunettes",
    "audition",
    "hospitalisation",
    "analyses",
    "radiologie",
    "transport",
)

# Short French labels used in reimbursement listings.
CARE_LABELS = {
    "generaliste": "Consultation de médecin généraliste",
    "specialiste": "Consultation de médecin spécialiste",
    "dermatologue": "Consultation de dermatologue",
    "ophtalmologue": "Consultation d'ophtalmologue",
    "gynecologue": "Consultation de gynécologue",
    "pediatre": "Consultation de pédiatre",
    "psychiatre": "Consultation de psychiatre",
    "cardiologue": "Consultation de cardiologue",
    "dentiste": "Soins dentaires",
    "kinesitherapeute": "Séances de kinésithérapie",
    "infirmier": "Soins infirmiers",
    "sage_femme": "Consultation de sage-femme",
    "pharmacie": "Médicaments",
    "lunettes": "Lunettes",
    "audition": "Aides auditives",
    "hospitalisation": "Hospitalisation",
    "analyses": "Analyses de biologie",
    "radiologie": "Examen de radiologie",
    "transport": "Transport sanitaire",
}


def to_cents(amount: Decimal | str) -> int:
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(cents: int, rate: int) -> int:
    """`rate` % of an amount in cents, rounded half up to the cent."""
    return int((Decimal(cents) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=1)
def load_tariffs(path: str = str(TARIFFS_PATH)) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    missing = [care for care in CARE_TYPES if care not in data["care_types"]]
    if missing:
        raise ValueError(f"tariffs.yml has no entry for {missing}")
    return data


@dataclass(frozen=True)
class Situation:
    """What the estimate needs to know about the person receiving the care."""

    age: int
    has_gp: bool
    c2s_active: bool
    ald_active: bool
    maternity_cover: bool
    participation_paid_this_year_cents: int = 0


@dataclass
class Estimate:
    care_type: str
    label: str
    available: bool
    tariff_cents: int | None = None
    rate: int | None = None
    participation_cents: int | None = None
    reimbursed_cents: int | None = None
    c2s_cents: int | None = None
    left_to_pay_cents: int | None = None
    reason: str | None = None
    codes: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)


def _source(name: str, entry: dict[str, Any]) -> dict[str, str]:
    return {
        "figure": name,
        "source_url": str(entry["source_url"]),
        "checked": str(entry.get("checked", "")),
        "page_updated": str(entry.get("page_updated", "") or ""),
    }


def tariff_for(care_type: str, age: int) -> tuple[int, dict[str, Any]]:
    """Convention tariff in cents for a consultation of `care_type` by a patient of `age`."""
    entry = load_tariffs()["care_types"][care_type]
    if "tariff_by_age" in entry:
        for band in entry["tariff_by_age"]:
            if age < band["below"]:
                return to_cents(band["value"]), entry
        raise ValueError(f"no tariff band for age {age}")  # pragma: no cover - table ends at 200
    if age < 6 and "tariff_under_6" in entry:
        return to_cents(entry["tariff_under_6"]["value"]), entry["tariff_under_6"]
    return to_cents(entry["tariff"]["value"]), entry["tariff"]


def estimate(care_type: str, situation: Situation, ald_related: bool | None = None) -> Estimate:
    data = load_tariffs()
    entry = data["care_types"][care_type]
    rates = data["rates"]
    pf_rules = data["participation_forfaitaire"]
    result = Estimate(care_type=care_type, label=entry["label"], available=False)

    if entry["estimate"] == "none":
        result.reason = " ".join(str(entry["reason"]).split())
        result.rate = entry.get("typical_rate")
        result.codes.append("NO_FIXED_TARIFF")
        result.sources.append(_source("care_type", entry))
        return result

    tariff, tariff_entry = tariff_for(care_type, situation.age)
    result.available = True
    result.tariff_cents = tariff
    result.codes.append("SECTOR_1_ASSUMED")
    result.sources.append(_source("convention_tariff", tariff_entry))

    is_dentist = entry.get("rate") == "dentist"
    standard_rate = rates["dentist"]["value"] if is_dentist else rates["coordinated_care"]["value"]

    related = ald_related
    if situation.ald_active and related is None:
        related = True
        result.codes.append("ALD_ASSUMED_RELATED")
    elif related and not situation.ald_active:
        result.codes.append("NO_ACTIVE_ALD")

    if related and situation.ald_active:
        rate = rates["ald_exonerating"]["value"]
        result.codes.append("ALD_FULL_COVER")
        result.sources.append(_source("rate", rates["ald_exonerating"]))
    elif situation.maternity_cover:
        rate = rates["maternity_cover"]["value"]
        result.codes.append("MATERNITY_FULL_COVER")
        result.sources.append(_source("rate", rates["maternity_cover"]))
    elif is_dentist:
        rate = standard_rate
        result.codes.append("DENTAL_RATE")
        result.sources.append(_source("rate", rates["dentist"]))
    elif situation.age < 16:
        rate = rates["under_16"]["value"]
        result.codes.append("UNDER_16")
        result.sources.append(_source("rate", rates["under_16"]))
    elif situation.has_gp:
        rate = rates["coordinated_care"]["value"]
        access = entry["access"]
        if access == "referral_or_direct_16_25":
            access = "direct" if 16 <= situation.age <= 25 else "referral"
        result.codes.append(
            {"gp": "GP_DECLARED", "direct": "DIRECT_ACCESS"}.get(access, "REFERRAL_BY_GP_ASSUMED")
        )
        result.sources.append(_source("rate", rates["coordinated_care"]))
    else:
        rate = rates["outside_coordinated_care"]["value"]
        result.codes.append("NO_GP_DECLARED")
        result.sources.append(_source("rate", rates["outside_coordinated_care"]))
    result.rate = rate
    amo = percent_of(tariff, rate)

    participation = 0
    if care_type not in pf_rules["applies_to"]:
        result.codes.append("PF_NOT_APPLICABLE")
    elif situation.age < 18:
        result.codes.append("PF_EXEMPT_UNDER_18")
    elif situation.c2s_active:
        result.codes.append("PF_EXEMPT_C2S")
    elif situation.maternity_cover:
        result.codes.append("PF_EXEMPT_MATERNITY")
    else:
        cap = to_cents(pf_rules["annual_cap"]["value"])
        remaining = max(0, cap - situation.participation_paid_this_year_cents)
        if remaining == 0:
            result.codes.append("PF_ANNUAL_CAP_REACHED")
        else:
            participation = min(to_cents(pf_rules["amount"]["value"]), remaining, amo)
            result.codes.append("PARTICIPATION_FORFAITAIRE")
        result.sources.append(_source("participation_forfaitaire", pf_rules["amount"]))
    result.participation_cents = participation
    result.reimbursed_cents = amo - participation

    c2s_share = 0
    if situation.c2s_active and rate < 100:
        # The C2S pays the usual ticket modérateur, never the penalty for being outside the
        # coordinated care pathway.
        c2s_share = tariff - percent_of(tariff, standard_rate)
        result.codes.append(
            "C2S_FULL_COVER" if rate >= standard_rate else "C2S_PARTIAL_OUTSIDE_PATHWAY"
        )
        result.sources.append(_source("c2s", rates["c2s"]))
    result.c2s_cents = c2s_share
    result.left_to_pay_cents = max(0, tariff - result.reimbursed_cents - c2s_share)
    return result


def rate_and_participation(care_type: str, situation: Situation) -> tuple[int, int]:
    """Rate and participation (cents) for a care type without a fixed tariff, used by the
    generator for synthetic histories: the same exemptions as `estimate`, the typical rate of
    tariffs.yml, the coordinated-care rule for doctors, 60 % for nurses and physiotherapists
    and 65 % for medicines (the most common medicine rate)."""
    data = load_tariffs()
    entry = data["care_types"][care_type]
    rates = data["rates"]
    if situation.ald_active or situation.maternity_cover:
        rate = 100
    elif "access" in entry:
        within = situation.has_gp or situation.age < 16
        rate = rates["coordinated_care" if within else "outside_coordinated_care"]["value"]
    else:
        rate = entry.get("typical_rate") or (
            60 if care_type in ("kinesitherapeute", "infirmier") else 65
        )
    applies = care_type in data["participation_forfaitaire"]["applies_to"]
    exempt = situation.age < 18 or situation.c2s_active or situation.maternity_cover
    return rate, (
        to_cents(data["participation_forfaitaire"]["amount"]["value"])
        if applies and not exempt
        else 0
    )
