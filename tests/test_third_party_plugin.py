"""A third-party plugin installed for real: docs/examples/timeline-hello seen by the CLI.

The example is installed as a real distribution: a ``.dist-info`` directory
(METADATA, entry_points.txt, RECORD) written from its own pyproject.toml, beside
a copy of its package, in a directory put on PYTHONPATH of a subprocess. That
is exactly what ``pip install`` leaves in site-packages, without needing a
build backend or the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "timeline-hello"
TABLE = re.compile(r"\[([\w.-]+)\]")
STRING = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?')


def read_tables(text: str) -> dict[str, dict[str, str]]:
    """Return the ``key = "string"`` entries of a pyproject.toml, by table name.

    A small reader for the flat tables the example uses, so that this test runs on
    Python 3.10 too (tomllib came in 3.11); other values (arrays...) are left out.
    """
    tables: dict[str, dict[str, str]] = {"": {}}
    current = tables[""]
    for line in text.splitlines():
        line = line.strip()
        if header := TABLE.fullmatch(line):
            current = tables.setdefault(header.group(1), {})
        elif entry := STRING.fullmatch(line):
            current[entry.group(1)] = json.loads(entry.group(2))  # a TOML basic string
    return tables


def install(example: Path, site: Path) -> dict[str, str]:
    """Install the example distribution into ``site``; return its name and version."""
    tables = read_tables((example / "pyproject.toml").read_text(encoding="utf-8"))
    project = tables["project"]
    name, version = project["name"], project["version"]
    for package in (example / "src").iterdir():
        if package.is_dir():
            shutil.copytree(
                package, site / package.name, ignore=shutil.ignore_patterns("__pycache__")
            )
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: {project['description']}\n",
        encoding="utf-8",
    )
    prefix = "project.entry-points."
    groups = {t.removeprefix(prefix): eps for t, eps in tables.items() if t.startswith(prefix)}
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
            for group, eps in groups.items()
        ),
        encoding="utf-8",
    )
    (info / "INSTALLER").write_text("test\n", encoding="utf-8")
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in sorted(files)), encoding="utf-8")
    return {"name": name, "version": version}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the installed example plugin."""
    path = tmp_path_factory.mktemp("site")
    install(EXAMPLE, path)
    return path


def timeline(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``timeline`` command with the example plugin installed."""
    full = {**os.environ, "PYTHONPATH": str(site), **env}
    full.pop("TIMELINE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestReadTables:
    def test_reads_the_example(self) -> None:
        """The example's name, version, description and entry point are read."""
        tables = read_tables((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
        assert ("timeline-hello", "0.1.0") == (
            tables["project"]["name"],
            tables["project"]["version"],
        )
        assert tables["project"]["description"].startswith("A worked example")
        assert {"hello": "timeline_hello"} == tables["project.entry-points.timeline"]

    def test_escapes_and_comments(self) -> None:
        """Basic-string escapes are decoded; comments and non-string values are skipped."""
        text = '# top\n[a.b]\nx = "say \\"hi\\"" # note\nn = 3\nlist = ["q"]\n'
        assert {"": {}, "a.b": {"x": 'say "hi"'}} == read_tables(text)


class TestInstalledExample:
    def test_listed_by_plugins_json(self, site: Path, tmp_path: Path) -> None:
        """timeline plugins --json lists the example with its distribution and hooks."""
        result = timeline(site, tmp_path, "plugins", "--json")
        assert 0 == result.returncode, result.stderr
        hello = [p for p in json.loads(result.stdout) if p["name"] == "hello"]
        assert [
            {
                "name": "hello",
                "version": "0.1.0",
                "source": "entrypoint",
                "distribution": "timeline-hello",
                "entry_point": "hello = timeline_hello",
                "hooks": ["timeline_register_exporters", "timeline_register_kinds"],
                "error": None,
            }
        ] == hello

    def test_exporter_and_kind_work_from_the_cli(self, site: Path, tmp_path: Path) -> None:
        """The plugin's kind can be recorded and its exporter writes the agenda."""
        steps = [
            ["init"],
            [
                "add",
                "--kind",
                "meeting.bilateral",
                "--when",
                "2025-07-01",
                "--title",
                "Talks in Delhi",
                "--actor",
                "IND",
                "--actor",
                "RUS",
            ],
            ["export", "hello", "-o", "out.txt", "--heading", "This week"],
        ]
        for step in steps:
            result = timeline(site, tmp_path, "--db", "t.db", *step)
            assert 0 == result.returncode, (step, result.stderr)
        assert "This week\n2025-07-01    Talks in Delhi  [IND, RUS]\n" == (
            tmp_path / "out.txt"
        ).read_text(encoding="utf-8")

    def test_disabled_by_environment(self, site: Path, tmp_path: Path) -> None:
        """TIMELINE_DISABLE_PLUGINS=hello keeps it out; its exporter is then unknown."""
        env = {"TIMELINE_DISABLE_PLUGINS": "timeline-hello"}
        result = timeline(site, tmp_path, "plugins", "--json", **env)
        assert "hello" not in [p["name"] for p in json.loads(result.stdout)]
        result = timeline(site, tmp_path, "export", "hello", **env)
        assert 1 == result.returncode
        assert result.stderr.startswith("error: unknown exporter 'hello'")

    def test_own_contract_tests_pass(self, site: Path) -> None:
        """The example's tests (timeline.testing's ExporterContract) pass against it."""
        env = {**os.environ, "PYTHONPATH": str(site)}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(EXAMPLE / "tests"),
            ],
            env=env,
            cwd=EXAMPLE,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert 0 == result.returncode, result.stdout[-2000:]
        assert " passed" in result.stdout
