"""`make bench`: measure Arbiter at scale against a running gunicorn with production settings.

Every measurement is one function registered with @measurement; a new capability adds its
row by adding a function here. Prints one table and writes var/bench/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALES = {
    "smoke": (2_000, 20_000),
    "small": (20_000, 200_000),
    "1m": (1_000_000, 10_000_000),
}
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"


@dataclass
class Result:
    name: str
    unit: str  # "ms" (latency; lower is better) or "/s" (throughput; higher is better)
    samples: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    target: float | None = None
    note: str = ""

    def stat(self, q: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.samples:
            return None
        if self.unit == "ms":
            return self.stat(0.95) <= self.target
        return statistics.median(self.samples) >= self.target


MEASUREMENTS: list[tuple[str, str, float | None, Callable]] = []


def measurement(name: str, *, unit: str = "ms", target: float | None = None):
    def register(fn):
        MEASUREMENTS.append((name, unit, target, fn))
        return fn

    return register


# --- HTTP helpers ---------------------------------------------------------------------------


def login(username: str):
    import httpx

    client = httpx.Client(base_url=BASE, timeout=60, follow_redirects=False)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{BASE}/login/"},
    )
    assert response.status_code == 302, f"login of {username} failed"
    return client


def csrf_of(client) -> str:
    return client.cookies.get("csrftoken")


def timed(result: Result, call: Callable):
    started = time.perf_counter()
    response = call()
    result.samples.append((time.perf_counter() - started) * 1000)
    if "x-query-count" in response.headers:
        result.queries.append(int(response.headers["x-query-count"]))
    if response.status_code >= 500:
        raise RuntimeError(f"{result.name}: server error {response.status_code}")
    return response


# --- context ---------------------------------------------------------------------------------


class Context:
    def __init__(self, repeat: int):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from disputes.models import Dispute

        users = get_user_model().objects
        self.repeat = repeat
        self.specialist = login("bench-specialist-0")
        self.seller = login("bench-seller-big")
        self.staff_token = Token.objects.get_or_create(user=users.get(username="bench-lead"))[0]
        self.seller_token = Token.objects.get_or_create(
            user=users.get(username="bench-seller-big")
        )[0]
        self.service_token = Token.objects.get_or_create(
            user=users.get(username="bench-integration")
        )[0]
        self.references = list(
            Dispute.objects.filter(reference__startswith="DSP-B")
            .order_by("?")
            .values_list("reference", flat=True)[:200]
        )
        self.order_ids = list(
            Dispute.objects.exclude(order_id="").values_list("order_id", flat=True)[:50]
        )
        big = users.get(username="bench-seller-big").seller_memberships.get().seller
        self.seller_pk = big.pk
        self.seller_id = big.seller_id
        self.warm_up()

    def warm_up(self) -> None:
        """Steady state, not start-up: each gunicorn worker compiles its templates on its first
        request, and with four workers those first requests would be most of a 30-sample p95.
        The case pages warmed here are not the ones measured."""
        for i in range(4 * GUNICORN_WORKERS):
            self.specialist.get("/workspace/cases/")
            self.specialist.get(f"/workspace/cases/{self.references[-1 - i]}/")
            self.seller.get("/portal/")


# --- measurements ----------------------------------------------------------------------------


@measurement("workspace case list (default)", target=50)
def workspace_list(ctx: Context, r: Result):
    for _ in range(ctx.repeat):
        timed(r, lambda: ctx.specialist.get("/workspace/cases/"))


@measurement("workspace case list (filtered search)", target=50)
def workspace_search(ctx: Context, r: Result):
    for i in range(ctx.repeat):
        order = ctx.order_ids[i % len(ctx.order_ids)]
        timed(
            r,
            lambda order=order: ctx.specialist.get(
                "/workspace/cases/", params={"q": order, "status": ["open", "closed", "decided"]}
            ),
        )


@measurement("workspace case list (page 20)", target=50)
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


@measurement("workspace case page", target=80)
def case_page(ctx: Context, r: Result):
    for i in range(ctx.repeat):
        ref = ctx.references[i % len(ctx.references)]
        timed(r, lambda ref=ref: ctx.specialist.get(f"/workspace/cases/{ref}/"))


@measurement("get-next, 8 specialists at once", target=30)
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


def _throughput(ctx: Context, r: Result, photo: bytes | None, seconds: float = 8.0):
    clients = [login("bench-seller-big") for _ in range(4)]
    done = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(client):
        while time.perf_counter() < stop:
            response = timed(r, lambda: _submit(client, photo))
            if response.status_code == 302:
                with lock:
                    done[0] += 1

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = done[0] / (time.perf_counter() - started)
    r.note = f"{done[0]} filed; p95 {r.stat(0.95):.0f} ms"
    r.samples = [rate]


@measurement("portal submissions (form only)", unit="/s", target=150)
def portal_submit(ctx: Context, r: Result):
    _throughput(ctx, r, None)


@measurement("portal submissions (with a 200 KB photo)", unit="/s", target=60)
def portal_submit_photo(ctx: Context, r: Result):
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(200 * 1024)
    _throughput(ctx, r, jpeg)


@measurement("API dispute list", target=50)
def api_list(ctx: Context, r: Result):
    import httpx

    client = httpx.Client(
        base_url=BASE, timeout=60, headers={"Authorization": f"Token {ctx.staff_token.key}"}
    )
    for _ in range(ctx.repeat):
        timed(r, lambda: client.get("/api/v1/disputes/", params={"status": "open"}))


@measurement("API dispute create")
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


@measurement("record import (ledger rows)", unit="/s", target=5000)
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


@measurement("SLA sweep, 1,000 due among all open", target=300)
def sla_sweep(ctx: Context, r: Result):
    from django.db import connection
    from django.utils import timezone

    from disputes.models import SlaTimer
    from disputes.sla.sweep import sweep_sla

    running = SlaTimer.objects.filter(next_check_at__isnull=False).count()
    for _ in range(3):
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


# --- running -----------------------------------------------------------------------------------

PASSWORD = "arbiter-bench"


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else ""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    return {
        "postgresql_shared_buffers": shared_buffers,
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "gunicorn_workers": GUNICORN_WORKERS,
        "debug": False,
    }


GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "ARBITER_QUERY_COUNT_HEADER": "1",
        "API_RATE_USER": "100000/minute",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/healthz", timeout=2).status_code in (200, 503):
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def print_table(results: list[Result], scale: str, host: dict) -> None:
    disputes, ledger = SCALES[scale]
    print(f"\nArbiter benchmark — scale {scale}: {disputes:,} disputes, {ledger:,} ledger events")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {host['cpus']} cores "
        f"({host['cpu']}) · {host['memory_gib']} GiB · Python {host['python']} · "
        f"PostgreSQL {host['postgresql']} (shared_buffers "
        f"{host['postgresql_shared_buffers']}) · gunicorn {host['gunicorn_workers']} sync workers, "
        "DEBUG off"
    )
    header = f"{'measurement':44} {'n':>4} {'p50':>9} {'p95':>9} {'queries':>8} {'target':>9}  ok"
    print(header)
    print("-" * len(header))
    for r in results:
        if r.unit == "ms":
            p50 = f"{r.stat(0.5):.1f}ms" if r.samples else "—"
            p95 = f"{r.stat(0.95):.1f}ms" if r.samples else "—"
            target = f"<{r.target:.0f}ms" if r.target else ""
        else:
            p50 = f"{statistics.median(r.samples):.0f}/s" if r.samples else "—"
            p95 = ""
            target = f">{r.target:.0f}/s" if r.target else ""
        queries = f"{max(r.queries)}" if r.queries else ""
        ok = {True: "yes", False: "NO", None: ""}[r.met]
        print(
            f"{r.name:44} {len(r.samples):>4} {p50:>9} {p95:>9} {queries:>8} {target:>9}  "
            f"{ok} {r.note}"
        )


def main() -> int:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="run measurements whose name contains this")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("make bench needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = True  # only in this process: lets the sweep measurement count queries
    disputes, ledger = SCALES[args.scale]
    call_command("migrate", verbosity=0)
    call_command("generate_scale", disputes=disputes, ledger_events=ledger)
    server = start_gunicorn()
    results: list[Result] = []
    try:
        ctx = Context(args.repeat)
        for name, unit, target, fn in MEASUREMENTS:
            if args.only and args.only not in name:
                continue
            result = Result(name=name, unit=unit, target=target)
            try:
                fn(ctx, result)
            except Exception as exc:  # report and go on: one failure must not hide the rest
                result.note = f"FAILED: {exc}"
            results.append(result)
            print(f"  measured {name}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    host = machine()
    print_table(results, args.scale, host)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "scale": args.scale,
        "disputes": disputes,
        "ledger_events": ledger,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": host,
        "results": [
            {**asdict(r), "p50": r.stat(0.5), "p95": r.stat(0.95), "met": r.met} for r in results
        ],
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    failed = [r for r in results if r.note.startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
