"""The front door and the health check."""

import pytest
from django.urls import reverse

from config.celery import app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_home_page_links_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("admin:index") in response.content.decode()


def test_healthz_says_degraded_when_the_cache_is_down(client, cache_down):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False


def test_livez_answers_without_the_database_and_readyz_with_one_query(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert client.get(reverse("livez")).json() == {"status": "ok"}
    with django_assert_num_queries(1):
        response = client.get(reverse("readyz"))
    assert response.status_code == 200 and response.json()["checks"]["database"]["ok"] is True


def test_readyz_answers_503_when_the_database_does_not(client, monkeypatch):
    monkeypatch.setattr(
        "core.views.check_database", lambda: {"ok": False, "error": "OperationalError"}
    )
    response = client.get(reverse("readyz"))
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    assert client.get(reverse("livez")).status_code == 200
