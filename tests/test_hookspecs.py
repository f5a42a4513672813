"""Meta-tests for timeline.hookspecs: every hook is documented and tested (datasette-style)."""

from __future__ import annotations

import ast
import functools
import inspect
from pathlib import Path

import pytest

from timeline import hookspecs
from timeline._plugins import iter_hook_names

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(n for n in hookspecs.__all__ if n.startswith("timeline_"))


def signature(name: str) -> str:
    """Return the hook's signature as written in its spec (annotations as strings)."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def test_names() -> None:
    """Sanity: the hooks are the eight documented registration and subscription hooks."""
    assert [
        "timeline_on_append",
        "timeline_register_analyses",
        "timeline_register_commands",
        "timeline_register_exporters",
        "timeline_register_importers",
        "timeline_register_kinds",
        "timeline_register_stores",
        "timeline_register_upcasters",
    ] == HOOKS
    assert HOOKS == sorted(iter_hook_names())


class TestSpecs:
    @pytest.mark.parametrize("name", HOOKS)
    def test_is_a_hookspec(self, name: str) -> None:
        """Each name is marked as a hook specification of the timeline project."""
        assert hasattr(getattr(hookspecs, name), "timeline_spec")

    @pytest.mark.parametrize("name", HOOKS)
    def test_has_docstring_and_types(self, name: str) -> None:
        """Each hook has a docstring and annotated parameters returning None."""
        func = getattr(hookspecs, name)
        sig = inspect.signature(func)
        assert (func.__doc__ or "").strip()
        assert "None" == sig.return_annotation
        assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values())


class TestDocumented:
    @pytest.mark.parametrize("name", HOOKS)
    def test_documented_with_exact_signature(self, name: str) -> None:
        """docs/plugins.md shows each hook with its exact signature."""
        docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
        assert signature(name) in docs


@functools.cache
def _test_names() -> frozenset[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return frozenset(names)


class TestTested:
    @pytest.mark.parametrize("name", HOOKS)
    def test_has_a_test(self, name: str) -> None:
        """Each hook has a test called test_hook_<name> somewhere under tests/."""
        assert f"test_hook_{name}" in _test_names()
