"""The parquet and arrow exporters and importers (plugins/timeline_arrow)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from timeline.testing import ExporterContract, FixedClock, ImporterContract

from .conftest import spark_session

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb", reason="pip install -e '.[test]' (duckdb) to run these")

import timeline_arrow  # noqa: E402 - after the skip: the plugin needs pyarrow

#: Dates of every shape: days, months, fuzzy, intervals, open starts and ends, far years.
DATES = [
    "2025-02-18",
    "2025-12",
    "early December 2025",
    "2024~",
    "2019/2024-06",
    "since 2022",
    "../2024-06",
    "2025-12-04T10:00+05:30",
    "0012",
    "9998-05",
    "2021-21",
]


def _timeline(dates: list[str] = DATES) -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    tl.record_many(
        {
            "id": f"e{i}",
            "kind": "visit.state" if i % 2 else "treaty.signed",
            "when": when,
            "title": f"Event {i} ({when})",
            "actors": [("RUS", "IND", "CHN")[i % 3]],
        }
        for i, when in enumerate(dates)
    )
    return tl


def _titles(output: bytes) -> list[str]:
    data = pa.py_buffer(output)
    try:
        table = pq.read_table(data)
    except pa.ArrowInvalid:
        table = pa.ipc.open_file(data).read_all()
    return table.column("title").to_pylist()


class _ReadsTheTable:
    def assert_exported(self, output: bytes | str, titles: Any, absent: Any = ()) -> None:
        assert isinstance(output, bytes)
        written = _titles(output)
        assert set(titles) <= set(written)
        assert not set(absent) & set(written)


class TestParquetContract(_ReadsTheTable, ExporterContract):
    def make_exporter(self):
        return timeline_arrow.ParquetExporter()


class TestArrowContract(_ReadsTheTable, ExporterContract):
    def make_exporter(self):
        return timeline_arrow.ArrowExporter()


def _bad_table() -> Any:
    return pa.table(
        {
            "event_id": ["a", "b", "c", "d"],
            "kind": ["treaty.signed", "treaty.signed", "visit.state", "no.such.kind"],
            "title": ["Good", "Bad date", "Good", "Bad kind"],
            "when_edtf": ["2025-02-18", "never", "2025-12-04", "2025"],
        }
    )


class TestParquetImporterContract(ImporterContract):
    def make_importer(self):
        return timeline_arrow.ParquetImporter()

    def make_exporter(self):
        return timeline_arrow.ParquetExporter()

    def invalid_file(self):
        sink = io.BytesIO()
        pq.write_table(_bad_table(), sink)
        return sink.getvalue(), [2, 4]


class TestArrowImporterContract(ImporterContract):
    def make_importer(self):
        return timeline_arrow.ArrowImporter()

    def make_exporter(self):
        return timeline_arrow.ArrowExporter()

    def invalid_file(self):
        sink = io.BytesIO()
        with pa.ipc.new_file(sink, _bad_table().schema) as writer:
            writer.write_table(_bad_table())
        return sink.getvalue(), [2, 4]


class TestParquetFile:
    def test_round_trip_every_date_shape(self, tmp_path: Path) -> None:
        """Every event, of every date shape, reads back equal from the Parquet file."""
        source = _timeline()
        assert len(DATES) == source.export("parquet", tmp_path / "ev.parquet").written
        target = timeline.open(":memory:")
        target.import_file("parquet", tmp_path / "ev.parquet")
        assert source.events() == target.events()

    def test_zstd_statistics_and_row_groups(self, tmp_path: Path) -> None:
        """zstd, statistics on the bounds, and row groups of row_group_rows rows."""
        _timeline().export("parquet", tmp_path / "ev.parquet", row_group_rows=5)
        meta = pq.ParquetFile(tmp_path / "ev.parquet").metadata
        assert [5, 5, 1] == [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        column = meta.row_group(0).column(meta.schema.names.index("when_earliest"))
        assert ("ZSTD", True) == (column.compression, column.is_stats_set)

    def test_no_sentinel_dates_in_the_statistics(self, tmp_path: Path) -> None:
        """No Parquet file holds 0001-01-01 or 9999-12-31: open bounds are nulls."""
        tl = _timeline()
        tl.export("parquet", tmp_path / "one.parquet", row_group_rows=4)
        tl.export("parquet", tmp_path / "hive", partition_by="when_year", row_group_rows=4)
        files = [tmp_path / "one.parquet", *sorted((tmp_path / "hive").rglob("*.parquet"))]
        sentinels = {dt.date(1, 1, 1), dt.date(9999, 12, 31)}
        seen = set()
        for path in files:
            meta = pq.ParquetFile(path).metadata
            for g in range(meta.num_row_groups):
                for c in range(meta.num_columns):
                    column = meta.row_group(g).column(c)
                    if (
                        column.statistics is not None
                        and column.statistics.logical_type.type == "DATE"
                    ):
                        seen |= {column.statistics.min, column.statistics.max} - {None}
        assert seen  # the statistics were there to read
        assert not seen & sentinels

    def test_records_table(self, tmp_path: Path) -> None:
        """table=records writes the raw log; 'what did we know then' is one DuckDB query."""
        tl = _timeline(["2025-02-18", "2025-03"])
        tl.amend("e0", reason="later", title="Amended")
        tl.retract("e1", reason="wrong")
        path = tmp_path / "records.parquet"
        assert 2 == tl.export("parquet", path, table="records").written
        known_then = tl.history("e0")[0].recorded_at
        rows = duckdb.sql(
            f"""
            select stream, type, json_extract_string(event, '$.title') as title
            from read_parquet('{path}')
            where recorded_at <= '{known_then.isoformat()}'::timestamptz
            qualify row_number() over (partition by stream order by version desc) = 1
            order by stream
            """
        ).fetchall()
        assert [
            ("e0", "recorded", "Event 0 (2025-02-18)"),
            ("e1", "recorded", "Event 1 (2025-03)"),
        ] == rows
        then = tl.as_of(recorded=known_then).events()
        assert [(e.id, "recorded", e.title) for e in then] == rows


class TestHive:
    def test_partitioned_reads_back_with_hive_partitioning(self, tmp_path: Path) -> None:
        """A when_year directory per year; DuckDB reads it with hive_partitioning."""
        tl = _timeline()
        tl.export("parquet", tmp_path / "events", partition_by="when_year")
        folders = sorted(p.name for p in (tmp_path / "events").iterdir())
        assert "when_year=2025" in folders
        assert "when_year=2024" in folders  # "../2024-06": the year of its latest day
        rows = duckdb.sql(
            f"""
            select when_year, count(*) from read_parquet(
                '{tmp_path}/events/**/*.parquet', hive_partitioning = true
            ) group by all order by all
            """
        ).fetchall()
        expected: dict[int | None, int] = {}
        for r in tl.events().to_arrow().column("when_year").to_pylist():
            expected[r] = expected.get(r, 0) + 1
        assert sorted(expected.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)) == rows

    def test_partitioned_round_trip(self, tmp_path: Path) -> None:
        """The parquet importer reads a Hive directory back: the same events."""
        source = _timeline()
        source.export("parquet", tmp_path / "events", partition_by="when_year", row_group_rows=2)
        target = timeline.open(":memory:")
        assert len(DATES) == target.import_file("parquet", tmp_path / "events").recorded
        assert source.events() == target.events()

    def test_years_are_written_out_as_they_finish(self, tmp_path: Path) -> None:
        """Each year gets one file, whatever the batch size (years finish in timeline order)."""
        dates = [f"{year}-0{m}" for year in (2020, 2021, 2022) for m in range(1, 8)]
        _timeline(dates).export(
            "parquet", tmp_path / "ev", partition_by="when_year", row_group_rows=3
        )
        files = sorted(str(p.relative_to(tmp_path / "ev")) for p in (tmp_path / "ev").rglob("*"))
        assert [
            "when_year=2020",
            "when_year=2020/part-0.parquet",
            "when_year=2021",
            "when_year=2021/part-0.parquet",
            "when_year=2022",
            "when_year=2022/part-0.parquet",
        ] == files
        meta = pq.ParquetFile(tmp_path / "ev" / "when_year=2021" / "part-0.parquet").metadata
        assert [3, 3, 1] == [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]

    def test_refuses_a_stream_or_a_full_directory(self, tmp_path: Path) -> None:
        """Partitioning needs a directory path that is new or empty; nothing is half written."""
        tl = _timeline()
        with pytest.raises(timeline.TimelineError, match="writes a directory: give a path"):
            tl.export("parquet", io.BytesIO(), partition_by="when_year")
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "keep.txt").write_text("mine")
        with pytest.raises(timeline.TimelineError, match="not an empty directory"):
            tl.export("parquet", tmp_path / "full", partition_by="when_year")
        assert ["keep.txt"] == [p.name for p in (tmp_path / "full").iterdir()]
        assert not (tmp_path / "full.partial").exists()


class TestSpark:
    """Spark's own Parquet reader (pyspark on a local JVM) reads both layouts as written."""

    def test_spark_reads_the_file_and_the_hive_directory(self, tmp_path: Path) -> None:
        spark: Any = spark_session()
        tl = _timeline()
        tl.export("parquet", tmp_path / "events.parquet")
        tl.export("parquet", tmp_path / "events", partition_by="when_year")
        expected = tl.events().to_arrow()
        one = spark.read.parquet(str(tmp_path / "events.parquet"))
        types = dict(one.dtypes)
        assert types["when_earliest"] == "date"
        assert types["when_start"] == "timestamp"
        assert types["actors"].startswith("array<struct<country:string")
        rows = {r["event_id"]: r for r in one.collect()}
        for want in expected.to_pylist():
            got = rows[want["event_id"]]
            # Years 12 and 9998 too: the files carry no sentinel and no legacy calendar.
            assert got["when_earliest"] == want["when_earliest"]
            assert got["when_latest"] == want["when_latest"]
            assert got["when_open_start"] == want["when_open_start"]
            assert [a["country"] for a in got["actors"]] == [a["country"] for a in want["actors"]]
        by_year = spark.read.parquet(str(tmp_path / "events")).groupBy("when_year").count()
        counts = {r["when_year"]: r["count"] for r in by_year.collect()}
        years = expected.column("when_year").to_pylist()
        assert counts == {year: years.count(year) for year in set(years)}


