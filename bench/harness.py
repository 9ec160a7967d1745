"""The benchmark's machinery: the measurement registry, HTTP helpers, gunicorn, the table."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALES = {
    "smoke": (2_000, 20_000),
    "small": (20_000, 200_000),
    "1m": (1_000_000, 10_000_000),
}
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
# Measured first in every run; each row's p50 is printed as a multiple of the one-query floor's,
# which reads the same on a fast or a slow machine.
FLOOR_NO_DB = "floor: a view without the database"
FLOOR = "floor: a view with one query"
# The same view under 4 clients at once: what the request-rate rows ("req/s") are set against.
FLOOR_RATE = "floor: a view with one query, 4 clients"
FLOORS = (FLOOR_NO_DB, FLOOR, FLOOR_RATE)


@dataclass
class Result:
    name: str
    # "ms" (latency; lower is better), "req/s" (requests a second, 4 clients; higher is better,
    # set against the floor's rate) or "/s" (rows a second; higher is better)
    unit: str
    samples: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    target: float | None = None
    note: str = ""
    at: float = 0.95  # the quantile a latency target is for

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
            return self.stat(self.at) <= self.target
        return statistics.median(self.samples) >= self.target


MEASUREMENTS: list[tuple[str, dict, Callable]] = []  # name, how a Result is made, the function


def measurement(name: str, *, unit: str = "ms", target: float | None = None, at: float = 0.95):
    """A row of the table; a latency target is for the p95 unless `at` says another quantile."""

    def register(fn):
        MEASUREMENTS.append((name, {"unit": unit, "target": target, "at": at}, fn))
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
        self.results: dict[str, Result] = {}  # the rows measured so far, by name
        self.dashboards_ready = False  # see measurements._dashboard_setup
        self.specialist = login("bench-specialist-0")
        self.lead = login("bench-lead")
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
        "gunicorn_threads": GUNICORN_THREADS,
        "debug": False,
    }


GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
# BENCH_THREADS=N runs gthread workers of N threads each instead of sync ones (README: serving).
GUNICORN_THREADS = int(os.environ.get("BENCH_THREADS", "1"))


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
            *(["--threads", str(GUNICORN_THREADS)] if GUNICORN_THREADS > 1 else []),
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
    workers = host["gunicorn_workers"]
    serving = (
        f"{workers} gthread workers × {host['gunicorn_threads']} threads"
        if host["gunicorn_threads"] > 1
        else f"{workers} sync workers"
    )
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {host['cpus']} cores "
        f"({host['cpu']}) · {host['memory_gib']} GiB · Python {host['python']} · "
        f"PostgreSQL {host['postgresql']} (shared_buffers "
        f"{host['postgresql_shared_buffers']}) · gunicorn {serving}, DEBUG off"
    )
    header = (
        f"{'measurement':44} {'n':>4} {'p50':>9} {'p95':>9} {'× floor':>8} {'queries':>8} "
        f"{'target':>9}  ok"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r.unit == "ms":
            p50 = f"{r.stat(0.5):.1f}ms" if r.samples else "—"
            p95 = f"{r.stat(0.95):.1f}ms" if r.samples else "—"
            target = f"p{r.at * 100:.0f}<{r.target:.0f}ms" if r.target else ""
        else:
            p50 = f"{statistics.median(r.samples):.0f}/s" if r.samples else "—"
            p95 = ""
            target = f">{r.target:.0f}/s" if r.target else ""
        queries = f"{max(r.queries)}" if r.queries else ""
        ratio = floor_ratio(r, results)
        times = f"{ratio:.2f}×" if ratio is not None and ratio < 1 else ""
        times = times or (f"{ratio:.1f}×" if ratio is not None else "")
        ok = {True: "yes", False: "NO", None: ""}[r.met]
        print(
            f"{r.name:44} {len(r.samples):>4} {p50:>9} {p95:>9} {times:>8} {queries:>8} "
            f"{target:>9}  {ok} {r.note}"
        )


def floor_ratio(result: Result, results: list[Result]) -> float | None:
    """The row set against the floor of the same run: a latency's p50 over the one-query
    view's (not for rows timed in process, which no request's cost bounds); a request rate
    over the one-query view's rate under the same 4 clients."""
    floors = {r.name: r for r in results if r.name in FLOORS and r.samples}
    if not result.samples or "in process" in result.name:
        return None
    if result.unit == "ms" and FLOOR in floors:
        return result.stat(0.5) / floors[FLOOR].stat(0.5)
    if result.unit == "req/s" and result.name != FLOOR_RATE and FLOOR_RATE in floors:
        return statistics.median(result.samples) / statistics.median(floors[FLOOR_RATE].samples)
    return None
