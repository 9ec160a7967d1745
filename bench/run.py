"""`make bench`: measure Arbiter at scale against a running gunicorn with production settings.

The rows are the @measurement functions of bench/measurements.py; the machinery is in
bench/harness.py. Prints one table and writes var/bench/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict

from bench import measurements  # noqa: F401 - registers the rows
from bench.harness import (
    FLOORS,
    MEASUREMENTS,
    ROOT,
    SCALES,
    Context,
    Result,
    floor_ratio,
    machine,
    print_table,
    start_gunicorn,
)
from bench.profile import profiled


def main() -> int:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--only", default="", help="run measurements whose name contains one of these (a,b)"
    )
    parser.add_argument(
        "--profile",
        default="",
        metavar="NAME",
        help="run only the measurement whose name contains NAME, under py-spy, and print the "
        "frames that held the most samples (var/bench/profile-*.txt)",
    )
    args = parser.parse_args()
    profile = ""
    if args.profile:
        chosen = [name for name, *_ in MEASUREMENTS if args.profile in name]
        if len(chosen) != 1:
            print(f"--profile {args.profile!r} names {len(chosen)} measurements:", file=sys.stderr)
            for name in chosen or [name for name, *_ in MEASUREMENTS]:
                print(f"  {name}", file=sys.stderr)
            return 2
        profile = chosen[0]
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
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn()
    results: list[Result] = []
    try:
        ctx = Context(args.repeat)
        for name, spec, fn in MEASUREMENTS:
            if profile and name != profile:
                continue
            wanted = not args.only or any(part in name for part in args.only.split(","))
            if not wanted and name not in FLOORS:  # the floor: in every run
                continue
            result = Result(name=name, **spec)
            try:
                with profiled(server.pid, out, name) if profile else nullcontext():
                    fn(ctx, result)
            except Exception as exc:  # report and go on: one failure must not hide the rest
                result.note = f"FAILED: {exc}"
            results.append(result)
            ctx.results[name] = result
            print(f"  measured {name}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    host = machine()
    print_table(results, args.scale, host)
    payload = {
        "scale": args.scale,
        "disputes": disputes,
        "ledger_events": ledger,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": host,
        "results": [
            {
                **asdict(r),
                "p50": r.stat(0.5),
                "p95": r.stat(0.95),
                "floor_ratio": floor_ratio(r, results),
                "met": r.met,
            }
            for r in results
        ],
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    failed = [r for r in results if r.note.startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
