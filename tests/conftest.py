"""Shared test setup: strict plugins everywhere, and the timeline.testing fixtures."""

from __future__ import annotations

import os

# Set before anything builds the default plugin host: the suite runs strict, so a
# broken plugin fails loudly instead of being reported and skipped. Subprocesses
# (the CLI tests) inherit it.
os.environ["TIMELINE_STRICT_PLUGINS"] = "1"

pytest_plugins = ["timeline.testing"]


# -- a real PostgreSQL server for the PostgreSQL store's tests ---------------------------

import contextlib  # noqa: E402 - kept beside the fixtures that use them
import shutil  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit  # noqa: E402

import pytest  # noqa: E402

#: Names a running server (a postgresql:// URL or a libpq "host=... user=..." string).
TEST_PG_ENV = "GEOTIMELINE_TEST_PG"


def with_params(url: str, **params: str) -> str:
    """Return ``url`` with query parameters added (or replaced)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _as_url(conninfo: str) -> str:
    if "://" in conninfo:
        return conninfo
    from psycopg.conninfo import conninfo_to_dict

    return "postgresql://?" + urlencode({k: str(v) for k, v in conninfo_to_dict(conninfo).items()})


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a real PostgreSQL server: $GEOTIMELINE_TEST_PG, or one pgserver starts."""
    given = os.environ.get(TEST_PG_ENV)
    if given:
        yield _as_url(given)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the PostgreSQL tests must run; install the test extra (pgserver)")
        pytest.skip(f"no PostgreSQL: pip install -e '.[test]' (pgserver) or set {TEST_PG_ENV}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        # Not under pytest's temp dir: as root, pgserver runs the server as its own
        # user, which cannot enter pytest's private (0700) directories.
        data = tempfile.mkdtemp(prefix="geotimeline-pg-")
        server = pgserver.get_server(data, cleanup_mode="stop")
    try:
        url = str(server.get_uri())
        _prepare(url, server.pgdata / "pg_hba.conf")
        yield url
    finally:
        with warnings.catch_warnings(), contextlib.suppress(Exception):
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


#: A role that must log in with a password (on a server the tests started).
PASSWORD_ROLE = ("gt_secret", "right-password")


def _prepare(url: str, hba: Any) -> None:
    import psycopg

    # A throwaway cluster: durability is not under test, speed is welcome.
    hba.write_text(f"local all {PASSWORD_ROLE[0]} scram-sha-256\n" + hba.read_text())
    with psycopg.connect(url, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute(f"CREATE ROLE {PASSWORD_ROLE[0]} LOGIN PASSWORD '{PASSWORD_ROLE[1]}'")
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL log URL with a schema of its own, dropped after the test."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield with_params(pg_server, schema=schema)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        # Stores a test left open (and processes it killed) must not block the drop.
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name LIKE 'geotimeline%' AND pid <> pg_backend_pid()"
        )
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
