"""The ``parquet`` importer (a file or a Hive directory) and ``arrow`` (IPC file or stream)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs

import timeline

from ._exporters import arrow_module

__all__ = ["ArrowImporter", "ParquetImporter"]

Row = tuple[int, "dict[str, Any] | timeline.ImportProblem"]


@attrs.frozen
class _Directory:
    """A Hive-partitioned directory, passed where the base class passes an open stream."""

    path: Path
    """The directory."""

    @property
    def name(self) -> str:
        """The path, as errors name it."""
        return str(self.path)


def _rows(batches: Any, name: str) -> Iterator[Row]:
    pa = arrow_module("pyarrow")
    try:
        for line, fields in timeline.arrow_rows(batches):
            if isinstance(fields, timeline.InvalidDate):
                yield line, timeline.ImportProblem(line=line, field="when", reason=fields.reason)
            else:
                yield line, fields
    except pa.ArrowException as exc:
        raise timeline.InvalidRecord(name, f"cannot read it: {exc}") from None


@attrs.frozen(kw_only=True)
class ParquetImporter(timeline.Importer):
    """Reads an ``events/1`` Parquet file, or a Hive directory of them, one batch at a time."""

    name: str = "parquet"
    description: str = "events/1 Parquet file or Hive directory (a parquet export)"
    suffix: str = ".parquet"
    binary: bool = True

    def import_into(self, timeline: Any, source: Any, **options: Any) -> timeline.ImportReport:
        """Record the events of a Parquet file or Hive directory (all or nothing by default).

        Raises:
            ImportFailed: a row is bad and ``skip_invalid`` is false.
            InvalidRecord: the file is not an ``events/1`` Parquet file.
            MissingDependency: pyarrow is not installed.
        """
        if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
            source = _Directory(Path(source))
        return super().import_into(timeline, source, **options)

    def read(self, stream: IO[Any] | _Directory, **options: Any) -> Iterator[Row]:
        """Yield the rows of the Parquet file (or directory) one record batch at a time."""
        pa = arrow_module("pyarrow")
        name = getattr(stream, "name", "<stream>")
        try:
            if isinstance(stream, _Directory):
                dataset = arrow_module("pyarrow.dataset").dataset(
                    stream.path, format="parquet", partitioning="hive"
                )
                batches = dataset.to_batches()
            else:
                batches = arrow_module("pyarrow.parquet").ParquetFile(stream).iter_batches()
            yield from _rows(batches, str(name))
        except pa.ArrowException as exc:
            raise timeline.InvalidRecord(str(name), f"not a Parquet file ({exc})") from None


@attrs.frozen(kw_only=True)
class ArrowImporter(timeline.Importer):
    """Reads an ``events/1`` Arrow IPC file (or stream), batch by batch."""

    name: str = "arrow"
    description: str = "events/1 Arrow IPC file or stream (an arrow export)"
    suffix: str = ".arrow"
    binary: bool = True

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield the rows of the IPC file one record batch at a time."""
        pa = arrow_module("pyarrow")
        ipc = arrow_module("pyarrow.ipc")
        name = str(getattr(stream, "name", "<stream>"))
        try:
            try:
                reader = ipc.open_file(stream)
                batches: Any = (reader.get_batch(i) for i in range(reader.num_record_batches))
            except pa.ArrowInvalid:
                stream.seek(0)
                batches = ipc.open_stream(stream)
            yield from _rows(batches, name)
        except pa.ArrowException as exc:
            raise timeline.InvalidRecord(name, f"not an Arrow IPC file ({exc})") from None
