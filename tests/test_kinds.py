"""The kind registry: built-in kinds, codes, suggestions for unknown kinds."""

from __future__ import annotations

import pytest

from timeline import BUILTIN_KINDS, InvalidEvent, Kind, KindRegistry, UnknownKind

ISSUE_KINDS = {
    "treaty.negotiation",
    "treaty.draft_approved",
    "treaty.signed",
    "treaty.submitted",
    "treaty.domestic_approval",
    "treaty.ratified",
    "treaty.entered_into_force",
    "treaty.withdrawn",
    "visit.state",
    "meeting.summit",
    "exercise.joint",
    "document.published",
    "plan.proposed",
    "statement.joint",
    "office.assumed",
    "relations.shift",
    "relations.improved",
    "relations.deteriorated",
    "policy.pursued",
    "influence.shift",
    "military.presence",
}


class TestRegistry:
    def test_builtins(self) -> None:
        """Every built-in kind is registered, with CAMEO/PLOVER codes where they exist."""
        registry = KindRegistry()
        assert ISSUE_KINDS == {k.name for k in registry}
        assert "057" == registry.get("treaty.signed").cameo
        assert "CONSULT" == registry.get("visit.state").plover
        assert "treaty" == registry.get("treaty.signed").family
        assert len(BUILTIN_KINDS) == len(registry)

    def test_codes_say_what_the_kind_is(self) -> None:
        """Directions of relations are split; joint statements and drafts get fitting codes."""
        registry = KindRegistry()
        assert "160" == registry.get("relations.deteriorated").cameo  # reduce relations
        assert "050" == registry.get("relations.improved").cameo  # diplomatic cooperation
        assert registry.get("relations.shift").cameo is None  # direction unstated
        assert "057" != registry.get("statement.joint").cameo  # 057 is signing an agreement
        draft = registry.get("treaty.draft_approved")
        assert ("031", "0312", "0311") == (
            draft.cameo_for(),
            draft.cameo_for(["military", "logistics"]),
            draft.cameo_for(["economic"]),
        )
        visit = registry.get("visit.state")
        assert ("042", "043", "visit") == (visit.cameo, visit.cameo_host, visit.plover_mode)
        assert ("military",) == registry.get("exercise.joint").plover_context
        assert ("legislative",) == registry.get("treaty.domestic_approval").plover_context

    def test_codes_are_checked(self) -> None:
        """CAMEO codes are digit strings; PLOVER types and contexts come from the code lists."""
        with pytest.raises(InvalidEvent, match="CAMEO"):
            Kind(name="a.b", description="x", cameo="57")
        with pytest.raises(InvalidEvent, match="PLOVER event type"):
            Kind(name="a.b", description="x", plover="AGREES")
        with pytest.raises(InvalidEvent, match="PLOVER context"):
            Kind(name="a.b", description="x", plover_context=("militar",))

    def test_unknown_kind_suggests(self) -> None:
        """An unknown kind names the closest known kinds."""
        with pytest.raises(UnknownKind) as info:
            KindRegistry().get("treaty.sigend")
        assert "treaty.signed" in info.value.suggestions
        assert "did you mean treaty.signed" in str(info.value)

    def test_bare_action_suggests(self) -> None:
        """A bare action name is matched against the part after the dot."""
        assert ["treaty.ratified"] == KindRegistry().suggest("ratified")[:1]

    def test_open_registry(self) -> None:
        """Plugins add kinds; re-adding the same kind is harmless, a different one is not."""
        registry = KindRegistry()
        kind = Kind(name="sanction.imposed", description="Sanctions", cameo="163")
        registry.add(kind)
        registry.add(kind)
        assert "sanction.imposed" in registry
        with pytest.raises(InvalidEvent):
            registry.add(Kind(name="sanction.imposed", description="Other"))

    def test_wildcards(self) -> None:
        """matching() expands * patterns."""
        assert ["visit.state"] == KindRegistry().matching("visit.*")

    def test_bad_name(self) -> None:
        """Kind names are dotted lower-case identifiers."""
        with pytest.raises(InvalidEvent, match="dotted lower-case"):
            Kind(name="Treaty", description="x")

    @pytest.mark.parametrize("name", ["cameo.010", "cameo.0312", "plover.consult.visit"])
    def test_code_segments(self, name: str) -> None:
        """A segment after the first may start with a digit: CAMEO codes keep their zeros."""
        assert name == Kind(name=name, description="x").name

    @pytest.mark.parametrize("name", ["010.cameo", "cameo", "cameo.", "cameo.01-0", "Cameo.010"])
    def test_family_starts_with_a_letter(self, name: str) -> None:
        """The family (first segment) still starts with a letter; codes need a family."""
        with pytest.raises(InvalidEvent, match="first part starts with a letter"):
            Kind(name=name, description="x")
