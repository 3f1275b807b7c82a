"""Response and request models (pydantic 1.10), so that /openapi.json is complete and typed.

Amounts are strings with two decimals ("19.00", euros): exact, and typed as such in the schema.
Dates are ISO `YYYY-MM-DD`; instants are ISO UTC timestamps.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field, constr, validator

Money = constr(regex=r"^-?\d+\.\d{2}$")


def _nullable_optionals(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """pydantic 1 leaves `null` out of the schema of optional fields; FastAPI publishes
    OpenAPI 3.1, where an optional field must say it may be null."""
    for field in model.__fields__.values():
        prop = schema.get("properties", {}).get(field.alias)
        if prop is None or not field.allow_none or "anyOf" in prop:
            continue
        keep = {key: prop.pop(key) for key in ("title", "description", "default") if key in prop}
        schema["properties"][field.alias] = {"anyOf": [prop, {"type": "null"}], **keep}


class ApiModel(BaseModel):
    class Config:
        schema_extra = staticmethod(_nullable_optionals)


class CareType(str, Enum):
    generaliste = "generaliste"
    specialiste = "specialiste"
    dermatologue = "dermatologue"
    ophtalmologue = "ophtalmologue"
    gynecologue = "gynecologue"
    pediatre = "pediatre"
    psychiatre = "psychiatre"
    cardiologue = "cardiologue"
    dentiste = "dentiste"
    kinesitherapeute = "kinesitherapeute"
    infirmier = "infirmier"
    sage_femme = "sage_femme"
    pharmacie = "pharmacie"
    lunettes = "lunettes"
    audition = "audition"
    hospitalisation = "hospitalisation"
    analyses = "analyses"
    radiologie = "radiologie"
    transport = "transport"


class ReimbursementStatus(str, Enum):
    paid = "paid"
    pending = "pending"
    rejected = "rejected"


class Topic(str, Enum):
    """The assistant's topics: where the conversation that led to the message came from."""

    reimbursement = "reimbursement"
    daily_allowance = "daily_allowance"
    rights_certificate = "rights_certificate"
    vitale_card = "vitale_card"
    care_cost = "care_cost"
    gp = "gp"
    c2s = "c2s"
    ald = "ald"
    family = "family"
    abroad = "abroad"
    account = "account"
    contact = "contact"
    covid = "covid"
    prevention = "prevention"
    affiliation = "affiliation"
    work_accident = "work_accident"
    other = "other"


class LossReason(str, Enum):
    lost = "lost"
    stolen = "stolen"


class ErrorResponse(ApiModel):
    detail: str = Field(..., description="What went wrong, in English, for the developer.")
    code: str = Field(..., description="Stable machine-readable code.")


class Health(ApiModel):
    status: str
    database: str
    members: int
    reference_date: date | None


class Address(ApiModel):
    street: str | None
    postal_code: str | None
    city: str | None


class Rights(ApiModel):
    status: str = Field(..., description="open | closed")
    open_since: date
    open_until: date = Field(..., description="Last day of the rights (in the past if closed).")


class Dependent(ApiModel):
    id: str
    first_name: str
    last_name: str
    birth_date: date
    relationship: str = Field(..., description="enfant")
    attached_on: date


class Member(ApiModel):
    id: str
    first_name: str
    last_name: str
    sex: str
    birth_date: date
    nir_masked: str = Field(..., description="Social security number, masked.")
    email: str | None
    phone: str | None
    address: Address
    cpam: str
    complementary_health: str | None = Field(
        None, description="Name of the complementary insurance (mutuelle), if known."
    )
    rights: Rights
    has_gp: bool
    c2s_status: str = Field(..., description="none | pending | active | expired | refused")
    ald_active: bool
    maternity_cover: bool
    dependents: list[Dependent]
    is_demo_persona: bool


class Reimbursement(ApiModel):
    id: str
    beneficiary_id: str | None = Field(
        None, description="The dependent treated, if not the member."
    )
    beneficiary_name: str
    care_date: date
    care_type: CareType
    care_label: str
    practitioner_name: str | None
    practitioner_specialty: str | None
    amount_paid: Money
    base_amount: Money = Field(..., description="Convention tariff the rate applies to.")
    reimbursement_rate: int
    participation_forfaitaire: Money
    amount_reimbursed: Money | None = Field(None, description="null while pending.")
    status: ReimbursementStatus
    received_on: date
    payment_date: date | None
    rejection_code: str | None
    rejection_reason: str | None
    paper_form: bool


class ReimbursementPage(ApiModel):
    member_id: str
    total: int
    limit: int
    offset: int
    items: list[Reimbursement]


class MissingDocument(ApiModel):
    code: str
    label: str
    expected_from: str = Field(..., description="employeur | assuré | ...")
    requested_on: date


class DailyAllowancePayment(ApiModel):
    id: str
    period_start: date
    period_end: date
    days: int
    amount: Money
    paid_on: date