def _possibly_in(path: str, start: dt.date | None, end: dt.date | None) -> list[str]:
    # The recipe of docs/analytics.md: bounds overlap, a null bound is open.
    conditions = ["true"]
    if end is not None:
        conditions.append(f"(when_earliest is null or when_earliest <= date '{end}')")
    if start is not None:
        conditions.append(f"(when_latest is null or when_latest >= date '{start}')")
    sql = (
        f"select event_id from read_parquet('{path}', hive_partitioning = true) where "
        + " and ".join(conditions)
    )
    return sorted(row[0] for row in duckdb.sql(sql).fetchall())


_DAY = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[timeline.Timeline, str]:
    tl = _timeline()
    root = tmp_path_factory.mktemp("semantics")
    tl.export("parquet", root / "events", partition_by="when_year", row_group_rows=3)
    return tl, f"{root}/events/**/*.parquet"


class TestDateSemantics:
    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.none() | _DAY, st.none() | _DAY)
    def test_duckdb_possibly_in_equals_between(
        self, exported: tuple[timeline.Timeline, str], a: dt.date | None, b: dt.date | None
    ) -> None:
        """DuckDB's "possibly in" over the Parquet export gives exactly events(between=...)."""
        tl, path = exported
        if a is not None and b is not None and b < a:
            a, b = b, a
        expected = sorted(e.id for e in tl.events(between=(a, b)))
        assert expected == _possibly_in(path, a, b)

    def test_a_range_with_every_kind_of_overlap(
        self, exported: tuple[timeline.Timeline, str]
    ) -> None:
        """2024: open starts and ends, intervals and fuzzy years all count as possibly in."""
        tl, path = exported
        start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
        got = _possibly_in(path, start, end)
        assert sorted(e.id for e in tl.events(between=("2024", "2024"))) == got
        assert {"e3", "e4", "e5", "e6"} <= set(got)


class TestCli:
    def test_export_and_import_parquet(self, tmp_path: Path) -> None:
        """timeline export parquet -o DIR --partition-by and import parquet DIR, one line each."""
        db = tmp_path / "t.db"
        with timeline.open(db) as tl:
            tl.record(kind="treaty.signed", when="2025-02-18", title="RELOS", actors=["RUS"])
        run = [sys.executable, "-m", "timeline", "--db", str(db)]
        out = subprocess.run(
            [*run, "export", "parquet", "-o", str(tmp_path / "ev"), "-O", "partition_by=when_year"],
            capture_output=True,
            text=True,
        )
        assert 0 == out.returncode, out.stderr
        bad = subprocess.run([*run, "import", "parquet", str(db)], capture_output=True, text=True)
        assert 0 != bad.returncode
        assert 1 == len(bad.stderr.strip().splitlines())
        assert "not a Parquet file" in bad.stderr
