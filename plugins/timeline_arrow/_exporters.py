"""The ``parquet`` exporter (a file or a Hive-partitioned directory) and ``arrow`` (IPC file)."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

import timeline

__all__ = ["ArrowExporter", "ParquetExporter", "arrow_module"]

#: Rows per Parquet row group: large enough for the readers' statistics to skip whole
#: groups (about 40 MB of columns), small enough that an export's memory stays flat:
#: the largest thing it holds is one row group, whether the log has 100k or 1M events
#: (at 131,072 a 100k export never filled one, so its memory was lower than at 1M).
ROW_GROUP_ROWS = 65_536
#: Rows per record batch built from the log: a row group is written from several, so the
#: Python objects of one batch's decoding stay small beside the row group's columns.
BUILD_ROWS = 16_384
#: The column a partitioned export splits on.
PARTITION_COLUMN = "when_year"
#: Hive's name for the partition of a null value (an event open at both ends).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

_TABLE = timeline.Option(
    name="table",
    help="events (one row per event, events/1) or records (the raw log, records/1)",
    default="events",
    choices=("events", "records"),
)


def arrow_module(name: str) -> Any:
    """Return the pyarrow module ``name``, or raise ``MissingDependency`` naming the extra."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise timeline.MissingDependency(
            "pyarrow", "arrow", "the Parquet and Arrow formats"
        ) from None


def _reader(
    view: Any, records: Iterable[timeline.Record], table: str, rows: int
) -> tuple[Any, int | None]:
    """Return the batch reader of ``table`` and, for records, how many events they are about."""
    if table == "records":
        streams = {r.stream for r in records}
        return timeline.records_reader(view, streams, rows=rows), len(streams)
    return timeline.events_reader(view, records, rows=rows), None


class _HiveWriter:
    """Writes batches into ``root/when_year=Y/part-N.parquet``, one row group per ``rows`` rows.

    Each year's rows wait in a buffer until there are ``rows`` of them. Events
    arrive in timeline order, so years only grow after the open-start events
    (which come first): a year below the highest seen is finished, and is
    written out and closed. Memory then holds about two row groups, whatever
    the timeline's size. Should a finished year get rows again, they go to a
    new part file, so the output is right in any order.
    """

    def __init__(self, root: Path, schema: Any, rows: int, options: dict[str, Any]) -> None:
        self.pa = arrow_module("pyarrow")
        self.pq = arrow_module("pyarrow.parquet")
        self.root = root
        self.schema = schema.remove(schema.get_field_index(PARTITION_COLUMN))
        self.rows = rows
        self.options = options
        self.pending: dict[int | None, list[Any]] = {}
        self.writers: dict[int | None, Any] = {}
        self.parts: dict[int | None, int] = {}
        self.frontier: int | None = None

    def write(self, batch: Any) -> None:
        """Add a batch of ``events/1`` rows (with the ``when_year`` column)."""
        pc = arrow_module("pyarrow.compute")
        years = batch.column(PARTITION_COLUMN)
        body = batch.drop_columns([PARTITION_COLUMN])
        for year in pc.unique(years).to_pylist():
            mask = pc.is_null(years) if year is None else pc.equal(years, year)
            self.pending.setdefault(year, []).append(body.filter(mask))
            if sum(b.num_rows for b in self.pending[year]) >= self.rows:
                self._flush(year, final=False)
        dated = pc.filter(years, pc.invert(batch.column("when_open_start")))
        highest = pc.max(dated).as_py()
        if highest is not None and (self.frontier is None or highest > self.frontier):
            self.frontier = highest
        if self.frontier is None:
            return  # still among the open-start events: any year may come again
        for year in {*self.pending, *self.writers}:
            if year is None or year < self.frontier:
                self._flush(year)
                self._close(year)

    def _flush(self, year: int | None, final: bool = True) -> None:
        # Whole row groups of `rows` rows; the remainder waits unless the year is done.
        table = self.pa.Table.from_batches(self.pending.pop(year, []), schema=self.schema)
        keep = 0 if final else table.num_rows % self.rows
        if keep:
            self.pending[year] = table.slice(table.num_rows - keep).to_batches()
            table = table.slice(0, table.num_rows - keep)
        if table.num_rows == 0:
            return
        writer = self.writers.get(year)
        if writer is None:
            part = self.parts.get(year, 0)
            self.parts[year] = part + 1
            folder = self.root / f"{PARTITION_COLUMN}={NULL_PARTITION if year is None else year}"
            folder.mkdir(exist_ok=True)
            writer = self.pq.ParquetWriter(
                folder / f"part-{part}.parquet", self.schema, **self.options
            )
            self.writers[year] = writer
        writer.write_table(table, row_group_size=self.rows)

    def _close(self, year: int | None) -> None:
        writer = self.writers.pop(year, None)
        if writer is not None:
            writer.close()

    def close(self) -> None:
        for year in list(self.pending):
            self._flush(year)
        for year in list(self.writers):
            self._close(year)


