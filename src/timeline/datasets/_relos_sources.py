"""The RELOS sample's articles, anchors and confirming sources (see ``_relos``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from .._model import Actor, Source
from .._when import When

#: The day the June 2024 article was published (the author dates it 23 June 2024).
ANCHOR_2024 = "2024-06-23"
#: The day the December 2025 article is read against (inferred: it discusses the NSS).
ANCHOR_2025 = "2025-12-05"
RELOS = "RELOS"

ARTICLE_2024 = Source(
    url="https://eestieest.com/russias-new-logistics-pact-with-india-complements-its-newly-"
    "recalibrated-asian-strategy",
    publisher="Andrew Korybko's Substack (copy at eestieest.com)",
    title="Russia's Military Logistics Pact With India Complements Its Newly Recalibrated "
    "Asian Strategy",
    published=ANCHOR_2024,
)
ARTICLE_2025 = Source(
    url="https://daynews.space/?p=128494",
    publisher="Asia Times (copy at daynews.space)",
    title="Russia-India logistics deal could serve US interests over China's",
)
#: How summaries and attributes name the articles: title, author and publisher.
CITE_2024 = (
    "Andrew Korybko, \"Russia's Military Logistics Pact With India Complements Its Newly "
    "Recalibrated Asian Strategy\" (Korybko's Substack, 23 June 2024)"
)
CITE_2025 = (
    'Andrew Korybko, "Russia-India logistics deal could serve US interests over China\'s" '
    "(Asia Times, December 2025)"
)


def quote(article: Source, words: str) -> Source:
    """Return ``article`` citing ``words``, which must be the source's own words."""
    return attrs.evolve(article, excerpt=words)


def as_written(text: str, anchor: str) -> When:
    """Return the date ``text`` as an article wrote it, with the article's day as anchor.

    Relative phrases are resolved against the anchor; absolute ones ("since 2022")
    keep it too, as the day the words were written.
    """
    when = When.parse(text, anchor=anchor)
    return attrs.evolve(when, anchor=dt.date.fromisoformat(anchor))


def from_2024(**attributes: Any) -> dict[str, Any]:
    """Return attributes naming the June 2024 article, plus ``attributes``."""
    return {"article": CITE_2024, **attributes}


def from_2025(**attributes: Any) -> dict[str, Any]:
    """Return attributes naming the December 2025 article, plus ``attributes``."""
    return {"article": CITE_2025, **attributes}


TASS_DUMA = Source(
    url="https://tass.com/politics/2052369",
    publisher="TASS",
    title="State Duma ratifies Russia-India agreement on reciprocal logistics support",
    published="2025-12-02",
)
LIVEMINT_DUMA = Source(
    url="https://www.livemint.com/news/india/ahead-of-putin-s-visit-russian-parliament-clears-"
    "major-military-logistics-pact-with-india-11764728841917.html",
    publisher="Mint",
    title="Ahead of Putin's visit, Russian parliament clears major military logistics pact "
    "with India",
    published="2025-12-03",
)
INDIATODAY_URL = (
    "https://www.indiatoday.in/world/story/russia-india-military-logistics-pact-relos-"
    "signed-glbs-2836418-2025-12-15"
)
INDIATODAY_FC = Source(
    url=INDIATODAY_URL,
    publisher="India Today (PTI)",
    published="2025-12-15",
    excerpt="was ratified by the State Duma, the lower house of parliament, on December 2, "
    "followed by approval from the Federation Council, the upper house, on December 8.",
)
TASS_FC = Source(
    url="https://tass.com/economy/2056179",
    publisher="TASS",
    published="2025-12-10",
    excerpt="The Federation Council, or the upper house of Russia\u2019s parliament, will "
    "consider the ratification of an intergovernmental logistics agreement between Russia "
    "and India that outlines reciprocal procedures for dispatching troops and military "
    "equipment at a plenary meeting on Wednesday.",
)
HT_NSS = Source(
    url="https://www.hindustantimes.com/india-news/keen-to-work-with-india-for-stability-in-"
    "indo-pacific-us-101764961457099.html",
    publisher="Hindustan Times",
)
PRINT_NSS = Source(
    url="https://theprint.in/diplomacy/trumps-new-national-security-strategy-china-a-threat-"
    "india-a-critical-partner-europe-in-decline/2799460",
    publisher="ThePrint",
)
BS_NSS = Source(
    url="https://www.business-standard.com/blueprint-defence-magazine/reports/"
    "policy-fluid-126010500437_1.html",
    publisher="Business Standard",
)
#: The one-party steps of the Russian ratification: Russia acts, India receives.
INDIA_RECEIVES = Actor(country="IND", role="recipient")


def said(article: Source, words: str) -> Source:
    """``quote`` for the articles, which set apostrophes as U+2019 (typed here as "'")."""
    return quote(article, words.replace("'", "\u2019"))