class SickLeave(ApiModel):
    id: str
    kind: str = Field(..., description="maladie | maternite | paternite")
    start_date: date
    end_date: date
    ongoing: bool
    prescriber: str | None
    employer: str | None
    waiting_days: int
    daily_amount: Money | None
    allowance_status: str = Field(..., description="in_payment | paid | blocked | not_compensated")
    blocked_reason: str | None
    missing_documents: list[MissingDocument]
    payments: list[DailyAllowancePayment]
    total_paid: Money
    last_payment_on: date | None
    next_payment_expected_on: date | None


class SickLeaveList(ApiModel):
    member_id: str
    items: list[SickLeave]


class RightsCertificate(ApiModel):
    document_id: str
    member_id: str
    title: str
    link: str
    created_at: datetime
    rights_open_until: date
    beneficiaries: list[str]


class Document(ApiModel):
    id: str
    member_id: str
    kind: str
    title: str
    created_at: datetime
    content: str


class VitaleOrder(ApiModel):
    status: str = Field(
        ..., description="commande_enregistree | photo_recue | en_fabrication | envoyee"
    )
    ordered_on: date | None
    photo_received_on: date | None
    manufacturing_started_on: date | None
    sent_on: date | None
    expected_delivery_on: date | None


class LossDeclaration(ApiModel):
    id: str
    member_id: str
    reason: LossReason
    declared_at: datetime
    status: str
    created: bool = Field(..., description="false when an open declaration already existed.")


class VitaleCard(ApiModel):
    member_id: str
    card_status: str = Field(..., description="active | none | opposed")
    card_issued_on: date | None
    app_activated: bool
    order: VitaleOrder | None
    open_loss_declaration: LossDeclaration | None


class LossDeclarationRequest(ApiModel):
    reason: LossReason


class GpDeclaration(ApiModel):
    member_id: str
    declared: bool
    doctor_name: str | None
    city: str | None
    declared_on: date | None


class C2sStatus(ApiModel):
    member_id: str
    status: str = Field(..., description="none | pending | active | expired | refused")
    application_date: date | None
    expected_decision_by: date | None = Field(
        None, description="Pending: the caisse answers within two months of a complete file."
    )
    decision_date: date | None
    rights_start: date | None
    rights_end: date | None
    monthly_participation: Money | None = Field(
        None, description="0.00 when free; the monthly contribution otherwise."
    )
    people_covered: int
    missing_documents: list[MissingDocument]


class Ald(ApiModel):
    id: str
    label: str
    exonerating: bool
    start_date: date
    end_date: date
    active: bool
    protocol_by: str | None


class AldStatus(ApiModel):
    member_id: str
    has_active_ald: bool
    items: list[Ald]


class EstimateSituation(ApiModel):
    age: int
    has_gp: bool
    c2s_active: bool
    ald_active: bool
    maternity_cover: bool
    participation_paid_this_year: Money


class EstimateSource(ApiModel):
    figure: str
    source_url: str
    checked: str
    page_updated: str


class CareCostEstimate(ApiModel):
    member_id: str
    beneficiary_id: str | None
    care_type: CareType
    care_label: str
    estimate_available: bool
    convention_tariff: Money | None
    reimbursement_rate: int | None = Field(
        None, description="Assurance Maladie rate, percent (typical rate when no estimate)."
    )
    participation_forfaitaire: Money | None
    amount_reimbursed: Money | None = Field(None, description="Assurance Maladie share.")
    c2s_cover: Money | None = Field(None, description="Share paid by the C2S, if any.")
    left_to_pay: Money | None = Field(
        None, description="Left to pay before any complementary insurance other than the C2S."
    )
    no_estimate_reason: str | None
    explanations: list[str]
    situation: EstimateSituation
    sources: list[EstimateSource]


# Starts with a visible character; no control characters but tab and line breaks (PostgreSQL
# refuses NUL in text, and a ticket is read by a person). Written in the schema so that clients
# know.
TEXT_PATTERN = r"^[^\u0000-\u0020\u007F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"


def _valid_unicode(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


class TicketRequest(ApiModel):
    topic: Topic
    # strict: a JSON number is not a subject (pydantic 1 would turn 12 into "12", accepting a
    # request its own schema refuses; schemathesis' negative-data check found it)
    subject: constr(strict=True, min_length=1, max_length=200, regex=TEXT_PATTERN)
    summary: constr(strict=True, min_length=1, max_length=4000, regex=TEXT_PATTERN)

    _unicode = validator("subject", "summary", allow_reuse=True)(_valid_unicode)


class Ticket(ApiModel):
    id: str
    member_id: str
    topic: str
    subject: str
    summary: str
    status: str = Field(..., description="open | answered")
    created_at: datetime
    expected_reply_by: date


class TicketList(ApiModel):
    member_id: str
    items: list[Ticket]


class Faults(ApiModel):
    latency_ms: int = Field(0, ge=0, le=600_000)
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    seed: int | None = Field(
        None, description="Seed the error draw for a reproducible sequence of failures."
    )


class FaultsState(Faults):
    requests_seen: int
    errors_injected: int


class AuditEntry(ApiModel):
    at: datetime
    caller: str
    member_id: str
    resource: str
    action: str
    status_code: int


class AuditPage(ApiModel):
    items: list[AuditEntry]
