"""Settings come from the environment; production refuses the development key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.checks import refuse_development_key

ROOT = Path(__file__).resolve().parents[2]


def _django_setup(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    }
    env.update(env_overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuse_development_key_raises_only_in_production():
    refuse_development_key(debug=True, secret_key="dev", development_key="dev")
    refuse_development_key(debug=False, secret_key="real", development_key="dev")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        refuse_development_key(debug=False, secret_key="dev", development_key="dev")


def test_production_settings_refuse_to_start_with_the_development_key(tmp_path):
    result = _django_setup({"DEBUG": "false", "ARBITER_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unset_environment_means_sqlite_and_a_filesystem_broker(tmp_path):
    result = _django_setup({"ARBITER_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_database_and_redis_urls_are_honoured(tmp_path):
    result = _django_setup(
        {
            "ARBITER_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/arbiter",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]


def _security(env_overrides: dict[str, str], tmp_path) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_SSL_REDIRECT,"
            " settings.SECURE_HSTS_SECONDS)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "ARBITER_VAR_DIR": str(tmp_path),
            **env_overrides,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_x_forwarded_proto_is_not_trusted_unless_a_proxy_is_declared(tmp_path):
    assert _security({}, tmp_path) == ["None", "False", "0"]
    declared = _security(
        {
            "TRUST_X_FORWARDED_PROTO": "true",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_HSTS_SECONDS": "31536000",
        },
        tmp_path,
    )
    assert declared == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "31536000"]
