"""The benchmark's rows: one @measurement function each, run in this order.

A new capability adds its row by adding a function here.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import uuid

from PIL import Image

from bench.harness import (
    BASE,
    FLOOR,
    FLOOR_NO_DB,
    FLOOR_RATE,
    GUNICORN_WORKERS,
    Context,
    Result,
    csrf_of,
    login,
    measurement,
    timed,
)

# --- the floor: what any request costs on this machine in this run ------------------------------


def _floor(ctx: Context, r: Result, path: str) -> None:
    """An anonymous client (no session to read), so the view's own work is all there is."""
    import httpx

    client = httpx.Client(base_url=BASE, timeout=60)
    for _ in range(GUNICORN_WORKERS * 2):
        client.get(path)
    for _ in range(max(ctx.repeat, 30)):
        timed(r, lambda: client.get(path))


@measurement(FLOOR_NO_DB)
def floor_no_database(ctx: Context, r: Result):
    _floor(ctx, r, "/livez")


@measurement(FLOOR)
def floor_one_query(ctx: Context, r: Result):
    _floor(ctx, r, "/readyz")


@measurement(FLOOR_RATE, unit="req/s")
def floor_rate(ctx: Context, r: Result):
    import httpx

    clients = [httpx.Client(base_url=BASE, timeout=60) for _ in range(4)]
    _throughput(r, clients, lambda client: client.get("/readyz"), done_status=200)


# --- workspace ----------------------------------------------------------------------------------


@measurement("workspace case list (default)", target=40)
def workspace_list(ctx: Context, r: Result):
    for _ in range(ctx.repeat):
        timed(r, lambda: ctx.specialist.get("/workspace/cases/"))


@measurement("workspace case list (filtered search)", target=40)
def workspace_search(ctx: Context, r: Result):
    for i in range(ctx.repeat):
        order = ctx.order_ids[i % len(ctx.order_ids)]
        timed(
            r,
            lambda order=order: ctx.specialist.get(
                "/workspace/cases/", params={"q": order, "status": ["open", "closed", "decided"]}
            ),
        )


@measurement("workspace case list (page 20)", target=40)
def workspace_deep(ctx: Context, r: Result):
    url = "/workspace/cases/?ordering=age"
    for _ in range(19):
        page = ctx.specialist.get(url)
        found = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', page.text)
        if not found:
            break
        url = "/workspace/cases/" + found.group(1).replace("&amp;", "&")
    for _ in range(ctx.repeat):
        timed(r, lambda: ctx.specialist.get(url))


@measurement("workspace case page", target=60)
def case_page(ctx: Context, r: Result):
    for i in range(ctx.repeat):
        ref = ctx.references[i % len(ctx.references)]
        timed(r, lambda ref=ref: ctx.specialist.get(f"/workspace/cases/{ref}/"))


