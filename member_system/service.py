"""Reads and writes of member data, turned into the response models. No HTTP here.

Every function takes an open SQLAlchemy connection and the day the question is asked
(`today`), so that the rules ("are the rights open?", "is the ALD active?") are easy to test.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from member_system import db, schemas
from member_system.tariffs import CARE_LABELS, Situation, estimate, load_tariffs
from member_system.workdays import add_working_days

# Serialises "find the open loss declaration or create one": the service is one process, and
# this keeps the declaration idempotent under concurrent requests on SQLite and PostgreSQL alike.
_loss_lock = threading.Lock()


class MemberNotFound(LookupError):
    pass


class ItemNotFound(LookupError):
    pass


class RightsClosed(Exception):
    pass


def money(cents: int | None) -> str | None:
    if cents is None:
        return None
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def utcnow() -> datetime:
    """Now, UTC, naive: the database stores UTC instants without a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def utc(value: datetime) -> datetime:
    """A stored (naive, UTC) instant made explicit, so that the API says +00:00."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    days_in_month = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(day.day, days_in_month))


def _member_row(conn: Connection, member_id: str) -> Row:
    row = conn.execute(select(db.members).where(db.members.c.id == member_id)).first()
    if row is None:
        raise MemberNotFound(member_id)
    return row


def _c2s_status(row: Row | None, today: date) -> str:
    if row is None:
        return "none"
    if row.status == "active" and row.rights_end is not None and row.rights_end < today:
        return "expired"
    return row.status


def _ald_rows(conn: Connection, member_id: str) -> list[Row]:
    query = select(db.alds).where(db.alds.c.member_id == member_id)
    return list(conn.execute(query.order_by(db.alds.c.start_date.desc())))


def _maternity(member: Row, today: date) -> bool:
    return bool(
        member.maternity_cover_from
        and member.maternity_cover_from <= today <= member.maternity_cover_to
    )


def get_member(conn: Connection, member_id: str, today: date) -> schemas.Member:
    member = _member_row(conn, member_id)
    deps = conn.execute(
        select(db.dependents)
        .where(db.dependents.c.member_id == member_id)
        .order_by(db.dependents.c.birth_date)
    )
    c2s_row = conn.execute(select(db.c2s).where(db.c2s.c.member_id == member_id)).first()
    alds = _ald_rows(conn, member_id)
    return schemas.Member(
        id=member.id,
        first_name=member.first_name,
        last_name=member.last_name,
        sex=member.sex,
        birth_date=member.birth_date,
        nir_masked=member.nir_masked,
        email=member.email,
        phone=member.phone,
        address=schemas.Address(
            street=member.street, postal_code=member.postal_code, city=member.city
        ),
        cpam=member.cpam,
        complementary_health=member.complementary_health,
        rights=schemas.Rights(
            status="open" if member.rights_end >= today else "closed",
            open_since=member.rights_start,
            open_until=member.rights_end,
        ),
        has_gp=member.gp_declared_on is not None,
        c2s_status=_c2s_status(c2s_row, today),
        ald_active=any(a.start_date <= today <= a.end_date for a in alds),
        maternity_cover=_maternity(member, today),
        dependents=[
            schemas.Dependent(
                id=d.id,
                first_name=d.first_name,
                last_name=d.last_name,
                birth_date=d.birth_date,
                relationship=d.relationship,
                attached_on=d.attached_on,
            )
            for d in deps
        ],
        is_demo_persona=bool(member.is_persona),
    )


def _reimbursement(row: Row, member: Row) -> schemas.Reimbursement:
    if row.dependent_id:
        beneficiary = f"{row.dep_first_name} {row.dep_last_name}"
    else:
        beneficiary = f"{member.first_name} {member.last_name}"
    return schemas.Reimbursement(
        id=row.id,
        beneficiary_id=row.dependent_id,
        beneficiary_name=beneficiary,
        care_date=row.care_date,
        care_type=row.care_type,
        care_label=CARE_LABELS[row.care_type],
        practitioner_name=row.practitioner_name,
        practitioner_specialty=row.practitioner_specialty,
        amount_paid=money(row.amount_paid_cents),
        base_amount=money(row.base_cents),
        reimbursement_rate=row.rate,
        participation_forfaitaire=money(row.participation_cents),
        amount_reimbursed=money(row.amount_reimbursed_cents),
        status=row.status,
        received_on=row.received_on,
        payment_date=row.payment_date,
        rejection_code=row.rejection_code,
        rejection_reason=row.rejection_reason,
        paper_form=bool(row.paper_form),
    )


def _reimbursement_select():
    r, d = db.reimbursements, db.dependents
    return select(
        r, d.c.first_name.label("dep_first_name"), d.c.last_name.label("dep_last_name")
    ).select_from(r.outerjoin(d, r.c.dependent_id == d.c.id))


def list_reimbursements(
    conn: Connection,
    member_id: str,
    *,
    date_from: date | None,
    date_to: date | None,
    care_type: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> schemas.ReimbursementPage:
    member = _member_row(conn, member_id)
    r = db.reimbursements
    conditions = [r.c.member_id == member_id]
    if date_from:
        conditions.append(r.c.care_date >= date_from)
    if date_to:
        conditions.append(r.c.care_date <= date_to)
    if care_type:
        conditions.append(r.c.care_type == care_type)
    if status:
        conditions.append(r.c.status == status)
    if date_from and date_to and date_from > date_to:
        conditions.append(r.c.id.is_(None))  # an empty period
    where = and_(*conditions)
    total = conn.execute(select(func.count()).select_from(r).where(where)).scalar_one()
    rows = conn.execute(
        _reimbursement_select()
        .where(where)
        .order_by(r.c.care_date.desc(), r.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return schemas.ReimbursementPage(
        member_id=member_id,
        total=total,
        limit=limit,
        offset=offset,
        items=[_reimbursement(row, member) for row in rows],
    )


def get_reimbursement(
    conn: Connection, member_id: str, reimbursement_id: str
) -> schemas.Reimbursement:
    member = _member_row(conn, member_id)
    r = db.reimbursements
    row = conn.execute(
        _reimbursement_select().where(and_(r.c.member_id == member_id, r.c.id == reimbursement_id))
    ).first()
    if row is None:
        raise ItemNotFound(reimbursement_id)
    return _reimbursement(row, member)


def _missing(conn: Connection, subject: str, subject_id: str) -> list[schemas.MissingDocument]:
    m = db.missing_documents
    rows = conn.execute(
        select(m).where(and_(m.c.subject == subject, m.c.subject_id == subject_id)).order_by(m.c.id)
    )
    return [
        schemas.MissingDocument(
            code=row.code,
            label=row.label,
            expected_from=row.expected_from,
            requested_on=row.requested_on,
        )
        for row in rows
    ]


def list_sick_leaves(conn: Connection, member_id: str, today: date) -> schemas.SickLeaveList:
    _member_row(conn, member_id)
    s, p = db.sick_leaves, db.allowance_payments
    leaves = list(
        conn.execute(
            select(s).where(s.c.member_id == member_id).order_by(s.c.start_date.desc(), s.c.id)
        )
    )
    items = []
    for leave in leaves:
        payments = list(
            conn.execute(select(p).where(p.c.sick_leave_id == leave.id).order_by(p.c.period_start))
        )
        items.append(
            schemas.SickLeave(
                id=leave.id,
                kind=leave.kind,
                start_date=leave.start_date,
                end_date=leave.end_date,
                ongoing=leave.start_date <= today <= leave.end_date,
                prescriber=leave.prescriber,
                employer=leave.employer,
                waiting_days=leave.waiting_days,
                daily_amount=money(leave.daily_amount_cents),
                allowance_status=leave.allowance_status,
                blocked_reason=leave.blocked_reason,
                missing_documents=_missing(conn, "sick_leave", leave.id),
                payments=[
                    schemas.DailyAllowancePayment(
                        id=pay.id,
                        period_start=pay.period_start,
                        period_end=pay.period_end,
                        days=pay.days,
                        amount=money(pay.amount_cents),
                        paid_on=pay.paid_on,
                    )
                    for pay in payments
                ],
                total_paid=money(sum(pay.amount_cents for pay in payments)),
                last_payment_on=payments[-1].paid_on if payments else None,
                next_payment_expected_on=leave.next_payment_on,
            )
        )
    return schemas.SickLeaveList(member_id=member_id, items=items)


def create_rights_certificate(
    conn: Connection, member_id: str, today: date, base_url: str
) -> schemas.RightsCertificate:
    member = _member_row(conn, member_id)
    if member.rights_end < today:
        raise RightsClosed(member_id)
    deps = list(conn.execute(select(db.dependents).where(db.dependents.c.member_id == member_id)))
    beneficiaries = [f"{member.first_name} {member.last_name}"] + [
        f"{d.first_name} {d.last_name}" for d in deps
    ]
    document_id = f"DOC-{uuid.uuid4().hex[:12].upper()}"
    created = utcnow()
    title = f"Attestation de droits à l'assurance maladie du {today.strftime('%d/%m/%Y')}"
    content = "\n".join(
        [
            "ATTESTATION DE DROITS À L'ASSURANCE MALADIE (document de démonstration)",
            f"Assuré(e) : {member.first_name} {member.last_name}",
            f"Numéro de sécurité sociale : {member.nir_masked}",
            f"Caisse : {member.cpam}",
            f"Droits ouverts du {member.rights_start.strftime('%d/%m/%Y')} "
            f"au {member.rights_end.strftime('%d/%m/%Y')}",
            "Bénéficiaires : " + ", ".join(beneficiaries),
            f"Délivrée le {today.strftime('%d/%m/%Y')}",
        ]
    )
    conn.execute(
        insert(db.documents).values(
            id=document_id,
            member_id=member_id,
            kind="rights_certificate",
            title=title,
            created_at=created,
            content=content,
        )
    )
    return schemas.RightsCertificate(
        document_id=document_id,
        member_id=member_id,
        title=title,
        link=f"{base_url.rstrip('/')}/v1/members/{member_id}/documents/{document_id}",
        created_at=utc(created),
        rights_open_until=member.rights_end,
        beneficiaries=beneficiaries,
    )


def get_document(conn: Connection, member_id: str, document_id: str) -> schemas.Document:
    _member_row(conn, member_id)
    d = db.documents
    row = conn.execute(
        select(d).where(and_(d.c.member_id == member_id, d.c.id == document_id))
    ).first()
    if row is None:
        raise ItemNotFound(document_id)
    return schemas.Document(
        id=row.id,
        member_id=row.member_id,
        kind=row.kind,
        title=row.title,
        created_at=utc(row.created_at),
        content=row.content,
    )


def _open_declaration(conn: Connection, member_id: str) -> Row | None:
    ld = db.loss_declarations
    return conn.execute(
        select(ld)
        .where(and_(ld.c.member_id == member_id, ld.c.status == "open"))
        .order_by(ld.c.declared_at.desc())
    ).first()


def _declaration(row: Row, created: bool) -> schemas.LossDeclaration:
    return schemas.LossDeclaration(
        id=row.id,
        member_id=row.member_id,
        reason=row.reason,
        declared_at=utc(row.declared_at),
        status=row.status,
        created=created,
    )


def get_vitale_card(conn: Connection, member_id: str) -> schemas.VitaleCard:
    _member_row(conn, member_id)
    card = conn.execute(
        select(db.vitale_cards).where(db.vitale_cards.c.member_id == member_id)
    ).first()
    declaration = _open_declaration(conn, member_id)
    if card is None:
        return schemas.VitaleCard(
            member_id=member_id,
            card_status="none",
            card_issued_on=None,
            app_activated=False,
            order=None,
            open_loss_declaration=None,
        )
    order = None
    if card.order_status:
        order = schemas.VitaleOrder(
            status=card.order_status,
            ordered_on=card.ordered_on,
            photo_received_on=card.photo_received_on,
            manufacturing_started_on=card.manufacturing_started_on,
            sent_on=card.sent_on,
            expected_delivery_on=card.expected_delivery_on,
        )
    return schemas.VitaleCard(
        member_id=member_id,
        card_status=card.card_status,
        card_issued_on=card.card_issued_on,
        app_activated=bool(card.app_activated),
        order=order,
        open_loss_declaration=_declaration(declaration, False) if declaration else None,
    )


def declare_loss(
    conn: Connection, member_id: str, reason: str, today: date
) -> schemas.LossDeclaration:
    """Declare the card lost or stolen: the card is put in opposition and a new one ordered.
    Idempotent: while a declaration is open, it is returned unchanged (`created` false)."""
    _member_row(conn, member_id)
    with _loss_lock:
        existing = _open_declaration(conn, member_id)
        if existing is not None:
            return _declaration(existing, False)
        row = {
            "id": f"LD-{uuid.uuid4().hex[:12].upper()}",
            "member_id": member_id,
            "reason": reason,
            "declared_at": utcnow(),
            "status": "open",
        }
        conn.execute(insert(db.loss_declarations).values(**row))
        v = db.vitale_cards
        card = conn.execute(select(v).where(v.c.member_id == member_id)).first()
        new_order = {
            "order_status": "commande_enregistree",
            "ordered_on": today,
            "photo_received_on": None,
            "manufacturing_started_on": None,
            "sent_on": None,
            "expected_delivery_on": None,
        }
        if card is None:
            conn.execute(
                insert(v).values(
                    member_id=member_id, card_status="opposed", app_activated=False, **new_order
                )
            )
        else:
            values = {"card_status": "opposed" if card.card_status == "active" else "none"}
            if not card.order_status:
                values.update(new_order)
            conn.execute(update(v).where(v.c.member_id == member_id).values(**values))
        conn.commit()
        return schemas.LossDeclaration(
            **row | {"declared_at": utc(row["declared_at"])}, created=True
        )


def get_gp(conn: Connection, member_id: str) -> schemas.GpDeclaration:
    member = _member_row(conn, member_id)
    return schemas.GpDeclaration(
        member_id=member_id,
        declared=member.gp_declared_on is not None,
        doctor_name=member.gp_name,
        city=member.gp_city,
        declared_on=member.gp_declared_on,
    )


def get_c2s(conn: Connection, member_id: str, today: date) -> schemas.C2sStatus:
    _member_row(conn, member_id)
    row = conn.execute(select(db.c2s).where(db.c2s.c.member_id == member_id)).first()
    if row is None:
        return schemas.C2sStatus(
            member_id=member_id,
            status="none",
            application_date=None,
            expected_decision_by=None,
            decision_date=None,
            rights_start=None,
            rights_end=None,
            monthly_participation=None,
            people_covered=0,
            missing_documents=[],
        )
    status = _c2s_status(row, today)
    return schemas.C2sStatus(
        member_id=member_id,
        status=status,
        application_date=row.application_date,
        expected_decision_by=add_months(row.application_date, 2)
        if status == "pending" and row.application_date
        else None,
        decision_date=row.decision_date,
        rights_start=row.rights_start,
        rights_end=row.rights_end,
        monthly_participation=money(row.monthly_participation_cents),
        people_covered=row.people_covered,
        missing_documents=_missing(conn, "c2s", member_id),
    )


def get_ald(conn: Connection, member_id: str, today: date) -> schemas.AldStatus:
    _member_row(conn, member_id)
    items = [
        schemas.Ald(
            id=row.id,
            label=row.label,
            exonerating=bool(row.exonerating),
            start_date=row.start_date,
            end_date=row.end_date,
            active=row.start_date <= today <= row.end_date,
            protocol_by=row.protocol_by,
        )
        for row in _ald_rows(conn, member_id)
    ]
    return schemas.AldStatus(
        member_id=member_id, has_active_ald=any(item.active for item in items), items=items
    )


def care_cost_estimate(
    conn: Connection,
    member_id: str,
    care_type: str,
    today: date,
    beneficiary_id: str | None = None,
    ald_related: bool | None = None,
) -> schemas.CareCostEstimate:
    member = _member_row(conn, member_id)
    person_birth, person_id = member.birth_date, None
    if beneficiary_id and beneficiary_id != member_id:
        d = db.dependents
        dep = conn.execute(
            select(d).where(and_(d.c.member_id == member_id, d.c.id == beneficiary_id))
        ).first()
        if dep is None:
            raise ItemNotFound(beneficiary_id)
        person_birth, person_id = dep.birth_date, dep.id
    r = db.reimbursements
    paid_pf = conn.execute(
        select(func.coalesce(func.sum(r.c.participation_cents), 0)).where(
            and_(
                r.c.member_id == member_id,
                r.c.dependent_id.is_(None) if person_id is None else r.c.dependent_id == person_id,
                r.c.status != "rejected",
                r.c.care_date >= date(today.year, 1, 1),
                r.c.care_date <= date(today.year, 12, 31),
            )
        )
    ).scalar_one()
    c2s_row = conn.execute(select(db.c2s).where(db.c2s.c.member_id == member_id)).first()
    c2s_active = bool(
        c2s_row
        and c2s_row.status == "active"
        and c2s_row.rights_start
        and c2s_row.rights_start <= today <= c2s_row.rights_end
    )
    is_member = person_id is None
    situation = Situation(
        age=age_on(person_birth, today),
        has_gp=is_member and member.gp_declared_on is not None,
        c2s_active=c2s_active,
        ald_active=is_member
        and any(a.start_date <= today <= a.end_date for a in _ald_rows(conn, member_id)),
        maternity_cover=is_member and _maternity(member, today),
        participation_paid_this_year_cents=int(paid_pf),
    )
    result = estimate(care_type, situation, ald_related)
    return schemas.CareCostEstimate(
        member_id=member_id,
        beneficiary_id=person_id,
        care_type=care_type,
        care_label=result.label,
        estimate_available=result.available,
        convention_tariff=money(result.tariff_cents),
        reimbursement_rate=result.rate,
        participation_forfaitaire=money(result.participation_cents),
        amount_reimbursed=money(result.reimbursed_cents),
        c2s_cover=money(result.c2s_cents),
        left_to_pay=money(result.left_to_pay_cents),
        no_estimate_reason=result.reason,
        explanations=result.codes,
        situation=schemas.EstimateSituation(
            age=situation.age,
            has_gp=situation.has_gp,
            c2s_active=situation.c2s_active,
            ald_active=situation.ald_active,
            maternity_cover=situation.maternity_cover,
            participation_paid_this_year=money(situation.participation_paid_this_year_cents),
        ),
        sources=[schemas.EstimateSource(**source) for source in result.sources],
    )


def create_ticket(
    conn: Connection, member_id: str, request: schemas.TicketRequest, caller: str, today: date
) -> schemas.Ticket:
    _member_row(conn, member_id)
    row = {
        "id": f"T-{uuid.uuid4().hex[:10].upper()}",
        "member_id": member_id,
        "topic": request.topic.value,
        "subject": request.subject,
        "summary": request.summary,
        "status": "open",
        "created_at": utcnow(),
        # Our mock's choice (no official figure found): an adviser answers within two
        # working days.
        "expected_reply_by": add_working_days(today, 2),
        "created_by": caller,
    }
    conn.execute(insert(db.tickets).values(**row))
    fields = {k: v for k, v in row.items() if k != "created_by"}
    return schemas.Ticket(**fields | {"created_at": utc(row["created_at"])})


def list_tickets(conn: Connection, member_id: str) -> schemas.TicketList:
    _member_row(conn, member_id)
    t = db.tickets
    rows = conn.execute(
        select(t).where(t.c.member_id == member_id).order_by(t.c.created_at.desc(), t.c.id)
    )
    return schemas.TicketList(
        member_id=member_id,
        items=[
            schemas.Ticket(
                id=row.id,
                member_id=row.member_id,
                topic=row.topic,
                subject=row.subject,
                summary=row.summary,
                status=row.status,
                created_at=utc(row.created_at),
                expected_reply_by=row.expected_reply_by,
            )
            for row in rows
        ],
    )


def write_audit(
    conn: Connection, caller: str, member_id: str, resource: str, action: str, status_code: int
) -> None:
    conn.execute(
        insert(db.audit_log).values(
            at=utcnow(),
            caller=caller[:64],
            member_id=member_id[:64],
            resource=resource[:40],
            action=action,
            status_code=status_code,
        )
    )


def purge_audit(conn: Connection, before: datetime) -> int:
    """Deletes the audit entries older than `before`; how many."""
    a = db.audit_log
    return conn.execute(delete(a).where(a.c.at < before)).rowcount or 0


def list_audit(conn: Connection, member_id: str | None, limit: int) -> schemas.AuditPage:
    a = db.audit_log
    query = select(a).order_by(a.c.id.desc()).limit(limit)
    if member_id:
        query = query.where(a.c.member_id == member_id)
    return schemas.AuditPage(
        items=[
            schemas.AuditEntry(
                at=utc(row.at),
                caller=row.caller,
                member_id=row.member_id,
                resource=row.resource,
                action=row.action,
                status_code=row.status_code,
            )
            for row in conn.execute(query)
        ]
    )


def reference_date(conn: Connection) -> date | None:
    value = conn.execute(select(db.meta.c.value).where(db.meta.c.key == "reference_date")).scalar()
    return date.fromisoformat(value) if value else None


def tariffs_checked() -> str:
    return str(load_tariffs()["checked"])
