"""Start and stop a real Celery worker (optionally with beat) against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """A `celery worker` subprocess; `kill()` is SIGKILL, as when a machine dies."""

    def __init__(self, tmp_path: Path, *, beat: bool = False, env: dict | None = None):
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues=default,checks,sla,notifications,analytics",
            f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            "--loglevel=INFO",
        ]
        if beat:
            args += ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
        full_env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "ARBITER_VAR_DIR": str(tmp_path),
            **(env or {}),
        }
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def output(self) -> str:
        return self.log.read_text()[-4000:]


def wait_for(predicate, *, timeout: float = 45.0, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