@measurement("get-next, 8 specialists at once", target=60, at=0.5)
def get_next(ctx: Context, r: Result):
    clients = [login(f"bench-specialist-{i}") for i in range(8)]
    taken: list[str] = []
    lock = threading.Lock()
    rounds = max(3, ctx.repeat // 8)

    def work(client):
        for _ in range(rounds):
            response = timed(
                r,
                lambda: client.post(
                    "/workspace/next/",
                    data={"csrfmiddlewaretoken": csrf_of(client)},
                    headers={"Referer": BASE + "/workspace/"},
                ),
            )
            location = response.headers.get("location", "")
            if "/workspace/cases/" in location:
                with lock:
                    taken.append(location)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duplicates = len(taken) - len(set(taken))
    r.note = f"{len(taken)} cases handed out, {duplicates} twice"
    if duplicates:
        raise RuntimeError(f"get-next handed out {duplicates} cases twice")


@measurement("portal dispute list", target=50)
def portal_list(ctx: Context, r: Result):
    for _ in range(ctx.repeat):
        timed(r, lambda: ctx.seller.get("/portal/"))


@measurement("portal submissions (form only)", unit="req/s")
def portal_submit(ctx: Context, r: Result):
    clients = [login("bench-seller-big") for _ in range(4)]
    _throughput(r, clients, lambda client: _submit(client, None))
    _set_target(ctx, r, share_of_floor=0.5)


@measurement("portal submissions (with a 200 KB photo)", unit="req/s")
def portal_submit_photo(ctx: Context, r: Result):
    clients = [login("bench-seller-big") for _ in range(4)]
    photo = _photo()
    _throughput(r, clients, lambda client: _submit(client, photo))
    _set_target(ctx, r, share_of_floor=0.25)


def _submit(client, photo: bytes | None):
    files = {"evidence": ("photo.jpg", photo, "image/jpeg")} if photo else None
    data = {
        "csrfmiddlewaretoken": csrf_of(client),
        "submission_key": uuid.uuid4().hex,
        "sku": "SKU-1",
        "quantity": "2",
        "evidence_kind": "photo",
    }
    return client.post(
        "/portal/file/warehouse_damaged/",
        data=data,
        files=files,
        headers={"Referer": BASE + "/portal/"},
    )


def _throughput(r: Result, clients, send, *, done_status: int = 302, seconds: float = 8.0):
    """Requests a second, each client sending as soon as its last answer came back."""
    done = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(client):
        while time.perf_counter() < stop:
            response = timed(r, lambda: send(client))
            if response.status_code == done_status:
                with lock:
                    done[0] += 1

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = done[0] / (time.perf_counter() - started)
    if not done[0]:  # every request refused: an error, not a slow row
        raise RuntimeError(f"{r.name}: no request succeeded")
    r.note = f"{done[0]} done; p95 {r.stat(0.95):.0f} ms"
    r.samples = [rate]


def _set_target(ctx: Context, r: Result, *, share_of_floor: float) -> None:
    """The target of a request rate: a share of the one-query floor's rate in this run."""
    floor = ctx.results.get(FLOOR_RATE)
    if floor is not None and floor.samples:
        r.target = share_of_floor * floor.samples[0]
        r.note += f"; target {share_of_floor:g}× the floor's rate"


def _photo(width: int = 560, height: int = 420) -> bytes:
    """A real JPEG of noise, about 200 KB (noise hardly compresses): uploads are decoded and
    re-encoded, so random bytes behind a JPEG header would be refused."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@measurement("API dispute list", target=50)
def api_list(ctx: Context, r: Result):
    import httpx

    client = httpx.Client(
        base_url=BASE, timeout=60, headers={"Authorization": f"Token {ctx.staff_token.key}"}
    )
    for _ in range(ctx.repeat):
        timed(r, lambda: client.get("/api/v1/disputes/", params={"status": "open"}))


@measurement("API dispute create", target=15, at=0.5)
def api_create(ctx: Context, r: Result):
    import httpx

    client = httpx.Client(
        base_url=BASE, timeout=60, headers={"Authorization": f"Token {ctx.seller_token.key}"}
    )
    for _ in range(ctx.repeat):
        timed(
            r,
            lambda: client.post(
                "/api/v1/disputes/",
                json={"claim_type": "warehouse_damaged", "sku": "SKU-2", "quantity": 1},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
        )


@measurement("record import (ledger rows)", unit="/s", target=20000)
def record_import(ctx: Context, r: Result):
    import httpx

    client = httpx.Client(
        base_url=BASE, timeout=120, headers={"Authorization": f"Token {ctx.service_token.key}"}
    )
    rates = []
    for _ in range(3):
        batch = uuid.uuid4().hex[:10]
        rows = [
            {
                "record_id": f"imp-{batch}-{i}",
                "seller_id": ctx.seller_id,
                "event_date": "2026-10-01",
                "sku": f"SKU-{i % 20}",
                "fulfillment_center": "PHX1",
                "event_type": "lost",
                "quantity": 1,
            }
            for i in range(5000)
        ]
        started = time.perf_counter()
        response = client.post("/api/v1/records/ledger/", json=rows)
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"import failed: {response.status_code} {response.text[:300]}")
        rates.append(len(rows) / elapsed)
    r.samples = rates
    r.note = "5,000 rows per request"


@measurement("SLA sweep, 1,000 due among all open (in process)", target=150)
def sla_sweep(ctx: Context, r: Result):
    from django.db import connection
    from django.utils import timezone

    from disputes.models import SlaTimer
    from disputes.sla.sweep import sweep_sla

    running = SlaTimer.objects.filter(next_check_at__isnull=False).count()
    for _ in range(max(3, ctx.repeat // 3)):
        # What fell due since the data was made is swept first, untimed: the row times the
        # 1,000 made due below, not the backlog of a data set that has aged for hours.
        for _batch in range(100):
            if not SlaTimer.objects.filter(next_check_at__lte=timezone.now()).exists():
                break
            sweep_sla(now=timezone.now(), batch=1000)
        now = timezone.now()
        ids = list(
            SlaTimer.objects.filter(next_check_at__gt=now, warned_at__isnull=True).values_list(
                "pk", flat=True
            )[:1000]
        )
        SlaTimer.objects.filter(pk__in=ids).update(warn_at=now, next_check_at=now)
        queries = len(connection.queries)
        started = time.perf_counter()
        counts = sweep_sla(now=now, batch=1000)
        r.samples.append((time.perf_counter() - started) * 1000)
        r.queries.append(len(connection.queries) - queries)
        r.note = f"{counts['warned']} warned among {running:,} running timers"


@measurement("check run (one dispute, the biggest seller, in process)", target=25)
def check_run(ctx: Context, r: Result):
    from django.db import connection

    from disputes.models import CheckRun, Dispute
    from disputes.services.checks import build_report, store_report

    # Cases of the seller with the most disputes and ledger rows: the checks' worst case.
    disputes = list(
        Dispute.objects.filter(seller_id=ctx.seller_pk, claim_type="warehouse_lost")
        .select_related("seller")
        .order_by("?")[: ctx.repeat]
    )
    for dispute in disputes:
        queries = len(connection.queries)
        started = time.perf_counter()
        store_report(build_report(dispute, trigger=CheckRun.Trigger.MANUAL))
        r.samples.append((time.perf_counter() - started) * 1000)
        r.queries.append(len(connection.queries) - queries)
    r.note = f"{len(disputes)} warehouse-lost cases of the biggest seller"


@measurement("approvals queue (team lead)", target=80)
def approvals_queue(ctx: Context, r: Result):
    lead = login("bench-lead")
    for _ in range(3):  # warm each worker's templates
        lead.get("/workspace/approvals/")
    for _ in range(ctx.repeat):
        timed(r, lambda: lead.get("/workspace/approvals/"))
    from reimbursements.models import Reimbursement

    waiting = Reimbursement.objects.filter(status="pending_approval").count()
    r.note = f"{waiting:,} payouts waiting; page of 50, oldest first"


@measurement("finance export, paid payouts + reversals (in process)", unit="/s", target=20_000)
def finance_export(ctx: Context, r: Result):
    """Rows per second of the streamed CSV, with its peak Python memory: it must not grow with
    the number of rows (read in chunks, totals kept per currency)."""
    import csv
    import io
    import tracemalloc

    from reimbursements.selectors import finance_rows

    class Sink(io.TextIOBase):
        def write(self, text):
            return len(text)

    limit = 100_000
    writer = csv.writer(Sink())
    rates, peaks = [], []
    for _ in range(2):
        tracemalloc.start()
        started = time.perf_counter()
        count = 0
        for row in finance_rows():
            writer.writerow(row)
            count += 1
            if count > limit:
                break
        elapsed = time.perf_counter() - started
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
        rates.append(count / elapsed)
    r.samples = rates
    r.note = f"{count:,} rows, peak {max(peaks):.1f} MB of Python memory"


# --- dashboards --------------------------------------------------------------------------------

CASE_LIST = "workspace case list (default)"
PENDING = 100  # events between two runs of the rollup task (every 5 minutes) at 1M disputes


def _new_events(count: int) -> int:
    """`count` system events on as many cases being worked, as the SLA sweep appends them: work
    the rollups have not counted yet. Returns the cases touched."""
    from disputes.case import record_events
    from disputes.models import CaseEvent, Dispute
    from disputes.status import ACTIVE

    cases = list(Dispute.objects.filter(status__in=ACTIVE).order_by("?")[:count])
    record_events(
        (case, CaseEvent.Kind.SLA_WARNING, {"deadline": "resolution", "bench": True})
        for case in cases
    )
    return len(cases)


def _roll_up():
    """Count every settled event now (the task waits ROLLUP_SETTLE_SECONDS for open
    transactions; the benchmark's own events are committed)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from quality.rollups import roll_up

    settle = settings.ARBITER["ROLLUP_SETTLE_SECONDS"]
    return roll_up(now=timezone.now() + timedelta(seconds=settle + 1))


def _dashboard_setup(ctx: Context) -> None:
    """Once per run, before the first dashboard row: count what earlier rows filed, then leave
    a rollup interval's worth of events pending, which every page counts live."""
    if ctx.dashboards_ready:
        return
    _roll_up()
    _new_events(PENDING)
    ctx.dashboards_ready = True


def _dashboard(ctx: Context, r: Result, page: str, days: int | None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    _dashboard_setup(ctx)
    params = {}
    if days is not None:
        today = timezone.localdate()
        params = {"date_from": str(today - timedelta(days=days - 1)), "date_to": str(today)}
    _time_page(ctx, r, ctx.lead, f"/workspace/dashboard/{page}/", params)
    r.note += f"{PENDING} events not rolled up yet"


def _time_page(ctx: Context, r: Result, client, url: str, params=None) -> None:
    """A page warmed on every worker (its first page compiles the templates), then timed; the
    note starts with its p50 as a multiple of the case list's."""
    for _ in range(GUNICORN_WORKERS):
        response = client.get(url, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
    for _ in range(ctx.repeat):
        timed(r, lambda: client.get(url, params=params))
    floor = ctx.results.get(CASE_LIST)
    if floor is not None and floor.samples:
        r.note = f"p50 {r.stat(0.5) / floor.stat(0.5):.1f}× the case list's; "


def _dashboard_row(page: str, days: int | None) -> None:
    if page == "weekly":
        name = "dashboard weekly report (team lead)"
    else:
        name = f"dashboard {page} ({'28' if days is None else days} days, team lead)"
    measurement(name, target=300)(lambda ctx, r: _dashboard(ctx, r, page, days))


for _page in ("service", "productivity", "money", "defects", "quality"):
    _dashboard_row(_page, None)
    _dashboard_row(_page, 90)
_dashboard_row("weekly", None)


@measurement("QA inbox (QA reviewer)", target=300)
def qa_inbox(ctx: Context, r: Result):
    """The reviewer's due reviews, oldest first, and the calibrations waiting for them."""
    from quality.models import QAReview

    waiting = QAReview.objects.filter(status="due", reviewer__username="bench-qa").count()
    _time_page(ctx, r, login("bench-qa"), "/workspace/dashboard/qa/")
    r.note += f"{waiting:,} reviews due for this reviewer"


@measurement("rollup run, 1,000 new events (in process)")
def rollup_run(ctx: Context, r: Result):
    """What the rollup task does every five minutes: recount the cases that changed (each
    case's share from its own rows) and apply the difference to the daily rows."""
    from django.db import connection

    _roll_up()
    for _ in range(3):
        touched = _new_events(1000)
        queries = len(connection.queries)
        started = time.perf_counter()
        run = _roll_up()
        r.samples.append((time.perf_counter() - started) * 1000)
        r.queries.append(len(connection.queries) - queries)
        r.note = f"{run.cases:,} cases recounted ({touched:,} touched)"


# --- running -----------------------------------------------------------------------------------
