"""`make bench --profile`: py-spy's collapsed stacks summed into the frames a request's time
went to, from Django's handler down."""

from __future__ import annotations

from bench.profile import ROOT, frame_label, summarise

SERVER = "<module> (/venv/lib/python3.11/site-packages/gunicorn/__main__.py:7)"
HANDLER = "WSGIHandler.__call__ (/venv/site-packages/django/core/handlers/wsgi.py:124)"
VIEW = f"case_detail ({ROOT}/disputes/views/workspace.py:211)"
PAGE = f"get_case_page ({ROOT}/disputes/selectors/cases.py:88)"
RENDER = "render (/venv/lib/python3.11/site-packages/django/shortcuts.py:25)"
WAIT = "Connection.wait (/venv/lib/python3.11/site-packages/psycopg/connection.py:479)"


def test_a_frame_is_its_function_and_its_file_from_the_project_or_the_package():
    assert frame_label(PAGE) == "get_case_page (disputes/selectors/cases.py)"
    assert frame_label(WAIT) == "Connection.wait (psycopg/connection.py)"
    assert frame_label("<frozen runpy>") == "<frozen runpy>"


def test_only_requests_count_and_the_frames_every_request_passes_are_left_out(tmp_path):
    raw = tmp_path / "profile.raw.txt"
    raw.write_text(
        "\n".join(
            [
                f"{SERVER};{HANDLER};{VIEW};{PAGE};{WAIT} 60",
                f"{SERVER};{HANDLER};{VIEW};{RENDER} 30",
                f"{SERVER};{HANDLER};{VIEW} 10",
                f"{SERVER} 500",  # the server's own loop: not a request
                "garbage without a count",
            ]
        )
    )
    summary = summarise([raw])
    inclusive, own = summary.split("\n\n")
    assert "of 100 samples in requests" in inclusive
    assert " 60.0%  get_case_page (disputes/selectors/cases.py)" in inclusive
    assert " 30.0%  render (django/shortcuts.py)" in inclusive
    assert "case_detail" not in inclusive and "gunicorn" not in summary  # every request's
    assert own.splitlines()[2:5] == [
        "  60.0%  Connection.wait (psycopg/connection.py)",
        "  30.0%  render (django/shortcuts.py)",
        "  10.0%  case_detail (disputes/views/workspace.py)",
    ]


def test_no_request_sampled_says_so(tmp_path):
    raw = tmp_path / "profile.raw.txt"
    raw.write_text(f"{SERVER} 500\n")
    assert summarise([raw]) == "no request was sampled (was the measurement run?)"
