"""The ``parquet`` importer (a file or a Hive directory) and ``arrow`` (IPC file or stream)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs

import timeline

from ._exporters import arrow_module

__all__ = ["ArrowImporter", "ParquetImporter"]

Row = tuple[int, "dict[str, Any] | timeline.ImportProblem"]


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
    reads_directories: bool = True

    def read(self, stream: IO[Any] | Path, **options: Any) -> Iterator[Row]:
        """Yield the rows of the Parquet file (or directory) one record batch at a time."""
        pa = arrow_module("pyarrow")
        name = getattr(stream, "name", "<stream>")
        try:
            if isinstance(stream, Path):
                dataset = arrow_module("pyarrow.dataset").dataset(
                    stream, format="parquet", partitioning="hive"
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
