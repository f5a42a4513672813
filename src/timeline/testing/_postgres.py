"""Fixtures giving tests a real PostgreSQL server and a log schema of their own.

``postgres_server`` is the URL of $GEOTIMELINE_TEST_PG when set, else of a
throwaway cluster that ``pgserver`` (PostgreSQL binaries in a PyPI wheel) starts
for the session. Without either, the tests that use it skip with one line
saying how to enable them, except under ``CI=true``, where they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

__all__ = ["PASSWORD_ROLE", "TEST_PG_ENV", "postgres_server", "postgres_url", "with_params"]

#: Names a running server (a postgresql:// URL or a libpq "host=... user=..." string).
TEST_PG_ENV = "GEOTIMELINE_TEST_PG"

#: A role (name, password) that must log in with its password, on a server pgserver started.
PASSWORD_ROLE = ("gt_secret", "right-password")


def with_params(url: str, **params: str) -> str:
    """Return ``url`` with query parameters added (or replaced)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def _as_url(conninfo: str) -> str:
    if "://" in conninfo:
        return conninfo
    from psycopg.conninfo import conninfo_to_dict

    return "postgresql://?" + urlencode({k: str(v) for k, v in conninfo_to_dict(conninfo).items()})


def _prepare(url: str, hba: Path) -> None:
    import psycopg

    # A throwaway cluster: durability is not under test, speed is welcome.
    hba.write_text(f"local all {PASSWORD_ROLE[0]} scram-sha-256\n" + hba.read_text())
    with psycopg.connect(url, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute(f"CREATE ROLE {PASSWORD_ROLE[0]} LOGIN PASSWORD '{PASSWORD_ROLE[1]}'")
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Return the URL of a real PostgreSQL server: $GEOTIMELINE_TEST_PG, or one pgserver starts."""
    given = os.environ.get(TEST_PG_ENV)
    if given:
        yield _as_url(given)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the PostgreSQL tests must run; install the test extra (pgserver)")
        pytest.skip(f"no PostgreSQL: pip install -e '.[test]' (pgserver) or set {TEST_PG_ENV}")
    # Not under pytest's temp dir: as root, pgserver runs the server as its own
    # user, which cannot enter pytest's private (0700) directories.
    data = tempfile.mkdtemp(prefix="geotimeline-pg-")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(data, cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        url = str(server.get_uri())
        _prepare(url, Path(server.pgdata) / "pg_hba.conf")
        yield url
    finally:
        with warnings.catch_warnings(), contextlib.suppress(Exception):
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """Return a PostgreSQL log URL with a schema of its own, dropped after the test."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield with_params(postgres_server, schema=schema)
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        # Stores a test left open (and processes it killed) must not block the drop.
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name LIKE 'geotimeline%' AND pid <> pg_backend_pid()"
        )
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
