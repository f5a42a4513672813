"""The vendored drawing engine: vis-timeline's files from npm, checked against ``VENDOR.json``.

The exact files of the npm package live in ``_vendor/`` beside a manifest
(package, version, file, sha256, license of each). Every export reads them
through ``asset``, which refuses a file whose checksum is not the manifest's.
``make vendor`` runs this module: it fetches the package again with
``npm pack`` and fails on any checksum mismatch, so the vendored bytes are
always the published ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

import timeline

__all__ = ["VENDOR_DIR", "VendoredFile", "asset", "manifest", "refetch", "verify"]

#: Where the vendored files and ``VENDOR.json`` live (inside the package, so wheels carry them).
VENDOR_DIR = Path(str(resources.files("timeline_html"))) / "_vendor"


@attrs.frozen(kw_only=True)
class VendoredFile:
    """One vendored file, as the manifest records it."""

    package: str
    """The npm package it comes from (``vis-timeline``)."""
    version: str
    """The package version (``8.5.4``)."""
    file: str
    """Its name in ``_vendor/``."""
    path: str
    """Its path inside the npm tarball (``package/styles/...``)."""
    sha256: str
    """The hex SHA-256 of its bytes."""
    license: str
    """The package's SPDX licence expression."""


@functools.lru_cache(maxsize=1)
def manifest() -> tuple[VendoredFile, ...]:
    """Return the manifest's entries (``_vendor/VENDOR.json``)."""
    data: dict[str, Any] = json.loads((VENDOR_DIR / "VENDOR.json").read_text(encoding="utf-8"))
    return tuple(VendoredFile(**entry) for entry in data["files"])


def _entry(name: str) -> VendoredFile:
    for entry in manifest():
        if entry.file == name:
            return entry
    raise timeline.TimelineError(f"{name!r} is not a vendored file (see _vendor/VENDOR.json)")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=8)
def asset(name: str) -> str:
    """Return a vendored file's text after checking it against the manifest.

    Raises:
        TimelineError: the file is missing, not in the manifest, or its checksum differs.
    """
    entry = _entry(name)
    path = VENDOR_DIR / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise timeline.TimelineError(
            f"vendored file {path} cannot be read: {exc.strerror or exc}; run 'make vendor'"
        ) from None
    if _sha256(data) != entry.sha256:
        raise timeline.TimelineError(
            f"vendored file {path}: sha256 {_sha256(data)} is not the manifest's "
            f"{entry.sha256}; run 'make vendor'"
        )
    return data.decode("utf-8")


def verify() -> list[str]:
    """Check every vendored file against the manifest; return the problems (none: empty)."""
    problems = []
    for entry in manifest():
        try:
            asset(entry.file)
        except timeline.TimelineError as exc:
            problems.append(str(exc))
    return problems


def refetch(npm: str = "npm") -> list[str]:
    """Fetch the manifest's packages again with ``npm pack`` and rewrite ``_vendor/``.

    Nothing is written unless every file's checksum equals the manifest's.

    Returns:
        The names of the files written.

    Raises:
        TimelineError: npm failed, a file is missing from the tarball, or a checksum differs.
    """
    fetched: dict[str, bytes] = {}
    specs = sorted({(e.package, e.version) for e in manifest()})
    with tempfile.TemporaryDirectory() as tmp:
        for package, version in specs:
            spec = f"{package}@{version}"
            done = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise timeline.TimelineError(f"npm pack {spec} failed: {done.stderr.strip()}")
            tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as tar:
                for entry in manifest():
                    if (entry.package, entry.version) != (package, version):
                        continue
                    member = tar.extractfile(entry.path)
                    if member is None:
                        raise timeline.TimelineError(f"{spec}: no file {entry.path}")
                    data = member.read()
                    if _sha256(data) != entry.sha256:
                        raise timeline.TimelineError(
                            f"{spec} {entry.path}: sha256 {_sha256(data)} is not the "
                            f"manifest's {entry.sha256}"
                        )
                    fetched[entry.file] = data
    for name, data in fetched.items():
        (VENDOR_DIR / name).write_bytes(data)
    asset.cache_clear()
    return sorted(fetched)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``make vendor``: refetch with npm (``--check``: only verify the files here)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args == ["--check"]:
            problems = verify()
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1 if problems else 0
        for name in refetch():
            print(f"vendored {name} (sha256 matches VENDOR.json)")
    except timeline.TimelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
