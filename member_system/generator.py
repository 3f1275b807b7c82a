"""Deterministic generator of the member data: the demo personas plus `count` generated members.

Same `seed` + same `reference_date` + same `count` -> exactly the same rows (Faker `fr_FR` and
`random.Random` are both seeded; nothing reads the clock). Histories are placed relative to
`reference_date` (by default the day the database is seeded) so that "le mois dernier" means
something: the history covers the 16 months before it.

A share of the generated members is deliberately messy, as real files are: no e-mail, no phone,
a street missing, e-mails in capitals, phone numbers in several formats, a practitioner name
missing on a reimbursement, paper care forms stuck in processing.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from faker import Faker

from member_system.personas import PERSONA_IDS
from member_system.tariffs import (
    Situation,
    estimate,
    load_tariffs,
    percent_of,
    rate_and_participation,
)
from member_system.workdays import add_working_days

HISTORY_DAYS = 490  # about 16 months

CPAMS = (
    "CPAM de Paris",
    "CPAM du Rhône",
    "CPAM des Bouches-du-Rhône",
    "CPAM de la Haute-Garonne",
    "CPAM de la Gironde",
    "CPAM du Nord - Lille-Douai",
    "CPAM de Loire-Atlantique",
    "CPAM du Bas-Rhin",
    "CPAM de l'Hérault",
    "CPAM d'Ille-et-Vilaine",
    "CPAM des Alpes-Maritimes",
    "CPAM de l'Isère",
    "CPAM du Puy-de-Dôme",
    "CPAM de la Seine-Saint-Denis",
)

MUTUELLES = (
    "Mutuelle des Tilleuls",
    "Prévoyance du Val",
    "Mutuelle Horizon Santé",
    "Complémentaire Les Glycines",
    "Mutuelle de l'Estuaire",
    "Assurance Santé Coquelicot",
)

# Reserved domains (RFC 2606 / 6761) only, so that no generated address can be a real one.
EMAIL_DOMAINS = ("exemple.test", "courriel.test", "messagerie.example", "mail.example.org")

SPECIALIST_LABELS = ("rhumatologue", "ORL", "gastro-entérologue", "endocrinologue", "pneumologue")

ALD_LABELS = (
    "Diabète de type 1 et diabète de type 2",
    "Insuffisance cardiaque grave, troubles du rythme graves",
    "Insuffisance respiratoire chronique grave",
    "Maladie coronaire",
    "Affections psychiatriques de longue durée",
    "Polyarthrite rhumatoïde évolutive",
    "Sclérose en plaques",
    "Tumeur maligne, affection maligne du tissu lymphatique ou hématopoïétique",
    "Maladie de Parkinson",
    "Rectocolite hémorragique et maladie de Crohn évolutives",
)

REJECTIONS = {
    "feuille_incomplete": (
        "Feuille de soins incomplète : la signature du professionnel de santé manque."
    ),
    "prescription_manquante": (
        "Prescription manquante : l'ordonnance du médecin n'a pas été jointe à la demande."
    ),
    "droits_fermes": "Droits fermés à la date des soins.",
    "doublon": "Ce soin a déjà été remboursé (demande reçue en double).",
    "hors_delai": "Demande reçue plus de deux ans après la date des soins.",
}

# Care types of the history and their weight for an adult.
CARE_WEIGHTS = {
    "generaliste": 30,
    "pharmacie": 28,
    "analyses": 8,
    "specialiste": 5,
    "dentiste": 6,
    "kinesitherapeute": 4,
    "radiologie": 4,
    "ophtalmologue": 3,
    "dermatologue": 2,
    "gynecologue": 3,
    "infirmier": 2,
    "psychiatre": 1,
    "cardiologue": 1,
    "lunettes": 1,
    "transport": 1,
    "hospitalisation": 1,
    "audition": 0.3,
    "sage_femme": 0.5,
}

# Amount ranges, in cents, for care types without a single convention tariff (synthetic).
AMOUNT_RANGES = {
    "pharmacie": (250, 9000),
    "kinesitherapeute": (8000, 26000),
    "infirmier": (1800, 15000),
    "sage_femme": (2500, 4500),
    "lunettes": (9000, 48000),
    "audition": (95000, 190000),
    "hospitalisation": (45000, 480000),
    "analyses": (1200, 12000),
    "radiologie": (2500, 26000),
    "transport": (3000, 21000),
    "dermatologue": (3150, 6000),
    "cardiologue": (3150, 8000),
}


@dataclass
class Dataset:
    seed: int
    reference_date: date
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in ".-")


class _Builder:
    """Shared state of one generation run."""

    def __init__(self, seed: int, reference_date: date):
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.ref = reference_date
        self.data = Dataset(seed=seed, reference_date=reference_date)
        self._counters: dict[str, int] = {}
        # participation forfaitaire already retained, per (person id, calendar year)
        self.pf_paid: dict[tuple[str, int], int] = {}
        self.c2s_by_member: dict[str, dict] = {}
        self.ald_by_member: dict[str, list[dict]] = {}
        self.dependents_by_member: dict[str, list[dict]] = {}
        load_tariffs()

    # --- small helpers -------------------------------------------------------------------
    def next_id(self, prefix: str) -> str:
        self._counters[prefix] = self._counters.get(prefix, 0) + 1
        return f"{prefix}-{self._counters[prefix]:06d}"

    def days_ago(self, days: int) -> date:
        return self.ref - timedelta(days=days)

    def days_after(self, days: int) -> date:
        return self.ref + timedelta(days=days)

    def last_month(self, day_of_month: int) -> date:
        """A day of the calendar month before the reference date."""
        first = self.ref.replace(day=1)
        previous = first - timedelta(days=1)
        return previous.replace(day=min(day_of_month, previous.day))

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour, 0))

    def nir_masked(self, sex: str, birth: date) -> str:
        return f"{1 if sex == 'M' else 2} {birth.year % 100:02d} {birth.month:02d} ** *** *** **"

    def doctor(self, specialty: str = "médecin généraliste") -> tuple[str, str]:
        female = self.rng.random() < 0.5
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        return f"Dr {first} {self.fake.last_name()}", specialty

    def practitioner(self, care_type: str) -> tuple[str | None, str | None]:
        fake, rng = self.fake, self.rng
        if care_type == "generaliste":
            return self.doctor()
        if care_type == "specialiste":
            return self.doctor(rng.choice(SPECIALIST_LABELS))
        labels = {
            "dermatologue": "dermatologue",
            "ophtalmologue": "ophtalmologue",
            "gynecologue": "gynécologue",
            "pediatre": "pédiatre",
            "psychiatre": "psychiatre",
            "cardiologue": "cardiologue",
        }
        if care_type in labels:
            return self.doctor(labels[care_type])
        person = f"{fake.first_name()} {fake.last_name()}"
        return {
            "dentiste": (f"Dr {person}", "chirurgien-dentiste"),
            "kinesitherapeute": (person, "masseur-kinésithérapeute"),
            "infirmier": (person, "infirmier"),
            "sage_femme": (person, "sage-femme"),
            "pharmacie": (f"Pharmacie {fake.last_name()}", "pharmacie"),
            "lunettes": (f"Optique {fake.last_name()}", "opticien"),
            "audition": (f"Audition {fake.city()}", "audioprothésiste"),
            "hospitalisation": (f"Centre hospitalier de {fake.city()}", "établissement de santé"),
            "analyses": (f"Laboratoire {fake.last_name()}", "laboratoire de biologie médicale"),
            "radiologie": (f"Cabinet de radiologie {fake.last_name()}", "radiologue"),
            "transport": (f"Ambulances {fake.last_name()}", "transporteur sanitaire"),
        }[care_type]

    # --- rows ------------------------------------------------------------------------------
    def member(self, **fields) -> dict:
        row = {
            "is_persona": False,
            "persona_summary": None,
            "email": None,
            "phone": None,
            "street": None,
            "postal_code": None,
            "city": None,
            "complementary_health": None,
            "gp_name": None,
            "gp_city": None,
            "gp_declared_on": None,
            "maternity_cover_from": None,
            "maternity_cover_to": None,
            "employer": None,
        }
        row.update(fields)
        row.setdefault("nir_masked", self.nir_masked(row["sex"], row["birth_date"]))
        return self.data.add("ms_member", row)

    def dependent(self, member: dict, first: str, sex: str, birth: date, attached: date) -> dict:
        row = self.data.add(
            "ms_dependent",
            {
                "id": f"{member['id']}-E{self.data.count('ms_dependent') + 1:05d}",
                "member_id": member["id"],
                "first_name": first,
                "last_name": member["last_name"],
                "sex": sex,
                "birth_date": birth,
                "relationship": "enfant",
                "attached_on": attached,
            },
        )
        self.dependents_by_member.setdefault(member["id"], []).append(row)
        return row

    def situation(self, member: dict, on: date, person: dict | None = None) -> Situation:
        """The reimbursement situation of `person` (the member or one of their dependents)."""
        person = person or member
        c2s = self.c2s_by_member.get(member["id"])
        if c2s and c2s["status"] not in ("active", "expired"):
            c2s = None
        c2s_active = bool(c2s and c2s["rights_start"] <= on <= c2s["rights_end"])
        ald_active = person is member and any(
            row["start_date"] <= on <= row["end_date"]
            for row in self.ald_by_member.get(member["id"], [])
        )
        maternity = bool(
            person is member
            and member["maternity_cover_from"]
            and member["maternity_cover_from"] <= on <= member["maternity_cover_to"]
        )
        return Situation(
            age=age_on(person["birth_date"], on),
            has_gp=person is member
            and member["gp_declared_on"] is not None
            and member["gp_declared_on"] <= on,
            c2s_active=c2s_active,
            ald_active=ald_active,
            maternity_cover=maternity,
            participation_paid_this_year_cents=self.pf_paid.get((person["id"], on.year), 0),
        )

    def reimbursement(
        self,
        member: dict,
        care_type: str,
        care_date: date,
        status: str,
        *,
        person: dict | None = None,
        practitioner: tuple[str | None, str | None] | None = None,
        amount_paid_cents: int | None = None,
        base_cents: int | None = None,
        payment_delay: int | None = None,
        received_delay: int | None = None,
        rejection: str | None = None,
        paper_form: bool = False,
    ) -> dict:
        rng = self.rng
        person = person or member
        situation = self.situation(member, care_date, person)
        name, specialty = practitioner or self.practitioner(care_type)
        result = estimate(care_type, situation)
        if result.available:
            base = result.tariff_cents
            rate, participation = result.rate, result.participation_cents
        else:
            low, high = AMOUNT_RANGES[care_type]
            base = base_cents or rng.randint(low, high)
            rate, participation = rate_and_participation(care_type, situation)
            remaining = max(0, 5000 - situation.participation_paid_this_year_cents)
            participation = min(participation, percent_of(base, rate), remaining)
        if base_cents is not None:
            base = base_cents
        paid = amount_paid_cents if amount_paid_cents is not None else base
        if received_delay is None:
            received_delay = rng.randint(12, 30) if paper_form else rng.randint(0, 3)
        received_on = min(care_date + timedelta(days=received_delay), self.ref)
        row = {
            "id": self.next_id("R"),
            "member_id": member["id"],
            "dependent_id": None if person is member else person["id"],
            "care_date": care_date,
            "care_type": care_type,
            "practitioner_name": name,
            "practitioner_specialty": specialty,
            "amount_paid_cents": paid,
            "base_cents": base,
            "rate": rate,
            "participation_cents": participation if status != "rejected" else 0,
            "amount_reimbursed_cents": None,
            "status": status,
            "received_on": received_on,
            "payment_date": None,
            "rejection_code": None,
            "rejection_reason": None,
            "paper_form": paper_form,
        }
        if status == "paid":
            delay = payment_delay if payment_delay is not None else rng.randint(2, 6)
            row["payment_date"] = min(received_on + timedelta(days=delay), self.ref)
            row["amount_reimbursed_cents"] = max(0, percent_of(base, rate) - participation)
        elif status == "rejected":
            code = rejection or rng.choice(["feuille_incomplete", "prescription_manquante"])
            row["rejection_code"] = code
            row["rejection_reason"] = REJECTIONS[code]
            row["amount_reimbursed_cents"] = 0
        if status != "rejected" and participation:
            key = (person["id"], care_date.year)
            self.pf_paid[key] = self.pf_paid.get(key, 0) + participation
        return self.data.add("ms_reimbursement", row)

    def sick_leave(
        self,
        member: dict,
        kind: str,
        start: date,
        end: date,
        daily_cents: int,
        *,
        blocked_reason: str | None = None,
        missing: tuple[tuple[str, str, str, date], ...] = (),
        prescriber: str | None = None,
    ) -> dict:
        waiting = 3 if kind == "maladie" else 0
        leave_id = self.next_id("AT")
        row = {
            "id": leave_id,
            "member_id": member["id"],
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "prescriber": prescriber or self.doctor()[0],
            "employer": member["employer"],
            "waiting_days": waiting,
            "daily_amount_cents": daily_cents,
            "allowance_status": "blocked" if blocked_reason else "in_payment",
            "blocked_reason": blocked_reason,
            "next_payment_on": None,
            "received_on": start + timedelta(days=1),
        }
        self.data.add("ms_sick_leave", row)
        for code, label, source, requested in missing:
            self.data.add(
                "ms_missing_document",
                {
                    "member_id": member["id"],
                    "subject": "sick_leave",
                    "subject_id": leave_id,
                    "code": code,
                    "label": label,
                    "expected_from": source,
                    "requested_on": requested,
                },
            )
        if blocked_reason:
            return row
        # Paid every 14 days, three days after the end of each period, from the end of the
        # waiting period; the last period stops at the end of the leave.
        period_start = start + timedelta(days=waiting)
        next_payment = None
        while period_start <= end:
            period_end = min(period_start + timedelta(days=13), end)
            paid_on = period_end + timedelta(days=3)
            if paid_on > self.ref:
                next_payment = paid_on
                break
            days = (period_end - period_start).days + 1
            self.data.add(
                "ms_allowance_payment",
                {
                    "id": self.next_id("IJ"),
                    "sick_leave_id": leave_id,
                    "period_start": period_start,
                    "period_end": period_end,
                    "days": days,
                    "amount_cents": days * daily_cents,
                    "paid_on": paid_on,
                },
            )
            period_start = period_end + timedelta(days=1)
        row["next_payment_on"] = next_payment
        row["allowance_status"] = "in_payment" if next_payment else "paid"
        if waiting and (end - start).days + 1 <= waiting:
            row["allowance_status"] = "not_compensated"
        return row

    def vitale(self, member: dict, **fields) -> dict:
        row = {
            "member_id": member["id"],
            "card_status": "active",
            "card_issued_on": None,
            "app_activated": False,
            "order_status": None,
            "ordered_on": None,
            "photo_received_on": None,
            "manufacturing_started_on": None,
            "sent_on": None,
            "expected_delivery_on": None,
        }
        row.update(fields)
        return self.data.add("ms_vitale_card", row)

    def c2s(self, member: dict, status: str, **fields) -> dict:
        row = {
            "member_id": member["id"],
            "status": status,
            "application_date": None,
            "decision_date": None,
            "rights_start": None,
            "rights_end": None,
            "monthly_participation_cents": None,
            "people_covered": 1,
        }
        row.update(fields)
        self.c2s_by_member[member["id"]] = row
        return self.data.add("ms_c2s", row)

    def ald(self, member: dict, label: str, start: date, end: date) -> dict:
        row = self.data.add(
            "ms_ald",
            {
                "id": self.next_id("ALD"),
                "member_id": member["id"],
                "label": label,
                "exonerating": True,
                "start_date": start,
                "end_date": end,
                "protocol_by": member["gp_name"] or self.doctor()[0],
            },
        )
        self.ald_by_member.setdefault(member["id"], []).append(row)
        return row

    def ticket(self, member: dict, topic: str, subject: str, summary: str, created: date) -> dict:
        return self.data.add(
            "ms_ticket",
            {
                "id": self.next_id("T"),
                "member_id": member["id"],
                "topic": topic,
                "subject": subject,
                "summary": summary,
                "status": "answered",
                "created_at": self.at(created, 9),
                "expected_reply_by": add_working_days(created, 2),
                "created_by": "member_space",
            },
        )


# --- personas --------------------------------------------------------------------------------
def build_personas(b: _Builder) -> None:
    cpam = "CPAM de Paris"
    base = {"is_persona": True, "cpam": cpam, "rights_start": date(2015, 1, 1)}
    rights_end = b.days_after(400)

    # Claire: paid, pending and rejected reimbursements.
    claire = b.member(
        id="P-CLAIRE-REMB",
        first_name="Claire",
        last_name="Fontaine",
        sex="F",
        birth_date=date(1985, 3, 14),
        email="claire.fontaine@exemple.test",
        phone="06 39 98 10 30",
        street="12 rue des Lilas",
        postal_code="75011",
        city="Paris",
        complementary_health="Mutuelle des Tilleuls",
        rights_end=rights_end,
        gp_name="Dr Hélène Brun",
        gp_city="Paris",
        gp_declared_on=date(2019, 9, 2),
        employer="Librairie Les Deux Rives",
        **base,
    )
    b.vitale(claire, card_issued_on=date(2021, 6, 3), app_activated=True)
    gp = ("Dr Hélène Brun", "médecin généraliste")
    b.reimbursement(claire, "generaliste", b.last_month(8), "paid", practitioner=gp)
    b.reimbursement(
        claire,
        "dermatologue",
        b.last_month(15),
        "paid",
        practitioner=("Dr Sophie Martin", "dermatologue"),
        base_cents=3150,
        amount_paid_cents=5000,
    )
    b.reimbursement(
        claire,
        "pharmacie",
        b.last_month(8),
        "paid",
        practitioner=("Pharmacie de la Roquette", "pharmacie"),
        base_cents=2374,
    )
    b.reimbursement(
        claire,
        "kinesitherapeute",
        b.days_ago(6),
        "pending",
        practitioner=("Marc Olivier", "masseur-kinésithérapeute"),
        base_cents=19356,
        received_delay=2,
    )
    b.reimbursement(
        claire,
        "ophtalmologue",
        b.days_ago(3),
        "pending",
        practitioner=("Dr Paul Renaud", "ophtalmologue"),
        received_delay=1,
    )
    b.reimbursement(
        claire,
        "radiologie",
        b.last_month(20),
        "rejected",
        practitioner=("Cabinet de radiologie Voltaire", "radiologue"),
        base_cents=5320,
        rejection="prescription_manquante",
    )
    b.reimbursement(
        claire,
        "dentiste",
        b.days_ago(40),
        "rejected",
        practitioner=("Dr Anne Caron", "chirurgien-dentiste"),
        paper_form=True,
        rejection="feuille_incomplete",
    )
    for days in (75, 130, 190, 260, 330):
        b.reimbursement(claire, "generaliste", b.days_ago(days), "paid", practitioner=gp)
    b.reimbursement(claire, "analyses", b.days_ago(128), "paid", base_cents=2862)

    # Karim: sick leave, allowance blocked by the missing salary certificate.
    karim = b.member(
        id="P-KARIM-IJ",
        first_name="Karim",
        last_name="Benali",
        sex="M",
        birth_date=date(1988, 7, 2),
        email="karim.benali@courriel.test",
        phone="06 39 98 17 33",
        street="4 allée des Peupliers",
        postal_code="69008",
        city="Lyon",
        complementary_health="Prévoyance du Val",
        rights_end=rights_end,
        gp_name="Dr Isabelle Perrin",
        gp_city="Lyon",
        gp_declared_on=date(2018, 1, 15),
        employer="Transports Lemaire SARL",
        **base | {"cpam": "CPAM du Rhône"},
    )
    b.vitale(karim, card_issued_on=date(2020, 2, 11))
    start = b.days_ago(20)
    b.sick_leave(
        karim,
        "maladie",
        start,
        b.days_after(10),
        3412,
        blocked_reason=(
            "Nous n'avons pas encore reçu l'attestation de salaire de votre employeur : "
            "elle est nécessaire pour calculer vos indemnités journalières."
        ),
        missing=(
            (
                "attestation_salaire",
                "Attestation de salaire",
                "employeur",
                start + timedelta(days=4),
            ),
        ),
        prescriber="Dr Isabelle Perrin",
    )
    b.reimbursement(
        karim,
        "generaliste",
        start,
        "paid",
        practitioner=("Dr Isabelle Perrin", "médecin généraliste"),
    )
    b.reimbursement(karim, "pharmacie", start, "paid", base_cents=1846)
    b.sick_leave(karim, "maladie", b.days_ago(300), b.days_ago(290), 3380)

    # Julie: maternity leave, allowances paid every 14 days, baby attached.
    birth = b.days_ago(8)
    julie = b.member(
        id="P-JULIE-MATERNITE",
        first_name="Julie",
        last_name="Marchand",
        sex="F",
        birth_date=date(1993, 11, 30),
        email="julie.marchand@exemple.test",
        phone="+33 6 39 98 24 36",
        street="27 boulevard Carnot",
        postal_code="31000",
        city="Toulouse",
        complementary_health="Mutuelle Horizon Santé",
        rights_end=rights_end,
        gp_name="Dr Camille Roux",
        gp_city="Toulouse",
        gp_declared_on=date(2020, 5, 6),
        maternity_cover_from=birth - timedelta(days=122),
        maternity_cover_to=birth + timedelta(days=12),
        employer="Agence Colibri Conseil",
        **base | {"cpam": "CPAM de la Haute-Garonne"},
    )
    b.vitale(julie, card_issued_on=date(2019, 10, 1), app_activated=True)
    b.dependent(julie, "Léon", "M", birth, b.days_ago(3))
    b.sick_leave(
        julie,
        "maternite",
        birth - timedelta(days=42),
        birth + timedelta(days=69),
        6842,
        prescriber="Dr Nathalie Vidal",
    )
    b.reimbursement(
        julie,
        "gynecologue",
        birth - timedelta(days=30),
        "paid",
        practitioner=("Dr Nathalie Vidal", "gynécologue"),
    )
    b.reimbursement(
        julie,
        "sage_femme",
        birth - timedelta(days=20),
        "paid",
        practitioner=("Aurélie Fabre", "sage-femme"),
        base_cents=3000,
    )
    b.reimbursement(
        julie,
        "hospitalisation",
        birth,
        "pending",
        practitioner=("Clinique des Pins", "établissement de santé"),
        base_cents=254000,
        received_delay=5,
    )

    # Nadia: C2S beneficiary.
    nadia = b.member(
        id="P-NADIA-C2S",
        first_name="Nadia",
        last_name="Lefèvre",
        sex="F",
        birth_date=date(1980, 2, 9),
        email="nadia.lefevre@messagerie.example",
        phone="06 39 98 31 39",
        street="8 impasse du Moulin",
        postal_code="13003",
        city="Marseille",
        rights_end=rights_end,
        gp_name="Dr Karine Blanc",
        gp_city="Marseille",
        gp_declared_on=date(2017, 3, 21),
        **base | {"cpam": "CPAM des Bouches-du-Rhône"},
    )
    b.vitale(nadia, card_issued_on=date(2018, 4, 17))
    b.c2s(
        nadia,
        "active",
        application_date=b.days_ago(170),
        decision_date=b.days_ago(150),
        rights_start=b.days_ago(149),
        rights_end=b.days_ago(149) + timedelta(days=364),
        monthly_participation_cents=0,
        people_covered=1,
    )
    gp_nadia = ("Dr Karine Blanc", "médecin généraliste")
    b.reimbursement(nadia, "generaliste", b.last_month(12), "paid", practitioner=gp_nadia)
    b.reimbursement(nadia, "pharmacie", b.last_month(12), "paid", base_cents=3120)
    b.reimbursement(nadia, "dentiste", b.days_ago(60), "paid")

    # Thomas: C2S application under review, a document requested.
    thomas = b.member(
        id="P-THOMAS-C2S-ATTENTE",
        first_name="Thomas",
        last_name="Girard",
        sex="M",
        birth_date=date(1999, 6, 18),
        email="thomas.girard@courriel.test",
        phone="0639983842",
        street="3 rue Pasteur",
        postal_code="59000",
        city="Lille",
        rights_end=rights_end,
        gp_name="Dr Marc Lefort",
        gp_city="Lille",
        gp_declared_on=date(2022, 2, 2),
        **base | {"cpam": "CPAM du Nord - Lille-Douai"},
    )
    b.vitale(thomas, card_issued_on=date(2017, 7, 12))
    b.c2s(thomas, "pending", application_date=b.days_ago(18), people_covered=1)
    b.data.add(
        "ms_missing_document",
        {
            "member_id": thomas["id"],
            "subject": "c2s",
            "subject_id": thomas["id"],
            "code": "justificatif_ressources",
            "label": "Justificatif de vos ressources des 12 derniers mois",
            "expected_from": "assuré",
            "requested_on": b.days_ago(9),
        },
    )
    b.reimbursement(
        thomas,
        "generaliste",
        b.last_month(3),
        "paid",
        practitioner=("Dr Marc Lefort", "médecin généraliste"),
    )

    # Michel: ALD, 100 % until a date.
    michel = b.member(
        id="P-MICHEL-ALD",
        first_name="Michel",
        last_name="Roussel",
        sex="M",
        birth_date=date(1963, 9, 5),
        email="michel.roussel@exemple.test",
        phone="06 39 98 45 45",
        street="15 chemin des Vignes",
        postal_code="33000",
        city="Bordeaux",
        complementary_health="Mutuelle de l'Estuaire",
        rights_end=rights_end,
        gp_name="Dr Philippe Garcia",
        gp_city="Bordeaux",
        gp_declared_on=date(2012, 10, 8),
        **base | {"cpam": "CPAM de la Gironde"},
    )
    b.vitale(michel, card_issued_on=date(2016, 1, 20))
    b.ald(michel, "Diabète de type 1 et diabète de type 2", b.days_ago(1100), b.days_after(726))
    gp_michel = ("Dr Philippe Garcia", "médecin généraliste")
    for days in (10, 100, 190, 280):
        b.reimbursement(michel, "generaliste", b.days_ago(days), "paid", practitioner=gp_michel)
        b.reimbursement(michel, "analyses", b.days_ago(days - 3), "paid", base_cents=3564)
        b.reimbursement(michel, "pharmacie", b.days_ago(days), "paid", base_cents=8740)
    b.reimbursement(
        michel,
        "ophtalmologue",
        b.last_month(18),
        "paid",
        practitioner=("Dr Claire Lopez", "ophtalmologue"),
    )

    # Léa: no médecin traitant.
    lea = b.member(
        id="P-LEA-SANS-MT",
        first_name="Léa",
        last_name="Dubois",
        sex="F",
        birth_date=date(2000, 4, 22),
        email="lea.dubois@mail.example.org",
        phone="06 39 98 52 48",
        street="41 quai de la Fosse",
        postal_code="44000",
        city="Nantes",
        complementary_health="Assurance Santé Coquelicot",
        rights_end=rights_end,
        employer="Atelier Vélo Nantais",
        **base | {"cpam": "CPAM de Loire-Atlantique"},
    )
    b.vitale(lea, card_issued_on=date(2016, 5, 30))
    b.reimbursement(lea, "generaliste", b.last_month(22), "paid")
    b.reimbursement(lea, "generaliste", b.days_ago(150), "paid")
    b.reimbursement(lea, "pharmacie", b.last_month(22), "paid", base_cents=1290)

    # Sophie: three children attached.
    sophie = b.member(
        id="P-SOPHIE-FAMILLE",
        first_name="Sophie",
        last_name="Garnier",
        sex="F",
        birth_date=date(1987, 1, 27),
        email="sophie.garnier@exemple.test",
        phone="06 39 98 59 51",
        street="9 rue du Général Leclerc",
        postal_code="67000",
        city="Strasbourg",
        complementary_health="Mutuelle des Tilleuls",
        rights_end=rights_end,
        gp_name="Dr Luc Schmitt",
        gp_city="Strasbourg",
        gp_declared_on=date(2014, 6, 12),
        employer="Pharmacie Kléber",
        **base | {"cpam": "CPAM du Bas-Rhin"},
    )
    b.vitale(sophie, card_issued_on=date(2019, 3, 8), app_activated=True)
    ines = b.dependent(sophie, "Inès", "F", date(2015, 5, 3), date(2015, 5, 20))
    malo = b.dependent(sophie, "Malo", "M", date(2019, 8, 14), date(2019, 9, 2))
    rose = b.dependent(sophie, "Rose", "F", b.days_ago(560), b.days_ago(540))
    pediatre = ("Dr Emma Klein", "pédiatre")
    b.reimbursement(sophie, "pediatre", b.last_month(5), "paid", person=rose, practitioner=pediatre)
    b.reimbursement(
        sophie,
        "pediatre",
        b.days_ago(4),
        "pending",
        person=malo,
        practitioner=pediatre,
        received_delay=1,
    )
    b.reimbursement(
        sophie,
        "generaliste",
        b.last_month(17),
        "paid",
        person=ines,
        practitioner=("Dr Luc Schmitt", "médecin généraliste"),
    )
    b.reimbursement(sophie, "dentiste", b.days_ago(95), "paid", person=ines)
    b.reimbursement(sophie, "pharmacie", b.last_month(5), "paid", person=rose, base_cents=845)
    b.reimbursement(
        sophie,
        "generaliste",
        b.days_ago(210),
        "paid",
        practitioner=("Dr Luc Schmitt", "médecin généraliste"),
    )

    # Antoine: carte Vitale order in progress.
    antoine = b.member(
        id="P-ANTOINE-VITALE",
        first_name="Antoine",
        last_name="Moreau",
        sex="M",
        birth_date=date(1992, 12, 1),
        email="antoine.moreau@courriel.test",
        phone="06 39 98 66 54",
        street="2 place Jean Jaurès",
        postal_code="34000",
        city="Montpellier",
        complementary_health="Mutuelle Horizon Santé",
        rights_end=rights_end,
        gp_name="Dr Sarah Benoit",
        gp_city="Montpellier",
        gp_declared_on=date(2021, 11, 9),
        employer="Studio Graphique Méditerranée",
        **base | {"cpam": "CPAM de l'Hérault"},
    )
    b.vitale(
        antoine,
        card_status="none",
        order_status="en_fabrication",
        ordered_on=b.days_ago(12),
        photo_received_on=b.days_ago(10),
        manufacturing_started_on=b.days_ago(4),
        expected_delivery_on=b.days_after(10),
    )
    b.reimbursement(
        antoine,
        "generaliste",
        b.last_month(9),
        "paid",
        practitioner=("Dr Sarah Benoit", "médecin généraliste"),
    )

    # Emma: no history at all.
    emma = b.member(
        id="P-EMMA-NOUVELLE",
        first_name="Emma",
        last_name="Petit",
        sex="F",
        birth_date=date(2003, 8, 9),
        email="emma.petit@exemple.test",
        phone="06 39 98 73 57",
        street="18 rue Saint-Malo",
        postal_code="35000",
        city="Rennes",
        rights_end=b.days_after(300),
        **base | {"cpam": "CPAM d'Ille-et-Vilaine", "rights_start": b.days_ago(14)},
    )
    b.vitale(emma, card_status="none")

    # Hugo: rights closed.
    hugo = b.member(
        id="P-HUGO-DROITS-FERMES",
        first_name="Hugo",
        last_name="Lambert",
        sex="M",
        birth_date=date(1997, 2, 11),
        email="hugo.lambert@messagerie.example",
        phone="06 39 98 80 60",
        street="5 rue de la République",
        postal_code="38000",
        city="Grenoble",
        rights_end=b.days_ago(45),
        gp_name="Dr Julien Masson",
        gp_city="Grenoble",
        gp_declared_on=date(2021, 3, 3),
        **base | {"cpam": "CPAM de l'Isère", "rights_start": date(2019, 9, 1)},
    )
    b.vitale(hugo, card_issued_on=date(2019, 10, 15))
    b.reimbursement(
        hugo,
        "generaliste",
        b.days_ago(80),
        "paid",
        practitioner=("Dr Julien Masson", "médecin généraliste"),
    )
    b.reimbursement(
        hugo,
        "generaliste",
        b.last_month(14),
        "rejected",
        practitioner=("Dr Julien Masson", "médecin généraliste"),
        rejection="droits_fermes",
    )
    b.reimbursement(
        hugo, "pharmacie", b.last_month(14), "rejected", base_cents=2150, rejection="droits_fermes"
    )

    # Gérard: messy, incomplete file; paper form pending; card sent.
    gerard = b.member(
        id="P-GERARD-INCOMPLET",
        first_name="GÉRARD",
        last_name="LEMOINE",
        sex="M",
        birth_date=date(1955, 5, 17),
        email=None,
        phone=None,
        street=None,
        postal_code="63000",
        city="CLERMONT-FERRAND",
        rights_end=rights_end,
        gp_name="Dr Bernard Faure",
        gp_city="Clermont-Ferrand",
        gp_declared_on=date(2010, 4, 1),
        **base | {"cpam": "CPAM du Puy-de-Dôme"},
    )
    b.vitale(
        gerard,
        card_status="none",
        order_status="envoyee",
        ordered_on=b.days_ago(26),
        photo_received_on=b.days_ago(21),
        manufacturing_started_on=b.days_ago(14),
        sent_on=b.days_ago(2),
        expected_delivery_on=b.days_after(5),
    )
    b.reimbursement(
        gerard,
        "specialiste",
        b.days_ago(33),
        "pending",
        practitioner=(None, None),
        paper_form=True,
        received_delay=14,
    )
    b.reimbursement(
        gerard,
        "generaliste",
        b.last_month(2),
        "paid",
        practitioner=("Dr Bernard Faure", "médecin généraliste"),
    )
    b.reimbursement(
        gerard,
        "pharmacie",
        b.days_ago(200),
        "paid",
        base_cents=5630,
        practitioner=(None, "pharmacie"),
    )

    built = [row["id"] for row in b.data.rows["ms_member"]]
    assert tuple(built) == PERSONA_IDS, "every persona of personas.py is built, in order"
    for row in b.data.rows["ms_member"]:
        row["persona_summary"] = next(p.situation for p in _personas() if p.id == row["id"])


def _personas():
    from member_system.personas import PERSONAS

    return PERSONAS


# --- generated members -------------------------------------------------------------------------
def _phone(rng: random.Random) -> str:
    # Only the ranges ARCEP sets aside for works of fiction (06 39 98 xx xx, 01 99 00 xx xx),
    # so that no generated number can be someone's.
    national = rng.choice(("063998", "019900")) + f"{rng.randint(0, 9999):04d}"
    style = rng.random()
    if style < 0.6:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if style < 0.8:
        return national
    if style < 0.9:
        return "+33 " + " ".join([national[1]] + [national[i : i + 2] for i in range(2, 10, 2)])
    return ".".join(national[i : i + 2] for i in range(0, 10, 2))


def build_generated(b: _Builder, count: int) -> None:
    rng, fake, ref = b.rng, b.fake, b.ref
    for number in range(1, count + 1):
        sex = "F" if rng.random() < 0.52 else "M"
        first = fake.first_name_female() if sex == "F" else fake.first_name_male()
        last = fake.last_name()
        age = int(min(92, max(18, rng.gauss(47, 17))))
        birth = ref - timedelta(days=age * 365 + rng.randint(0, 364))
        email = None
        if rng.random() < 0.85:
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@"
            email += rng.choice(EMAIL_DOMAINS)
            if rng.random() < 0.05:
                email = email.upper()
        closed = rng.random() < 0.02
        rights_end = (
            b.days_ago(rng.randint(10, 200)) if closed else b.days_after(rng.randint(20, 540))
        )
        has_gp = rng.random() < 0.88
        gp_name = b.doctor()[0] if has_gp else None
        city = fake.city()
        working = age < 64 and rng.random() < 0.72
        member = b.member(
            id=f"M-{100000 + number}",
            first_name=first,
            last_name=last if rng.random() > 0.03 else last.upper(),
            sex=sex,
            birth_date=birth,
            email=email,
            phone=_phone(rng) if rng.random() < 0.9 else None,
            street=fake.street_address() if rng.random() > 0.03 else None,
            postal_code=fake.postcode(),
            city=city,
            cpam=rng.choice(CPAMS),
            complementary_health=rng.choice(MUTUELLES) if rng.random() < 0.86 else None,
            rights_start=date(rng.randint(1995, 2024), rng.randint(1, 12), 1),
            rights_end=rights_end,
            gp_name=gp_name,
            gp_city=city if has_gp else None,
            gp_declared_on=b.days_ago(rng.randint(30, 4000)) if has_gp else None,
            employer=fake.company() if working else None,
        )
        if sex == "F" and 22 <= age <= 42 and rng.random() < 0.04:
            delivery = b.days_ago(rng.randint(-110, 10))
            member["maternity_cover_from"] = delivery - timedelta(days=122)
            member["maternity_cover_to"] = delivery + timedelta(days=12)

        # ayants droit
        if 25 <= age <= 55 and rng.random() < 0.4:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                child_age_days = rng.randint(30, min(age - 18, 19) * 365)
                child_birth = ref - timedelta(days=child_age_days)
                child_sex = rng.choice("FM")
                child_first = (
                    fake.first_name_female() if child_sex == "F" else fake.first_name_male()
                )
                b.dependent(
                    member,
                    child_first,
                    child_sex,
                    child_birth,
                    child_birth + timedelta(days=rng.randint(5, 60)),
                )

        # C2S
        roll = rng.random()
        if roll < 0.07:
            start = b.days_ago(rng.randint(1, 360))
            member["complementary_health"] = None
            b.c2s(
                member,
                "active",
                application_date=start - timedelta(days=25),
                decision_date=start - timedelta(days=1),
                rights_start=start,
                rights_end=start + timedelta(days=364),
                monthly_participation_cents=rng.choice((0, 0, 0, 820, 1450, 2460)),
                people_covered=1 + len(b.dependents_by_member.get(member["id"], [])),
            )
        elif roll < 0.08:
            b.c2s(member, "pending", application_date=b.days_ago(rng.randint(2, 55)))
        elif roll < 0.09:
            start = b.days_ago(rng.randint(400, 700))
            b.c2s(
                member,
                "expired",
                application_date=start - timedelta(days=30),
                decision_date=start - timedelta(days=2),
                rights_start=start,
                rights_end=start + timedelta(days=364),
                monthly_participation_cents=0,
            )
        elif roll < 0.095:
            applied = b.days_ago(rng.randint(60, 300))
            b.c2s(
                member,
                "refused",
                application_date=applied,
                decision_date=applied + timedelta(days=rng.randint(20, 55)),
            )

        # ALD, more frequent with age
        if rng.random() < 0.05 + age / 400:
            start = b.days_ago(rng.randint(30, 3000))
            end = b.days_after(rng.randint(-200, 1500))
            b.ald(member, rng.choice(ALD_LABELS), start, max(end, start + timedelta(days=180)))

        # carte Vitale
        vitale_roll = rng.random()
        issued = b.days_ago(rng.randint(100, 5000))
        if vitale_roll < 0.015:
            ordered = b.days_ago(rng.randint(1, 6))
            b.vitale(
                member,
                card_status="active",
                card_issued_on=issued,
                order_status="photo_recue",
                ordered_on=ordered,
                photo_received_on=ordered + timedelta(days=1),
                expected_delivery_on=b.days_after(rng.randint(10, 20)),
            )
        elif vitale_roll < 0.03:
            ordered = b.days_ago(rng.randint(7, 14))
            b.vitale(
                member,
                card_status="active",
                card_issued_on=issued,
                order_status="en_fabrication",
                ordered_on=ordered,
                photo_received_on=ordered + timedelta(days=2),
                manufacturing_started_on=ordered + timedelta(days=6),
                expected_delivery_on=b.days_after(rng.randint(4, 12)),
            )
        elif vitale_roll < 0.04:
            ordered = b.days_ago(rng.randint(15, 25))
            b.vitale(
                member,
                card_status="active",
                card_issued_on=issued,
                order_status="envoyee",
                ordered_on=ordered,
                photo_received_on=ordered + timedelta(days=2),
                manufacturing_started_on=ordered + timedelta(days=7),
                sent_on=ordered + timedelta(days=13),
                expected_delivery_on=ordered + timedelta(days=20),
            )
        elif vitale_roll < 0.05:
            b.vitale(member, card_status="none")
        else:
            b.vitale(member, card_issued_on=issued, app_activated=rng.random() < 0.25)

        # reimbursements
        people = [member] + b.dependents_by_member.get(member["id"], [])
        visits = 0 if rng.random() < 0.05 else rng.randint(1, 8 + age // 8)
        for _ in range(visits):
            person = rng.choice(people) if rng.random() < 0.3 else member
            care_date = b.days_ago(rng.randint(1, HISTORY_DAYS))
            if care_date < person["birth_date"]:
                continue
            person_age = age_on(person["birth_date"], care_date)
            weights = dict(CARE_WEIGHTS)
            if person_age < 16:
                weights.update(
                    {
                        "pediatre": 12,
                        "psychiatre": 0,
                        "cardiologue": 0,
                        "audition": 0,
                        "gynecologue": 0,
                        "sage_femme": 0,
                    }
                )
            if person.get("sex") == "M":
                weights.update({"gynecologue": 0, "sage_femme": 0})
            care = rng.choices(list(weights), weights=list(weights.values()))[0]
            recent = (ref - care_date).days <= 10
            paper = rng.random() < 0.06
            if care_date > member["rights_end"]:
                status, rejection = "rejected", "droits_fermes"
            elif recent and rng.random() < 0.7:
                status, rejection = "pending", None
            else:
                roll = rng.random()
                if roll < 0.93:
                    status, rejection = "paid", None
                elif roll < 0.98:
                    status = "rejected"
                    rejection = rng.choice(
                        ["feuille_incomplete", "prescription_manquante", "doublon"]
                    )
                    if paper and rng.random() < 0.3:
                        rejection = "hors_delai"
                else:
                    status, rejection = "pending", None
                    paper = True
            extra = 0
            if (
                care
                in ("specialiste", "dermatologue", "ophtalmologue", "gynecologue", "psychiatre")
                and rng.random() < 0.3
            ):
                extra = rng.randint(5, 40) * 100  # secteur 2: extra fees
            practitioner = b.practitioner(care)
            if rng.random() < 0.03:
                practitioner = (None, practitioner[1])
            if care == "generaliste" and person is member and gp_name and rng.random() < 0.8:
                practitioner = (gp_name, "médecin généraliste")
            row = b.reimbursement(
                member,
                care,
                care_date,
                status,
                person=person,
                practitioner=practitioner,
                rejection=rejection,
                paper_form=paper,
            )
            if extra:
                row["amount_paid_cents"] += extra

        # sick leave (working members only)
        if working and rng.random() < 0.12:
            ongoing = rng.random() < 0.3
            start = b.days_ago(rng.randint(5, 40) if ongoing else rng.randint(45, 330))
            length = rng.randint(3, 60)
            end = start + timedelta(days=length)
            daily = rng.randint(1500, 4147)
            blocked = ongoing and rng.random() < 0.25
            b.sick_leave(
                member,
                "maladie",
                start,
                end,
                daily,
                blocked_reason=(
                    "Nous n'avons pas encore reçu l'attestation de salaire de votre employeur : "
                    "elle est nécessaire pour calculer vos indemnités journalières."
                )
                if blocked
                else None,
                missing=(
                    (
                        "attestation_salaire",
                        "Attestation de salaire",
                        "employeur",
                        start + timedelta(days=3),
                    ),
                )
                if blocked
                else (),
            )

        if rng.random() < 0.05:
            b.ticket(
                member,
                "reimbursement",
                "Question sur un remboursement",
                "L'assuré demande le détail d'un remboursement de pharmacie.",
                b.days_ago(rng.randint(20, 300)),
            )


def generate(seed: int, reference_date: date, count: int) -> Dataset:
    """Build every row. Deterministic for a given (seed, reference_date, count)."""
    builder = _Builder(seed, reference_date)
    build_personas(builder)
    build_generated(builder, count)
    return builder.data
