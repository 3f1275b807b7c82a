"""The only code that talks to the member-information system.

Async (httpx), typed results (dataclasses: dates as `datetime.date`, amounts as `Decimal`), a
timeout on every attempt, one retry on idempotent requests (reads, and the loss declaration,
which the service makes idempotent), a deadline on every call, its retry included
(MEMBER_SYSTEM_DEADLINE, 3.5 s: the member is answered within 5 s however slow the system is),
and one error for "the system cannot answer now":
`MemberSystemUnavailable` (transport error, timeout, 5xx, refused service key). An unknown member
is `MemberNotFound`. No knowledge of Rasa.

    client = MemberClient()                      # defaults from actions/settings.py
    page = await client.list_reimbursements("P-CLAIRE-REMB", status="pending")
    await client.aclose()                        # or: async with MemberClient() as client

The underlying HTTP client is created on first use and reused (connection pooling), never at
import time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from actions import settings

log = logging.getLogger(__name__)

RETRY_DELAY_SECONDS = 0.1


class MemberSystemError(Exception):
    """Base class of the client's errors."""


class MemberSystemUnavailable(MemberSystemError):
    """The member-information system cannot answer now (down, slow, failing, misconfigured)."""


class MemberNotFound(MemberSystemError):
    """No member (or no item of the member) with this id."""


class RightsClosed(MemberSystemError):
    """The member's rights are closed: no rights certificate can be issued."""


