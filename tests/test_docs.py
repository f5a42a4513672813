"""The documentation's examples run, and the public API is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import timeline

from .conftest import spark_session

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_python_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of a page runs, in order, in one namespace; its asserts hold."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_DB", raising=False)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for number, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")), 1):
        if block.startswith("# needs: pyspark and Java"):
            spark_session()  # skips (fails under CI=true) without them
        exec(compile(block, f"{path.name} (example {number})", "exec"), namespace)


def test_readme_has_examples() -> None:
    """The README's quickstart is among the examples that run."""
    assert len(BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))) >= 2


def test_readme_gives_the_two_commands() -> None:
    """The README names make demo and make test, and CI runs make test."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", timeline.__all__)
def test_public_names_are_documented(name: str) -> None:
    """Every public class and function has a docstring."""
    obj = getattr(timeline, name)
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
        assert (obj.__doc__ or "").strip(), f"timeline.{name} has no docstring"


def test_all_is_sorted() -> None:
    """__all__ is sorted as isort sorts: CONSTANTS, then Classes, then functions."""

    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sorted(timeline.__all__, key=key) == timeline.__all__