@contextlib.contextmanager
def _new_directory(path: Path) -> Iterator[Path]:
    # Written beside the target and renamed at the end: a failed export leaves no half tree.
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise timeline.TimelineError(
            f"cannot write {path}: it exists and is not an empty directory; pick a new one"
        )
    tmp = path.with_name(path.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        yield tmp
        if path.exists():
            path.rmdir()
        os.replace(tmp, path)
    except OSError as exc:
        raise timeline.TimelineError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@attrs.frozen(kw_only=True)
class ParquetExporter(timeline.Exporter):
    """Writes the ``events/1`` (or ``records/1``) table as Parquet, streamed in row groups.

    zstd compression, statistics on every column (readers skip row groups by
    ``when_earliest`` / ``when_latest``), dictionary-encoded kinds. With
    ``partition_by=when_year`` the destination is a directory in Hive layout.
    """

    name: str = "parquet"
    description: str = "Parquet file (or Hive directory by year) of the events/1 table"
    suffix: str = ".parquet"
    media_type: str = "application/vnd.apache.parquet"
    binary: bool = True
    options: tuple[timeline.Option, ...] = (
        _TABLE,
        timeline.Option(
            name="partition_by",
            help="write a Hive-partitioned directory by this column (when_year)",
            choices=(PARTITION_COLUMN,),
        ),
        timeline.Option(
            name="row_group_rows", help="rows per row group", default=ROW_GROUP_ROWS, type=int
        ),
    )

    @staticmethod
    def writer_options() -> dict[str, Any]:
        """The ``pyarrow.parquet.ParquetWriter`` settings every file is written with."""
        return {"compression": "zstd", "write_statistics": True, "version": "2.6"}

    def includes_retracted_for(self, options: dict[str, Any]) -> bool:
        """The records table is the log: retracted events' records belong in it."""
        return bool(options.get("table") == "records")

    def writes_directory(self, options: dict[str, Any]) -> bool:
        """``partition_by`` writes a Hive directory of Parquet files."""
        return options.get("partition_by") is not None

    def write_directory(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        path: Path,
        **options: Any,
    ) -> int:
        """Write the ``events/1`` rows as ``path/when_year=Y/part-N.parquet``; return the count.

        Raises:
            InvalidOption: ``partition_by`` is asked of the records table.
            TimelineError: the directory exists already, or cannot be written.
        """
        if options.get("table") == "records":
            raise _invalid(self, "partition_by", options["partition_by"], "table=events")
        rows = _rows(self, options["row_group_rows"])
        count = 0
        with _new_directory(path) as root:
            reader = _events_reader(view, records, min(rows, BUILD_ROWS))
            writer = _HiveWriter(root, reader.schema, rows, self.writer_options())
            try:
                for batch in reader:
                    writer.write(batch)
                    count += batch.num_rows
            finally:
                writer.close()
        return count

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write one Parquet file to the binary ``stream``; return how many events it is about."""
        pa = arrow_module("pyarrow")
        pq = arrow_module("pyarrow.parquet")
        rows = _rows(self, options["row_group_rows"])
        reader, events = _reader(view, records, options["table"], min(rows, BUILD_ROWS))
        count = 0
        with pq.ParquetWriter(stream, reader.schema, **self.writer_options()) as writer:
            # Batches gather into whole row groups of `rows` rows; the rest waits.
            pending: list[Any] = []
            waiting = 0
            for batch in reader:
                pending.append(batch)
                waiting += batch.num_rows
                count += batch.num_rows
                if waiting >= rows:
                    table = pa.Table.from_batches(pending, schema=reader.schema)
                    whole = waiting - waiting % rows
                    writer.write_table(table.slice(0, whole), row_group_size=rows)
                    pending = table.slice(whole).to_batches()
                    waiting -= whole
            if waiting:
                table = pa.Table.from_batches(pending, schema=reader.schema)
                writer.write_table(table, row_group_size=rows)
        return count if events is None else events


def _events_reader(view: Any, records: Iterable[timeline.Record], rows: int) -> Any:
    """Return the ``events/1`` batch reader of ``records`` (a name the module doesn't shadow)."""
    return timeline.events_reader(view, records, rows=rows)


def _invalid(exporter: Any, option: str, value: object, expected: str) -> timeline.InvalidOption:
    return timeline.InvalidOption(exporter.owner, option, value, expected)


def _rows(exporter: Any, rows: int) -> int:
    if rows < 1:
        raise _invalid(exporter, "row_group_rows", rows, "a positive number of rows")
    return rows


@attrs.frozen(kw_only=True)
class ArrowExporter(timeline.Exporter):
    """Writes the ``events/1`` (or ``records/1``) table as an Arrow IPC file, batch by batch."""

    name: str = "arrow"
    description: str = "Arrow IPC file (Feather v2) of the events/1 table"
    suffix: str = ".arrow"
    media_type: str = "application/vnd.apache.arrow.file"
    binary: bool = True
    options: tuple[timeline.Option, ...] = (_TABLE,)

    def includes_retracted_for(self, options: dict[str, Any]) -> bool:
        """The records table is the log: retracted events' records belong in it."""
        return bool(options.get("table") == "records")

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write the IPC file to the binary ``stream``; return how many events it is about."""
        ipc = arrow_module("pyarrow.ipc")
        reader, events = _reader(view, records, options["table"], BUILD_ROWS)
        count = 0
        with ipc.new_file(stream, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                count += batch.num_rows
        return count if events is None else events
