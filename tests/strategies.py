"""Shared Hypothesis strategies for geotimeline's tests (import as ``tests.strategies``).

Add a strategy here for every new value type, so property tests across
modules draw from the same data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

from hypothesis import strategies as st

from timeline._when import When

__all__ = [
    "anchors",
    "aware_datetimes",
    "crowded_dates",
    "edtf_texts",
    "event_fields",
    "event_ids",
    "far_edtf_texts",
    "full_events",
    "markup_texts",
    "operations",
    "phrased_whens",
    "whens",
]

# Year 9999 is left out: its winter runs past date.max, and 9999-12-31 is the
# open-end marker, both tested on their own.
_YEARS = st.integers(min_value=1, max_value=9998)
_MONTHS = st.integers(min_value=1, max_value=12)
_SEASONS = st.integers(min_value=21, max_value=24)
_QUALIFIERS = st.sampled_from(["?", "~", "%"])
_DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31))


def _year_text(year: int) -> str:
    return f"{year:04d}"


@functools.cache
def _single_edtf() -> st.SearchStrategy[str]:
    """One EDTF date, unqualified: year, month, day, season or X-digit form."""
    years = _YEARS.map(_year_text)
    months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", _YEARS, _MONTHS)
    days = _DAYS.map(dt.date.isoformat)
    seasons = st.builds(lambda y, s: f"{y:04d}-{s}", _YEARS, _SEASONS)
    unspecified = st.one_of(
        st.integers(min_value=1, max_value=999).map(lambda decade: f"{decade:03d}X"),
        st.integers(min_value=1, max_value=99).map(lambda century: f"{century:02d}XX"),
        years.map(lambda y: f"{y}-XX"),
        years.map(lambda y: f"{y}-XX-XX"),
        months.map(lambda m: f"{m}-XX"),
    )
    return st.one_of(years, months, days, seasons, unspecified)


@functools.cache
def _qualified_edtf() -> st.SearchStrategy[str]:
    """One EDTF date, with a qualifier half of the time."""
    return st.one_of(_single_edtf(), st.builds(lambda d, q: d + q, _single_edtf(), _QUALIFIERS))


@st.composite
def _interval_edtf(draw: st.DrawFn) -> str:
    """Draw an EDTF interval whose end does not precede its start; either end may be open."""
    left, right = draw(_qualified_edtf()), draw(_qualified_edtf())
    # Ordering by first day is enough: the later-starting date ends after that day.
    if When.parse(right).earliest < When.parse(left).earliest:
        left, right = right, left
    shape = draw(
        st.sampled_from(["closed", "open end", "open start", "unknown end", "unknown start"])
    )
    if shape == "open end":
        return f"{left}/.."
    if shape == "open start":
        return f"../{right}"
    if shape == "unknown end":
        return f"{left}/"
    if shape == "unknown start":
        return f"/{right}"
    return f"{left}/{right}"


@st.composite
def _set_edtf(draw: st.DrawFn) -> str:
    """Draw an EDTF level 2 set, one of ('[..]') or all of ('{..}'), of days, months or years."""
    members = draw(
        st.lists(
            st.one_of(
                _YEARS.map(_year_text),
                st.builds(lambda y, m: f"{y:04d}-{m:02d}", _YEARS, _MONTHS),
                _DAYS.map(dt.date.isoformat),
            ),
            min_size=2,
            max_size=4,
            unique=True,
        )
    )
    opening, closing = draw(st.sampled_from(["[]", "{}"]))
    return f"{opening}{','.join(members)}{closing}"


_FAR_YEARS = st.integers(min_value=-9999, max_value=0)
_LONG_YEARS = st.one_of(
    st.integers(min_value=10_000, max_value=10**10),
    st.integers(min_value=-(10**10), max_value=-10_000),
)


def _far_year_text(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def _far_day(year: int, month: int, day: int) -> str:
    # Leap years repeat every 400 years: shift into datetime's range to check the day.
    length = calendar.monthrange(2000 + year % 400, month)[1]
    return f"{_far_year_text(year)}-{month:02d}-{min(day, length):02d}"


@functools.cache
def far_edtf_texts() -> st.SearchStrategy[str]:
    """EDTF dates of years ``datetime.date`` cannot hold: year 0, negative and ``Y`` years.

    Years, months, days, seasons and X-digit forms of the years -9999..0000 (with a
    qualifier now and then), intervals between them and up to the years 1-9998, and
    ``Y`` years of five digits or more (which stand alone).
    """
    years = _FAR_YEARS.map(_far_year_text)
    months = st.builds(lambda y, m: f"{_far_year_text(y)}-{m:02d}", _FAR_YEARS, _MONTHS)
    days = st.builds(_far_day, _FAR_YEARS, _MONTHS, st.integers(min_value=1, max_value=31))
    seasons = st.builds(lambda y, c: f"{_far_year_text(y)}-{c}", _FAR_YEARS, _SEASONS)
    unspecified = st.integers(min_value=0, max_value=99).map(lambda c: f"-{c:02d}XX")
    single = st.one_of(years, months, days, seasons, unspecified)
    qualified = st.one_of(single, st.builds(lambda d, q: d + q, single, _QUALIFIERS))

    def interval(pair: tuple[str, str]) -> str:
        left, right = pair
        if When.parse(right).bound_days[0] < When.parse(left).bound_days[0]:
            left, right = right, left
        return f"{left}/{right}"

    intervals = st.tuples(qualified, st.one_of(qualified, _qualified_edtf())).map(interval)
    ends = st.one_of(qualified.map(lambda d: f"{d}/.."), qualified.map(lambda d: f"{d}/"))
    long_years = _LONG_YEARS.map(lambda y: f"Y{y}")
    return st.one_of(qualified, intervals, ends, long_years)


@functools.cache
def edtf_texts() -> st.SearchStrategy[str]:
    """Canonical EDTF strings of every kind ``When`` reads (no times): levels 0-1 and sets.

    Years beyond 0001-9999 (``far_edtf_texts``) too, now and then.
    """
    return st.one_of(_qualified_edtf(), _interval_edtf(), _set_edtf(), far_edtf_texts())


@functools.cache
def aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    """Aware datetimes, with fixed offsets (whole minutes, at most 14 hours) or IANA zones."""
    offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    )
    fixed = st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 12, 31),
        timezones=offsets,
    )
    # Zones only from 1980: earlier, some zones used local mean time, whose
    # offsets have seconds that EDTF cannot write.
    zoned = st.datetimes(
        min_value=dt.datetime(1980, 1, 1),
        max_value=dt.datetime(2100, 12, 31),
        timezones=st.timezones(),
        allow_imaginary=False,
    )
    return st.one_of(fixed, zoned)


@functools.cache
def anchors() -> st.SearchStrategy[dt.date]:
    """Anchor days for relative phrases, away from the ends of the calendar."""
    return st.dates(min_value=dt.date(20, 1, 1), max_value=dt.date(9990, 12, 31))


@functools.cache
def _timed() -> st.SearchStrategy[When]:
    single = aware_datetimes().map(When.coerce)
    return st.one_of(single, st.tuples(aware_datetimes(), aware_datetimes()).map(_timed_interval))


def _timed_interval(pair: tuple[dt.datetime, dt.datetime]) -> When:
    start, end = sorted(pair)
    return When.parse(f"{When.coerce(start).edtf}/{When.coerce(end).edtf}")


@functools.cache
def _bounds() -> st.SearchStrategy[When]:
    def build(pair: tuple[dt.date, dt.date]) -> When:
        return When.from_bounds(*sorted(pair))

    return st.tuples(_DAYS, _DAYS).map(build)


def _month_name(month: int) -> str:
    return calendar.month_name[month]


@functools.cache
def phrased_whens() -> st.SearchStrategy[When]:
    """``When`` read from English phrases (absolute and relative), so ``phrase`` is set."""
    day_phrases = _DAYS.map(lambda d: f"{d.day} {_month_name(d.month)} {d.year:04d}")
    us_days = _DAYS.map(lambda d: f"{_month_name(d.month)[:3]} {d.day}, {d.year:04d}")
    month_parts = st.builds(
        lambda part, m, y: f"{part} {_month_name(m)} {y:04d}",
        st.sampled_from(["early", "mid", "late"]),
        _MONTHS,
        _YEARS,
    )
    year_parts = st.builds(
        lambda part, y: f"{part} {y:04d}", st.sampled_from(["early", "mid", "late"]), _YEARS
    )
    seasons = st.builds(
        lambda s, y: f"{s} {y:04d}", st.sampled_from(["spring", "summer", "autumn"]), _YEARS
    )
    since = _YEARS.map(lambda y: f"since {y:04d}")
    circa = _YEARS.map(lambda y: f"circa {y:04d}")
    absolute = st.one_of(day_phrases, us_days, month_parts, year_parts, seasons, since, circa).map(
        When.parse
    )
    relative = st.builds(
        When.parse,
        st.sampled_from(
            [
                "early December",
                "in May",
                "over the summer",
                "over the weekend",
                "last week",
                "last month",
                "last year",
                "yesterday",
                "for the past year",
                "the past few years",
            ]
        ),
        anchors(),
    )
    return st.one_of(absolute, relative)


@functools.cache
def whens(*, phrases: bool = True) -> st.SearchStrategy[When]:
    """Draw any ``When``, of every form the parser reads.

    Days, months, years, seasons, qualified and X-digit dates, intervals (open
    ends too), timed events and timed intervals; with ``phrases``, English phrases.

    Args:
        phrases: also draw ``When`` parsed from phrases (their ``phrase`` is set).

    """
    exact = st.one_of(
        edtf_texts().map(When.parse),
        _DAYS.map(When.coerce),
        _timed(),
        _bounds(),
    )
    return st.one_of(exact, phrased_whens()) if phrases else exact


# -- events and operations on a timeline (used by test_timeline / test_projection) ----------

_KINDS = ("treaty.signed", "visit.state", "meeting.summit", "statement.joint", "relations.shift")
_COUNTRIES = ("RUS", "IND", "USA", "CHN", "PRK", "VNM", "UKR")
# Built once: building strategies per draw costs hypothesis most of its time.
_EVENT_WHENS = whens(phrases=False)
_TITLES = st.text(alphabet="abcdefghij klmnop,;\\é中", min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""
)
_ACTOR_LISTS = st.lists(st.sampled_from(_COUNTRIES), max_size=3, unique=True)
_TAG_LISTS = st.lists(st.sampled_from(("a", "b", "c")), max_size=2, unique=True)


@st.composite
def event_fields(draw: st.DrawFn) -> dict[str, object]:
    """Draw the keyword fields of a valid event (no id)."""
    return {
        "kind": draw(st.sampled_from(_KINDS)),
        "when": draw(whens(phrases=False)),
        "title": draw(
            st.text(alphabet="abcdefghij klmnop,;\\é中", min_size=1, max_size=20).filter(
                lambda s: s.strip() != ""
            )
        ),
        "actors": draw(st.lists(st.sampled_from(_COUNTRIES), max_size=3, unique=True)),
        "tags": draw(st.lists(st.sampled_from(("a", "b", "c")), max_size=2, unique=True)),
    }


@st.composite
def operations(draw: st.DrawFn, max_size: int = 25) -> list[tuple[str, object]]:
    """Draw a valid sequence of ("record", fields) / ("amend", (i, fields)) / ("retract", i).

    ``i`` indexes the events recorded so far; amend and retract only target live events.
    """
    ops: list[tuple[str, object]] = []
    live: list[int] = []
    titles: list[str] = []  # each event's current title: an amendment must change something
    recorded = 0
    for _ in range(draw(st.integers(1, max_size))):
        choice = draw(st.sampled_from(("record", "record", "amend", "retract")))
        if choice == "record" or not live:
            fields = draw(event_fields())
            ops.append(("record", fields))
            titles.append(str(fields["title"]).strip())
            live.append(recorded)
            recorded += 1
        elif choice == "amend":
            target = draw(st.sampled_from(live))
            change = draw(event_fields())
            title = str(change["title"]).strip() + "!"
            while title == titles[target]:
                title += "!"
            titles[target] = title
            ops.append(("amend", (target, {"title": title, "when": change["when"]})))
        else:
            target = draw(st.sampled_from(live))
            live.remove(target)
            ops.append(("retract", target))
    return ops


def markup_texts() -> st.SearchStrategy[str]:
    """Draw non-blank text full of markup and script breakers (``</script>``, ``<!--``, U+2028)."""
    breakers = ["</script>", "<script>", "<!--", "-->", "</style>", "&amp;", "<", ">", "&"]
    pieces = st.sampled_from([*breakers, '"', "'", "\u2028", "\u2029", "\\", "a", " ", "é", "中"])
    return st.lists(pieces, min_size=1, max_size=8).map("".join).filter(lambda s: s.strip() != "")


# -- whole events, every field (the Arrow round trip: test_arrow) ---------------------------

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")
_OPTIONAL_TEXT = st.none() | _TEXT
_ROLES = st.none() | st.sampled_from(["actor", "recipient", "party", "host", "visitor"])
_SECTORS = st.none() | st.sampled_from(["GOV", "MIL", "LEG"])


@functools.cache
def _actors() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {"country": st.sampled_from(_COUNTRIES)},
        optional={"role": _ROLES, "sector": _SECTORS, "name": _OPTIONAL_TEXT},
    )


@functools.cache
def _sources() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {"url": st.sampled_from(["https://tass.ru/a", "https://mea.gov.in/b?x=1"])},
        optional={
            "publisher": _OPTIONAL_TEXT,
            "title": _OPTIONAL_TEXT,
            "published": st.none() | _DAYS,
            "excerpt": _OPTIONAL_TEXT,
        },
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def full_events(draw: st.DrawFn) -> dict[str, object]:
    """Draw the keyword fields of an event using every field (id included), any date.

    Dates of every precision (phrases too), open ends, years 1 to 9999; empty
    and non-empty lists; non-ASCII text; nested JSON attributes.
    """
    return {
        "id": draw(st.uuids().map(lambda u: u.hex)),
        "kind": draw(st.sampled_from(_KINDS)),
        "when": draw(whens()),
        "title": draw(_TEXT),
        "summary": draw(st.just("") | _TEXT),
        "actors": draw(st.lists(_actors(), max_size=3, unique_by=lambda a: a["country"])),
        "location": draw(_OPTIONAL_TEXT),
        "sources": draw(st.lists(_sources(), max_size=2, unique_by=lambda s: s["url"])),
        "tags": draw(st.lists(st.sampled_from(("a", "b", "ß", "中")), max_size=3, unique=True)),
        "treaty": draw(_OPTIONAL_TEXT),
        "related": draw(st.lists(st.sampled_from(("e1", "e2")), max_size=2, unique=True)),
        "modality": draw(st.sampled_from(["actual", "planned", "reported", "negated"])),
        "attributes": draw(st.dictionaries(_TEXT, _JSON, max_size=3)),
    }


def crowded_dates() -> st.SearchStrategy[str]:
    """Date texts crowded into a few months of 2024, so analyses find neighbours.

    Exact days, days with a time, spans of days, months, phrased parts of a
    month, qualified days, the whole year and an open-ended date: every width
    the clusters analysis links or only possibly links.
    """
    days = st.dates(min_value=dt.date(2024, 5, 20), max_value=dt.date(2024, 7, 10))
    return st.one_of(
        days.map(dt.date.isoformat),
        days.map(lambda d: f"{d.isoformat()}T12:00:00+03:00"),
        days.map(lambda d: f"{d.isoformat()}~"),
        st.tuples(days, st.integers(min_value=1, max_value=20)).map(
            lambda p: f"{p[0].isoformat()}/{(p[0] + dt.timedelta(days=p[1])).isoformat()}"
        ),
        st.sampled_from(["2024-05", "2024-06", "2024-07", "early June 2024", "late June 2024"]),
        st.sampled_from(["2024", "since 2022"]),
    )


def event_ids() -> st.SearchStrategy[str]:
    """Ids as logs hold them: generated (UUIDv7 hex sharing a time prefix) and chosen ones."""
    generated = st.builds(
        lambda prefix, tail: f"0192a3b4c5d67{prefix}{tail}",
        st.sampled_from(["0a1", "0a2", "1ff"]),
        st.sampled_from(["8", "9", "a", "b"]).flatmap(
            lambda variant: st.text("0123456789abcdef", min_size=15, max_size=15).map(
                lambda rest: variant + rest
            )
        ),
    )
    chosen = st.text(st.sampled_from("abcdef0123-é中"), min_size=1, max_size=12) | st.sampled_from(
        ["relos-negotiation", "gdelt-1234567890", "e30d8e", "abc"]
    )
    return generated | chosen
