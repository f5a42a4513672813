"""The backend contract against the four built-in backends (PostgreSQL on a real server)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from timeline import Backend, Event, Payload, PostgresStore, RecordType, SqliteStore, Store
from timeline._columns import HOT_WIDTH
from timeline._jsonl import JsonlBackend
from timeline._memory import MemoryBackend
from timeline._postgres import PostgresBackend
from timeline._records import CURRENT_SCHEMA, PendingRecord, encode_payload
from timeline._sqlite import SqliteBackend
from timeline.testing import BackendContract, StoreContract
from timeline.testing._postgres import with_params


class TestMemoryBackend(BackendContract):
    durable = False

    def make_backend(self, tmp_path: Path) -> Backend:
        return MemoryBackend()


class TestSqliteBackend(BackendContract):
    def make_backend(self, tmp_path: Path) -> Backend:
        return SqliteBackend(tmp_path / "log.db")

    def reopen(self, backend: Backend, tmp_path: Path) -> Backend:
        backend.close()
        return SqliteBackend(tmp_path / "log.db")


class TestJsonlBackend(BackendContract):
    def make_backend(self, tmp_path: Path) -> Backend:
        return JsonlBackend(tmp_path / "log.jsonl")

    def reopen(self, backend: Backend, tmp_path: Path) -> Backend:
        backend.close()
        return JsonlBackend(tmp_path / "log.jsonl")


class TestPostgresBackend(BackendContract):
    @pytest.fixture(autouse=True)
    def _log(self, postgres_url: str) -> Iterator[None]:
        # The contract drives the clock itself, so this log uses the writer's clock.
        self.url = with_params(postgres_url, clock="client")
        self.opened: list[Backend] = []
        yield
        for backend in self.opened:
            backend.close()

    def make_backend(self, tmp_path: Path) -> Backend:
        backend = PostgresBackend(self.url)
        self.opened.append(backend)
        return backend

    def reopen(self, backend: Backend, tmp_path: Path) -> Backend:
        backend.close()
        return self.make_backend(tmp_path)


#: A ```python block of a docs page (as tests/test_docs.py finds them).
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _docs_list_backend() -> type[Backend]:
    """Return the ``ListBackend`` of docs/stores.md, run from its example."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "stores.md").read_text("utf-8")
    block = next(b for b in BLOCK.findall(text) if "class ListBackend" in b)
    namespace: dict[str, object] = {"__name__": "docs_stores_backend"}
    exec(compile(block, "stores.md (ListBackend)", "exec"), namespace)
    found = namespace["ListBackend"]
    assert isinstance(found, type)
    assert issubclass(found, Backend)
    return found


class TestDocsListBackend(BackendContract):
    """The documented third-party backend passes the contract too."""

    durable = False

    def make_backend(self, tmp_path: Path) -> Backend:
        return _docs_list_backend()("list://test")


class TestDocsListStore(StoreContract):
    """And the record layer over it passes the store contract."""

    durable = False

    def make_store(self, tmp_path: Path) -> Store:
        return Store(_docs_list_backend()("list://test"))


def _event_record(title: str, kind: str, actors: list[str]) -> PendingRecord:
    event = Event(kind=kind, when="2025-02-18", title=title, actors=actors)
    return PendingRecord(
        stream=event.id,
        version=1,
        type=RecordType.RECORDED,
        schema=CURRENT_SCHEMA["recorded"],
        payload=encode_payload(Payload(event=event)),
    )


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_hot_rows_never_refer_to_terms_not_yet_loaded(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A writer committing new terms while a reader replays cannot outrun its terms."""
    if kind == "sqlite":
        reader, writer = SqliteStore(tmp_path / "log.db"), SqliteStore(tmp_path / "log.db")
    else:
        url = request.getfixturevalue("postgres_url")
        reader, writer = PostgresStore(url), PostgresStore(url)
    now = lambda: dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # noqa: E731
    try:
        writer.append([_event_record("a", "treaty.signed", ["RUS"])], now)
        seen: list[int] = []
        for batch in reader.read_hot():
            if not seen:  # another writer commits new terms while the reader reads rows
                writer.append([_event_record("b", "meeting.summit", ["CHN", "FRA"])], now)
            seen.extend(batch.hot)
        # The terms are read on first use, after the rows: they hold every id the rows use.
        known = len(reader.vocabulary().terms)
        ids = [seen[i + k] for i in range(0, len(seen), HOT_WIDTH) for k in (1, 5, 6, 7, 8)]
        assert max(ids) < known
    finally:
        reader.close()
        writer.close()
