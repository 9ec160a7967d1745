"""README.md says what is true: its settings table names every variable the settings read, and
every curl example runs as written against a live server with the demo data, answering what the
README says it answers.

Each ``sh`` block of the README that calls curl is run by bash, as a reader would paste it, with
two substitutions only: the address `http://127.0.0.1:8000` becomes the live test server's, and
`$(python manage.py issue_token USERNAME)` becomes a token issued by that same command in this
process (the subprocess would not see the test database). curl itself is the real one; a
`.curlrc` in `CURL_HOME` adds a line with the HTTP status after each answer, so the commands keep
their README form. After each command the README says what comes back, on a line
`# answers STATUS …: {"field": value, …}`: the status must be that one (2xx) and the JSON answer
must hold those fields with those values (`…` stands for the fields not shown).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from disputes.demo.data import SELLERS
from tests.conftest import _skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)

README = Path(settings.BASE_DIR) / "README.md"
SETTINGS = Path(settings.BASE_DIR) / "config" / "settings.py"
ADDRESS = "http://127.0.0.1:8000"
ISSUE_TOKEN = re.compile(r"\$\(python manage\.py issue_token ([\w.@+-]+)\)")
STATUS_LINE = re.compile(r"\n?<<<HTTP (\d{3})>>>\n")
ANSWER = re.compile(r"^# answers (\d{3})\b[^{\n]*(\{.*\})?\s*$", re.MULTILINE)
CURL = re.compile(r"^curl\s", re.MULTILINE)


def curl_blocks(markdown: str) -> list[str]:
    """The README's ```sh blocks that call curl."""
    blocks = re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)
    return [block for block in blocks if CURL.search(block)]


def expected_answers(block: str) -> list[tuple[int, dict]]:
    """(status, fields) for each `# answers …` line of a block, in order."""
    answers = []
    for status, fragment in ANSWER.findall(block):
        fields = json.loads(fragment.replace(", …}", "}").replace("…", "")) if fragment else {}
        answers.append((int(status), fields))
    return answers


def test_the_settings_table_lists_every_variable_read_from_the_environment():
    source = SETTINGS.read_text()
    read = set(re.findall(r'\b(?:env|Env\(\))\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "NOTIFICATION_LEASE_SECONDS"} <= read
    table = README.read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table, flags=re.MULTILINE))
    assert read - listed == set(), "read in config/settings.py, missing from README's table"
    assert listed - read == set(), "in README's table, never read by config/settings.py"


def test_the_readme_has_curl_examples_each_with_its_answer():
    blocks = curl_blocks(README.read_text())
    assert len(blocks) >= 2
    for block in blocks:
        assert len(CURL.findall(block)) == len(expected_answers(block)), block


def test_the_readme_files_a_sku_of_the_demo_catalog():
    catalog = {sku.sku for seller in SELLERS for sku in seller.skus}
    skus = re.findall(r'"sku": "([^"]+)"', README.read_text())
    assert skus and set(skus) <= catalog


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--force", "--history-days", "0", stdout=StringIO())


@pytest.fixture
def curl(tmp_path):
    """The real curl, told by its own config file to print the status after each answer."""
    if shutil.which("curl") is None:
        _skip_or_fail("needs curl (apt-get install curl)")
    home = tmp_path / "curl-home"
    home.mkdir()
    (home / ".curlrc").write_text('write-out = "\\n<<<HTTP %{http_code}>>>\\n"\n')
    return {**os.environ, "CURL_HOME": str(home), "HOME": str(home)}


def _token(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize("index", range(len(curl_blocks(README.read_text()))))
def test_each_readme_curl_example_answers_what_the_readme_says(
    index, demo, curl, live_server, tmp_path
):
    block = curl_blocks(README.read_text())[index]
    script = ISSUE_TOKEN.sub(lambda m: _token(m.group(1)), block).replace(ADDRESS, live_server.url)
    assert live_server.url in script
    workdir = tmp_path / "work"
    workdir.mkdir()
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=workdir,
        env=curl,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    parts = STATUS_LINE.split(run.stdout)
    bodies, statuses = parts[0:-1:2], [int(s) for s in parts[1::2]]
    expected = expected_answers(block)
    assert statuses == [status for status, _ in expected], run.stdout
    assert all(200 <= status < 300 for status in statuses)
    for body, (_, fields) in zip(bodies, expected, strict=True):
        answer = json.loads(body)
        assert {key: answer.get(key) for key in fields} == fields, body
