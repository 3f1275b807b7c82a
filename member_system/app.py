"""The HTTP service (FastAPI). `create_app()` builds it; `python -m member_system` serves it.

Cross-cutting behaviour, outermost first:
- fault injection (latency, 503s) for tests and benchmarks, never on /health, /admin/* or the
  OpenAPI document;
- the audit log: every request on /v1/members/{id}/... by an authenticated caller is recorded
  (caller, member, resource, read/write, status, UTC time), whatever its outcome;
- authentication by service key (`X-API-Key`), 401 otherwise.
"""

import asyncio
import hmac
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from member_system import db, schemas, service
from member_system.config import Config, load_config

log = logging.getLogger("member_system")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
MemberId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=32,
        regex=ID_PATTERN,
        description="Member id, e.g. P-CLAIRE-REMB (a demo persona) or M-100001.",
    ),
]
ItemId = Annotated[str, Path(min_length=1, max_length=40, regex=ID_PATTERN)]

ERRORS = {
    401: {"model": schemas.ErrorResponse, "description": "Missing or wrong service key."},
    404: {"model": schemas.ErrorResponse, "description": "Unknown member (or item)."},
    503: {"model": schemas.ErrorResponse, "description": "Unavailable (injected fault)."},
}
BODY_ERRORS = ERRORS | {400: {"model": schemas.ErrorResponse, "description": "Body is not JSON."}}

FAULT_FREE_PREFIXES = ("/health", "/admin", "/openapi.json", "/docs", "/redoc")
MEMBER_PATH = re.compile(r"^/v1/members/([^/]+)(?:/(.*))?$")
ITEM_COLLECTIONS = {"reimbursements", "documents"}

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Service key of the caller."
)


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, detail: str):
        super().__init__(detail)
        self.status_code, self.code, self.detail = status_code, code, detail


@dataclass
class FaultInjector:
    """Added latency and a 503 rate; changed at run time through PUT /admin/faults."""

    latency_ms: int = 0
    error_rate: float = 0.0
    seed: int | None = None
    requests_seen: int = 0
    errors_injected: int = 0
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, faults: schemas.Faults) -> None:
        with self._lock:
            self.latency_ms, self.error_rate, self.seed = (
                faults.latency_ms,
                faults.error_rate,
                faults.seed,
            )
            self._rng = random.Random(faults.seed)
            self.requests_seen = self.errors_injected = 0

    def draw(self) -> bool:
        """Count a request; True if it must fail."""
        with self._lock:
            self.requests_seen += 1
            fail = self.error_rate > 0 and self._rng.random() < self.error_rate
            self.errors_injected += int(fail)
            return fail

    def state(self) -> schemas.FaultsState:
        return schemas.FaultsState(
            latency_ms=self.latency_ms,
            error_rate=self.error_rate,
            seed=self.seed,
            requests_seen=self.requests_seen,
            errors_injected=self.errors_injected,
        )


def audit_resource(rest: str | None) -> str:
    """'reimbursements/R-000001' -> 'reimbursements/{id}'; '' -> 'profile'."""
    if not rest:
        return "profile"
    parts = rest.strip("/").split("/")
    named = [
        "{id}" if index and parts[index - 1] in ITEM_COLLECTIONS else part
        for index, part in enumerate(parts)
    ]
    return "/".join(named)[:40]