class RequestRejected(MemberSystemError):
    """The service refused the request as invalid (a bug on our side, not the member's)."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code, self.detail = status_code, detail


# --- results -------------------------------------------------------------------------------
def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _money(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@dataclass(frozen=True)
class Address:
    street: str | None
    postal_code: str | None
    city: str | None


@dataclass(frozen=True)
class Dependent:
    id: str
    first_name: str
    last_name: str
    birth_date: date
    relationship: str
    attached_on: date


@dataclass(frozen=True)
class Member:
    id: str
    first_name: str
    last_name: str
    sex: str
    birth_date: date
    nir_masked: str
    email: str | None
    phone: str | None
    address: Address
    cpam: str
    complementary_health: str | None
    rights_open: bool
    rights_open_since: date
    rights_open_until: date
    has_gp: bool
    c2s_status: str
    ald_active: bool
    maternity_cover: bool
    dependents: tuple[Dependent, ...]
    is_demo_persona: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Member:
        rights = data["rights"]
        return cls(
            id=data["id"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            sex=data["sex"],
            birth_date=_date(data["birth_date"]),
            nir_masked=data["nir_masked"],
            email=data.get("email"),
            phone=data.get("phone"),
            address=Address(**data["address"]),
            cpam=data["cpam"],
            complementary_health=data.get("complementary_health"),
            rights_open=rights["status"] == "open",
            rights_open_since=_date(rights["open_since"]),
            rights_open_until=_date(rights["open_until"]),
            has_gp=data["has_gp"],
            c2s_status=data["c2s_status"],
            ald_active=data["ald_active"],
            maternity_cover=data["maternity_cover"],
            dependents=tuple(
                Dependent(
                    id=d["id"],
                    first_name=d["first_name"],
                    last_name=d["last_name"],
                    birth_date=_date(d["birth_date"]),
                    relationship=d["relationship"],
                    attached_on=_date(d["attached_on"]),
                )
                for d in data["dependents"]
            ),
            is_demo_persona=data["is_demo_persona"],
        )


@dataclass(frozen=True)
class Reimbursement:
    id: str
    beneficiary_id: str | None
    beneficiary_name: str
    care_date: date
    care_type: str
    care_label: str
    practitioner_name: str | None
    practitioner_specialty: str | None
    amount_paid: Decimal
    base_amount: Decimal
    reimbursement_rate: int
    participation_forfaitaire: Decimal
    amount_reimbursed: Decimal | None
    status: str  # paid | pending | rejected
    received_on: date
    payment_date: date | None
    rejection_code: str | None
    rejection_reason: str | None
    paper_form: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reimbursement:
        return cls(
            id=data["id"],
            beneficiary_id=data.get("beneficiary_id"),
            beneficiary_name=data["beneficiary_name"],
            care_date=_date(data["care_date"]),
            care_type=data["care_type"],
            care_label=data["care_label"],
            practitioner_name=data.get("practitioner_name"),
            practitioner_specialty=data.get("practitioner_specialty"),
            amount_paid=_money(data["amount_paid"]),
            base_amount=_money(data["base_amount"]),
            reimbursement_rate=data["reimbursement_rate"],
            participation_forfaitaire=_money(data["participation_forfaitaire"]),
            amount_reimbursed=_money(data.get("amount_reimbursed")),
            status=data["status"],
            received_on=_date(data["received_on"]),
            payment_date=_date(data.get("payment_date")),
            rejection_code=data.get("rejection_code"),
            rejection_reason=data.get("rejection_reason"),
            paper_form=data["paper_form"],
        )


@dataclass(frozen=True)
class ReimbursementPage:
    member_id: str
    total: int
    limit: int
    offset: int
    items: tuple[Reimbursement, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReimbursementPage:
        return cls(
            member_id=data["member_id"],
            total=data["total"],
            limit=data["limit"],
            offset=data["offset"],
            items=tuple(Reimbursement.from_json(item) for item in data["items"]),
        )


@dataclass(frozen=True)
class MissingDocument:
    code: str
    label: str
    expected_from: str
    requested_on: date

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MissingDocument:
        return cls(
            code=data["code"],
            label=data["label"],
            expected_from=data["expected_from"],
            requested_on=_date(data["requested_on"]),
        )


@dataclass(frozen=True)
class DailyAllowancePayment:
    id: str
    period_start: date
    period_end: date
    days: int
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class SickLeave:
    id: str
    kind: str  # maladie | maternite | paternite
    start_date: date
    end_date: date
    ongoing: bool
    prescriber: str | None
    employer: str | None
    waiting_days: int
    daily_amount: Decimal | None
    allowance_status: str  # in_payment | paid | blocked | not_compensated
    blocked_reason: str | None
    missing_documents: tuple[MissingDocument, ...]
    payments: tuple[DailyAllowancePayment, ...]
    total_paid: Decimal
    last_payment_on: date | None
    next_payment_expected_on: date | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SickLeave:
        return cls(
            id=data["id"],
            kind=data["kind"],
            start_date=_date(data["start_date"]),
            end_date=_date(data["end_date"]),
            ongoing=data["ongoing"],
            prescriber=data.get("prescriber"),
            employer=data.get("employer"),
            waiting_days=data["waiting_days"],
            daily_amount=_money(data.get("daily_amount")),
            allowance_status=data["allowance_status"],
            blocked_reason=data.get("blocked_reason"),
            missing_documents=tuple(
                MissingDocument.from_json(m) for m in data["missing_documents"]
            ),
            payments=tuple(
                DailyAllowancePayment(
                    id=p["id"],
                    period_start=_date(p["period_start"]),
                    period_end=_date(p["period_end"]),
                    days=p["days"],
                    amount=_money(p["amount"]),
                    paid_on=_date(p["paid_on"]),
                )
                for p in data["payments"]
            ),
            total_paid=_money(data["total_paid"]),
            last_payment_on=_date(data.get("last_payment_on")),
            next_payment_expected_on=_date(data.get("next_payment_expected_on")),
        )


@dataclass(frozen=True)
class RightsCertificate:
    document_id: str
    member_id: str
    title: str
    link: str
    created_at: datetime
    rights_open_until: date
    beneficiaries: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RightsCertificate:
        return cls(
            document_id=data["document_id"],
            member_id=data["member_id"],
            title=data["title"],
            link=data["link"],
            created_at=_datetime(data["created_at"]),
            rights_open_until=_date(data["rights_open_until"]),
            beneficiaries=tuple(data["beneficiaries"]),
        )


@dataclass(frozen=True)
class VitaleOrder:
    status: str  # commande_enregistree | photo_recue | en_fabrication | envoyee
    ordered_on: date | None
    photo_received_on: date | None
    manufacturing_started_on: date | None
    sent_on: date | None
    expected_delivery_on: date | None


@dataclass(frozen=True)
class LossDeclaration:
    id: str
    member_id: str
    reason: str  # lost | stolen
    declared_at: datetime
    status: str
    created: bool  # False when an open declaration already existed

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LossDeclaration:
        return cls(
            id=data["id"],
            member_id=data["member_id"],
            reason=data["reason"],
            declared_at=_datetime(data["declared_at"]),
            status=data["status"],
            created=data["created"],
        )


@dataclass(frozen=True)
class VitaleCard:
    member_id: str
    card_status: str  # active | none | opposed
    card_issued_on: date | None
    app_activated: bool
    order: VitaleOrder | None
    open_loss_declaration: LossDeclaration | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VitaleCard:
        order = data.get("order")
        declaration = data.get("open_loss_declaration")
        return cls(
            member_id=data["member_id"],
            card_status=data["card_status"],
            card_issued_on=_date(data.get("card_issued_on")),
            app_activated=data["app_activated"],
            order=VitaleOrder(
                status=order["status"],
                ordered_on=_date(order.get("ordered_on")),
                photo_received_on=_date(order.get("photo_received_on")),
                manufacturing_started_on=_date(order.get("manufacturing_started_on")),
                sent_on=_date(order.get("sent_on")),
                expected_delivery_on=_date(order.get("expected_delivery_on")),
            )
            if order
            else None,
            open_loss_declaration=LossDeclaration.from_json(declaration) if declaration else None,
        )


@dataclass(frozen=True)
class GpDeclaration:
    member_id: str
    declared: bool
    doctor_name: str | None
    city: str | None
    declared_on: date | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GpDeclaration:
        return cls(
            member_id=data["member_id"],
            declared=data["declared"],
            doctor_name=data.get("doctor_name"),
            city=data.get("city"),
            declared_on=_date(data.get("declared_on")),
        )


@dataclass(frozen=True)
class C2sStatus:
    member_id: str
    status: str  # none | pending | active | expired | refused
    application_date: date | None
    expected_decision_by: date | None
    decision_date: date | None
    rights_start: date | None
    rights_end: date | None
    monthly_participation: Decimal | None
    people_covered: int
    missing_documents: tuple[MissingDocument, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> C2sStatus:
        return cls(
            member_id=data["member_id"],
            status=data["status"],
            application_date=_date(data.get("application_date")),
            expected_decision_by=_date(data.get("expected_decision_by")),
            decision_date=_date(data.get("decision_date")),
            rights_start=_date(data.get("rights_start")),
            rights_end=_date(data.get("rights_end")),
            monthly_participation=_money(data.get("monthly_participation")),
            people_covered=data["people_covered"],
            missing_documents=tuple(
                MissingDocument.from_json(m) for m in data["missing_documents"]
            ),
        )


@dataclass(frozen=True)
class Ald:
    id: str
    label: str
    exonerating: bool
    start_date: date
    end_date: date
    active: bool
    protocol_by: str | None


@dataclass(frozen=True)
class AldStatus:
    member_id: str
    has_active_ald: bool
    items: tuple[Ald, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AldStatus:
        return cls(
            member_id=data["member_id"],
            has_active_ald=data["has_active_ald"],
            items=tuple(
                Ald(
                    id=a["id"],
                    label=a["label"],
                    exonerating=a["exonerating"],
                    start_date=_date(a["start_date"]),
                    end_date=_date(a["end_date"]),
                    active=a["active"],
                    protocol_by=a.get("protocol_by"),
                )
                for a in data["items"]
            ),
        )


@dataclass(frozen=True)
class CareCostEstimate:
    member_id: str
    beneficiary_id: str | None
    care_type: str
    care_label: str
    estimate_available: bool
    convention_tariff: Decimal | None
    reimbursement_rate: int | None
    participation_forfaitaire: Decimal | None
    amount_reimbursed: Decimal | None
    c2s_cover: Decimal | None
    left_to_pay: Decimal | None
    no_estimate_reason: str | None
    explanations: tuple[str, ...]
    age: int
    has_gp: bool
    c2s_active: bool
    ald_active: bool
    maternity_cover: bool
    source_urls: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CareCostEstimate:
        situation = data["situation"]
        return cls(
            member_id=data["member_id"],
            beneficiary_id=data.get("beneficiary_id"),
            care_type=data["care_type"],
            care_label=data["care_label"],
            estimate_available=data["estimate_available"],
            convention_tariff=_money(data.get("convention_tariff")),
            reimbursement_rate=data.get("reimbursement_rate"),
            participation_forfaitaire=_money(data.get("participation_forfaitaire")),
            amount_reimbursed=_money(data.get("amount_reimbursed")),
            c2s_cover=_money(data.get("c2s_cover")),
            left_to_pay=_money(data.get("left_to_pay")),
            no_estimate_reason=data.get("no_estimate_reason"),
            explanations=tuple(data["explanations"]),
            age=situation["age"],
            has_gp=situation["has_gp"],
            c2s_active=situation["c2s_active"],
            ald_active=situation["ald_active"],
            maternity_cover=situation["maternity_cover"],
            source_urls=tuple(dict.fromkeys(s["source_url"] for s in data["sources"])),
        )


@dataclass(frozen=True)
class Ticket:
    id: str
    member_id: str
    topic: str
    subject: str
    summary: str
    status: str  # open | answered
    created_at: datetime
    expected_reply_by: date

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ticket:
        return cls(
            id=data["id"],
            member_id=data["member_id"],
            topic=data["topic"],
            subject=data["subject"],
            summary=data["summary"],
            status=data["status"],
            created_at=_datetime(data["created_at"]),
            expected_reply_by=_date(data["expected_reply_by"]),
        )


# --- the client ----------------------------------------------------------------------------
class MemberClient:
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        *,
        deadline: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.base_url = (base_url or settings.member_system_url()).rstrip("/")
        self._api_key = api_key or settings.member_system_api_key()
        self.timeout = timeout if timeout is not None else settings.member_system_timeout()
        self.deadline = deadline if deadline is not None else settings.member_system_deadline()
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                headers={"X-API-Key": self._api_key, "Accept": "application/json"},
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                transport=self._transport,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> MemberClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        retry: bool,
        expected: tuple[int, ...] = (200,),
    ) -> dict[str, Any]:
        attempts = 2 if retry else 1
        params = {k: v for k, v in (params or {}).items() if v is not None}
        last_error = "no attempt"
        deadline = time.monotonic() + self.deadline
        for attempt in range(1, attempts + 1):
            try:
                response = await asyncio.wait_for(
                    self._client().request(method, path, params=params, json=json),
                    # a hard ceiling in case a slow server keeps sending bytes, and the call's
                    # deadline: two attempts of `timeout` would keep the member waiting too long
                    timeout=max(0.0, min(self.timeout * 2, deadline - time.monotonic())),
                )
            except (httpx.TransportError, asyncio.TimeoutError) as exc:
                last_error = f"{type(exc).__name__}"
            else:
                if response.status_code in expected:
                    return response.json()
                if response.status_code >= 500:
                    last_error = f"HTTP {response.status_code}"
                else:
                    self._raise_for_client_error(response)
            if attempt < attempts and deadline - time.monotonic() <= RETRY_DELAY_SECONDS:
                last_error += ", no time left to retry"
                break
            if attempt < attempts:
                log.info("member system: %s %s failed (%s), retrying", method, path, last_error)
                await asyncio.sleep(RETRY_DELAY_SECONDS)
        log.warning("member system unavailable: %s %s (%s)", method, path, last_error)
        raise MemberSystemUnavailable(f"{method} {path}: {last_error}")

    @staticmethod
    def _raise_for_client_error(response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = body.get("code") if isinstance(body, dict) else None
        detail = str(body.get("detail", response.text) if isinstance(body, dict) else body)
        if response.status_code == 404:
            raise MemberNotFound(detail)
        if response.status_code == 401:
            log.error("member system refused the service key (MEMBER_SYSTEM_API_KEY)")
            raise MemberSystemUnavailable("service key refused")
        if response.status_code == 409 and code == "rights_closed":
            raise RightsClosed(detail)
        raise RequestRejected(response.status_code, detail)

    @staticmethod
    def _member_path(member_id: str, suffix: str = "") -> str:
        if not member_id or "/" in member_id:
            raise MemberNotFound(f"invalid member id {member_id!r}")
        return f"/v1/members/{member_id}{suffix}"

    # --- reads (retried once) ---------------------------------------------------------------
    async def get_member(self, member_id: str) -> Member:
        data = await self._request("GET", self._member_path(member_id), retry=True)
        return Member.from_json(data)

    async def list_reimbursements(
        self,
        member_id: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        care_type: str | None = None,
        status: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> ReimbursementPage:
        params = {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "care_type": care_type,
            "status": status,
            "limit": limit,
            "offset": offset,
        }
        data = await self._request(
            "GET", self._member_path(member_id, "/reimbursements"), params=params, retry=True
        )
        return ReimbursementPage.from_json(data)

    async def get_reimbursement(self, member_id: str, reimbursement_id: str) -> Reimbursement:
        path = self._member_path(member_id, f"/reimbursements/{reimbursement_id}")
        return Reimbursement.from_json(await self._request("GET", path, retry=True))

    async def list_sick_leaves(self, member_id: str) -> tuple[SickLeave, ...]:
        data = await self._request("GET", self._member_path(member_id, "/sick-leaves"), retry=True)
        return tuple(SickLeave.from_json(item) for item in data["items"])

    async def get_vitale_card(self, member_id: str) -> VitaleCard:
        data = await self._request("GET", self._member_path(member_id, "/vitale-card"), retry=True)
        return VitaleCard.from_json(data)

    async def get_gp(self, member_id: str) -> GpDeclaration:
        data = await self._request("GET", self._member_path(member_id, "/gp"), retry=True)
        return GpDeclaration.from_json(data)

    async def get_c2s(self, member_id: str) -> C2sStatus:
        data = await self._request("GET", self._member_path(member_id, "/c2s"), retry=True)
        return C2sStatus.from_json(data)

    async def get_ald(self, member_id: str) -> AldStatus:
        data = await self._request("GET", self._member_path(member_id, "/ald"), retry=True)
        return AldStatus.from_json(data)

    async def estimate_care_cost(
        self,
        member_id: str,
        care_type: str,
        *,
        beneficiary_id: str | None = None,
        ald_related: bool | None = None,
    ) -> CareCostEstimate:
        params = {
            "care_type": care_type,
            "beneficiary_id": beneficiary_id,
            "ald_related": None if ald_related is None else str(ald_related).lower(),
        }
        data = await self._request(
            "GET", self._member_path(member_id, "/care-cost-estimate"), params=params, retry=True
        )
        return CareCostEstimate.from_json(data)

    async def list_tickets(self, member_id: str) -> tuple[Ticket, ...]:
        data = await self._request("GET", self._member_path(member_id, "/messages"), retry=True)
        return tuple(Ticket.from_json(item) for item in data["items"])

    # --- writes ------------------------------------------------------------------------------
    async def declare_vitale_loss(self, member_id: str, reason: str) -> LossDeclaration:
        """`reason` is "lost" or "stolen". Idempotent on the service side, hence retried."""
        data = await self._request(
            "POST",
            self._member_path(member_id, "/vitale-card/loss-declarations"),
            json={"reason": reason},
            retry=True,
            expected=(200, 201),
        )
        return LossDeclaration.from_json(data)

    async def create_rights_certificate(self, member_id: str) -> RightsCertificate:
        """Not retried: a retry after a lost answer would create a second document."""
        data = await self._request(
            "POST",
            self._member_path(member_id, "/rights-certificates"),
            retry=False,
            expected=(201,),
        )
        return RightsCertificate.from_json(data)

    async def create_ticket(self, member_id: str, topic: str, subject: str, summary: str) -> Ticket:
        """Not retried, for the same reason as `create_rights_certificate`."""
        data = await self._request(
            "POST",
            self._member_path(member_id, "/messages"),
            json={"topic": topic, "subject": subject, "summary": summary},
            retry=False,
            expected=(201,),
        )
        return Ticket.from_json(data)
