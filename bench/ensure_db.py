"""Create the benchmark database if it does not exist yet (make bench)."""

import sys
from urllib.parse import urlparse

import psycopg

url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
with psycopg.connect(admin, autocommit=True) as conn:
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