def create_app(config: Config | None = None, engine: Engine | None = None) -> FastAPI:
    config = config or load_config()
    engine = engine or db.make_engine(config.db_url, config.db_schema)
    faults = FaultInjector(latency_ms=config.latency_ms, error_rate=config.error_rate)
    app = FastAPI(
        title="Assurbot member-information system (mock)",
        version="1.0.0",
        description=(
            "A mocked member-information system of the health insurer, for Assurbot's action "
            "server, tests and benchmarks. Synthetic data only. Authenticate with the "
            "`X-API-Key` header; member endpoints are audited."
        ),
    )
    app.state.config, app.state.engine, app.state.faults = config, engine, faults

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail, "code": exc.code}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette lists only the methods of the first route matching the path; list them
            # all, as RFC 9110 asks.
            allowed = sorted(
                {
                    method
                    for route in app.router.routes
                    if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
                    for method in route.methods
                }
            )
            headers["Allow"] = ", ".join(allowed)
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": str(exc.detail), "code": code},
            headers=headers,
        )

    @app.exception_handler(service.MemberNotFound)
    async def _member_not_found(_request: Request, exc: service.MemberNotFound) -> JSONResponse:
        return JSONResponse(
            status_code=404, content={"detail": f"Unknown member {exc}", "code": "member_not_found"}
        )

    @app.exception_handler(service.ItemNotFound)
    async def _item_not_found(_request: Request, exc: service.ItemNotFound) -> JSONResponse:
        return JSONResponse(
            status_code=404, content={"detail": f"Unknown item {exc}", "code": "not_found"}
        )

    # --- middleware (the last added runs first) ---------------------------------------------
    @app.middleware("http")
    async def _audit(request: Request, call_next: Callable):
        response = await call_next(request)
        match = MEMBER_PATH.match(request.url.path)
        caller = getattr(request.state, "caller", None)
        if match and caller:
            action = "read" if request.method in ("GET", "HEAD") else "write"
            resource = audit_resource(match.group(2))
            try:
                await run_in_threadpool(
                    _write_audit,
                    engine,
                    caller,
                    match.group(1),
                    resource,
                    action,
                    response.status_code,
                )
            except Exception:  # the audit must never turn an answer into an error
                log.exception("audit log write failed")
        return response

    @app.middleware("http")
    async def _inject_faults(request: Request, call_next: Callable):
        if request.url.path.startswith(FAULT_FREE_PREFIXES):
            return await call_next(request)
        fail = faults.draw()
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if fail:
            return JSONResponse(
                status_code=503,
                content={"detail": "Injected fault: service unavailable", "code": "injected_fault"},
                headers={"Retry-After": "1"},
            )
        return await call_next(request)

    # --- dependencies ------------------------------------------------------------------------
    def caller(request: Request, key: Annotated[str | None, Security(api_key_header)]) -> str:
        if key:
            for name, expected in config.api_keys.items():
                if hmac.compare_digest(key.encode(), expected.encode()):
                    request.state.caller = name
                    return name
        raise ApiError(401, "unauthorized", "Missing or invalid X-API-Key")

    def admin(key: Annotated[str | None, Security(api_key_header)]) -> None:
        if not key or not hmac.compare_digest(key.encode(), config.admin_key.encode()):
            raise ApiError(401, "unauthorized", "Missing or invalid admin X-API-Key")

    # --- routes ------------------------------------------------------------------------------
    @app.get("/health", response_model=schemas.Health, tags=["ops"])
    def health() -> schemas.Health:
        with engine.connect() as conn:
            count = db.member_count(engine)
            reference = service.reference_date(conn)
        return schemas.Health(
            status="ok", database=engine.dialect.name, members=count, reference_date=reference
        )

    members = "/v1/members/{member_id}"
    auth = [Depends(caller)]

    @app.get(
        members,
        response_model=schemas.Member,
        responses=ERRORS,
        dependencies=auth,
        tags=["members"],
    )
    def get_member(member_id: MemberId) -> schemas.Member:
        """Profile and rights (open until when), dependents, situation flags."""
        with engine.connect() as conn:
            return service.get_member(conn, member_id, date.today())

    @app.get(
        f"{members}/reimbursements",
        response_model=schemas.ReimbursementPage,
        responses=ERRORS,
        dependencies=auth,
        tags=["reimbursements"],
    )
    def list_reimbursements(
        member_id: MemberId,
        date_from: Annotated[
            date | None, Query(alias="from", description="Care date, inclusive.")
        ] = None,
        date_to: Annotated[
            date | None, Query(alias="to", description="Care date, inclusive.")
        ] = None,
        care_type: schemas.CareType | None = None,
        status: schemas.ReimbursementStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> schemas.ReimbursementPage:
        """Reimbursements, newest care first, with the total count for paging. A period whose
        `from` is after its `to` is empty."""
        with engine.connect() as conn:
            return service.list_reimbursements(
                conn,
                member_id,
                date_from=date_from,
                date_to=date_to,
                care_type=care_type.value if care_type else None,
                status=status.value if status else None,
                limit=limit,
                offset=offset,
            )

    @app.get(
        f"{members}/reimbursements/{{reimbursement_id}}",
        response_model=schemas.Reimbursement,
        responses=ERRORS,
        dependencies=auth,
        tags=["reimbursements"],
    )
    def get_reimbursement(member_id: MemberId, reimbursement_id: ItemId) -> schemas.Reimbursement:
        with engine.connect() as conn:
            return service.get_reimbursement(conn, member_id, reimbursement_id)

    @app.get(
        f"{members}/sick-leaves",
        response_model=schemas.SickLeaveList,
        responses=ERRORS,
        dependencies=auth,
        tags=["daily allowances"],
    )
    def list_sick_leaves(member_id: MemberId) -> schemas.SickLeaveList:
        """Sick, maternity and paternity leaves with their daily-allowance payments, the next
        expected payment and the documents still missing."""
        with engine.connect() as conn:
            return service.list_sick_leaves(conn, member_id, date.today())

    @app.post(
        f"{members}/rights-certificates",
        response_model=schemas.RightsCertificate,
        status_code=201,
        responses=ERRORS
        | {409: {"model": schemas.ErrorResponse, "description": "Rights closed: no certificate."}},
        dependencies=auth,
        tags=["documents"],
    )
    def create_rights_certificate(
        request: Request, member_id: MemberId
    ) -> schemas.RightsCertificate:
        """Create an attestation de droits in the member's space; returns its id and link."""
        try:
            with engine.begin() as conn:
                return service.create_rights_certificate(
                    conn, member_id, date.today(), str(request.base_url)
                )
        except service.RightsClosed:
            raise ApiError(409, "rights_closed", "The member's rights are closed") from None

    @app.get(
        f"{members}/documents/{{document_id}}",
        response_model=schemas.Document,
        responses=ERRORS,
        dependencies=auth,
        tags=["documents"],
    )
    def get_document(member_id: MemberId, document_id: ItemId) -> schemas.Document:
        with engine.connect() as conn:
            return service.get_document(conn, member_id, document_id)

    @app.get(
        f"{members}/vitale-card",
        response_model=schemas.VitaleCard,
        responses=ERRORS,
        dependencies=auth,
        tags=["carte Vitale"],
    )
    def get_vitale_card(member_id: MemberId) -> schemas.VitaleCard:
        """Card status, order progress (photo reçue, en fabrication, envoyée) with dates."""
        with engine.connect() as conn:
            return service.get_vitale_card(conn, member_id)

    @app.post(
        f"{members}/vitale-card/loss-declarations",
        response_model=schemas.LossDeclaration,
        status_code=201,
        responses=BODY_ERRORS
        | {
            200: {
                "model": schemas.LossDeclaration,
                "description": "An open declaration already existed.",
            }
        },
        dependencies=auth,
        tags=["carte Vitale"],
    )
    def declare_loss(
        response: Response,
        member_id: MemberId,
        body: schemas.LossDeclarationRequest,
    ) -> schemas.LossDeclaration:
        """Declare the card lost or stolen (it is put in opposition and a new card ordered).
        Idempotent: 201 for a new declaration, 200 with the open one if it already exists."""
        with engine.connect() as conn:
            declaration = service.declare_loss(conn, member_id, body.reason.value, date.today())
        response.status_code = 201 if declaration.created else 200
        return declaration

    @app.get(
        f"{members}/gp",
        response_model=schemas.GpDeclaration,
        responses=ERRORS,
        dependencies=auth,
        tags=["médecin traitant"],
    )
    def get_gp(member_id: MemberId) -> schemas.GpDeclaration:
        with engine.connect() as conn:
            return service.get_gp(conn, member_id)

    @app.get(
        f"{members}/c2s",
        response_model=schemas.C2sStatus,
        responses=ERRORS,
        dependencies=auth,
        tags=["C2S"],
    )
    def get_c2s(member_id: MemberId) -> schemas.C2sStatus:
        with engine.connect() as conn:
            return service.get_c2s(conn, member_id, date.today())

    @app.get(
        f"{members}/ald",
        response_model=schemas.AldStatus,
        responses=ERRORS,
        dependencies=auth,
        tags=["ALD"],
    )
    def get_ald(member_id: MemberId) -> schemas.AldStatus:
        with engine.connect() as conn:
            return service.get_ald(conn, member_id, date.today())

    @app.get(
        f"{members}/care-cost-estimate",
        response_model=schemas.CareCostEstimate,
        responses=ERRORS,
        dependencies=auth,
        tags=["care cost"],
    )
    def care_cost_estimate(
        member_id: MemberId,
        care_type: schemas.CareType,
        beneficiary_id: Annotated[
            str | None,
            Query(
                max_length=40,
                regex=ID_PATTERN,
                description="A dependent's id, to estimate a child's care.",
            ),
        ] = None,
        ald_related: Annotated[
            bool | None,
            Query(description="Is the care linked to the member's ALD? Assumed if unknown."),
        ] = None,
    ) -> schemas.CareCostEstimate:
        """Convention tariff, the rate applied to this member, the participation forfaitaire,
        what the Assurance Maladie pays and what is left to pay; or why no fixed estimate."""
        with engine.connect() as conn:
            return service.care_cost_estimate(
                conn, member_id, care_type.value, date.today(), beneficiary_id, ald_related
            )

    @app.post(
        f"{members}/messages",
        response_model=schemas.Ticket,
        status_code=201,
        responses=BODY_ERRORS,
        tags=["messages"],
    )
    def create_ticket(
        member_id: MemberId,
        body: schemas.TicketRequest,
        name: Annotated[str, Depends(caller)],
    ) -> schemas.Ticket:
        """Create a secure message (ticket) to an adviser; answered within two working days."""
        with engine.begin() as conn:
            return service.create_ticket(conn, member_id, body, name, date.today())

    @app.get(
        f"{members}/messages",
        response_model=schemas.TicketList,
        responses=ERRORS,
        dependencies=auth,
        tags=["messages"],
    )
    def list_tickets(member_id: MemberId) -> schemas.TicketList:
        with engine.connect() as conn:
            return service.list_tickets(conn, member_id)

    # --- administration (admin key) -----------------------------------------------------------
    admin_errors = {401: ERRORS[401], 400: BODY_ERRORS[400]}

    @app.get(
        "/admin/faults",
        response_model=schemas.FaultsState,
        responses=admin_errors,
        dependencies=[Depends(admin)],
        tags=["admin"],
    )
    def get_faults() -> schemas.FaultsState:
        return faults.state()

    @app.put(
        "/admin/faults",
        response_model=schemas.FaultsState,
        responses=admin_errors,
        dependencies=[Depends(admin)],
        tags=["admin"],
    )
    def put_faults(body: schemas.Faults) -> schemas.FaultsState:
        """Make the running service slow and/or failing, or restore it ({} = no fault)."""
        faults.configure(body)
        log.warning("faults set: latency %s ms, error rate %s", body.latency_ms, body.error_rate)
        return faults.state()

    @app.get(
        "/admin/audit",
        response_model=schemas.AuditPage,
        responses=admin_errors,
        dependencies=[Depends(admin)],
        tags=["admin"],
    )
    def get_audit(
        member_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> schemas.AuditPage:
        with engine.connect() as conn:
            return service.list_audit(conn, member_id, limit)

    return app


# Who read which member's file is kept AUDIT_RETENTION_DAYS (default 365: a year of access
# history for the member's right of access and for investigations), then deleted; checked at
# most once an hour, on a write.
AUDIT_PURGE_EVERY = 3600.0
_last_audit_purge = {"at": 0.0}


def audit_retention_days() -> int:
    try:
        return max(1, int(os.environ.get("AUDIT_RETENTION_DAYS", "365") or 365))
    except ValueError:
        return 365


def _write_audit(
    engine: Engine, caller: str, member_id: str, resource: str, action: str, status: int
) -> None:
    with engine.begin() as conn:
        service.write_audit(conn, caller, member_id, resource, action, status)
        now = time.time()
        if now - _last_audit_purge["at"] >= AUDIT_PURGE_EVERY:
            _last_audit_purge["at"] = now
            cutoff = service.utcnow() - timedelta(days=audit_retention_days())
            service.purge_audit(conn, cutoff)
