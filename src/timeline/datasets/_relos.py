"""The RELOS sample: every dated statement of two Korybko articles, with confirming sources.

The articles:

- Andrew Korybko, "Russia's Military Logistics Pact With India Complements Its Newly
  Recalibrated Asian Strategy", Korybko's Substack, 23 June 2024 (the author's own list
  of briefings dates it so, in "The Latest Indo-Russo Military Pact", February 2025,
  https://korybko.substack.com/p/the-latest-indo-russo-military-pact). Its
  relative phrases ("over the weekend", "for the past year") are anchored on that day.
- Andrew Korybko, "Russia-India logistics deal could serve US interests over China's",
  Asia Times (first published on his Substack), December 2025. The copy carries no date;
  it discusses the US National Security Strategy of 4-5 December, so its phrases are
  anchored on 5 December 2025 (inferred).

Each event cites the article it comes from, with the article's own words as the excerpt,
and the sources that confirm it (their excerpts are their words; where a source is only
summarised, the summary is in the event's ``attributes``, labelled as one). Dates keep
the phrase as written; a later, more precise date refines it (``When.refine``) and keeps
it. The author's assessments of trends (relations, influence, policy) are ``reported``;
possibilities he raises are ``hypothetical`` and have the article's day as their earliest
day. The dates and sources are tabled in domain.md section 6.

The Federation Council's "8 or 10 December" is one of two candidate days, the EDTF
level 2 set ``[2025-12-08,2025-12-10]`` (not the interval, which would include 9 December).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs

from .._model import Actor, Source
from .._when import When
from ._relos_sources import (
    ANCHOR_2024,
    ANCHOR_2025,
    ARTICLE_2024,
    ARTICLE_2025,
    BS_NSS,
    CITE_2024,
    CITE_2025,
    HT_NSS,
    INDIA_RECEIVES,
    INDIATODAY_FC,
    LIVEMINT_DUMA,
    PRINT_NSS,
    RELOS,
    TASS_DUMA,
    TASS_FC,
    as_written,
    from_2024,
    from_2025,
    said,
)

if TYPE_CHECKING:
    from .._timeline import Timeline

DESCRIPTION = (
    "RELOS (Russia-India logistics pact) life cycle and the events around it in two "
    "Korybko articles (June 2024, December 2025)"
)


def _relos_steps() -> list[dict[str, Any]]:
    return [
        {
            "id": "relos-negotiation",
            "kind": "treaty.negotiation",
            # Under way by August 2019 (Deccan Herald), ended by the signature.
            "when": "2019-08~/2025-02-18",
            "title": "Russia and India negotiate the RELOS logistics pact",
            "summary": "The article says the two had been negotiating the deal 'for the past "
            f"few years' ({CITE_2024}). The talks were under way by August 2019 (the pact was "
            "on the agenda of the September 2019 summit) and ended with the signature on "
            "18 February 2025.",
            "actors": [Actor(country="RUS", role="party"), Actor(country="IND", role="party")],
            "sources": [
                said(
                    ARTICLE_2024,
                    "the \u201cReciprocal Exchange of Logistics\u201d (RELOS) deal that "
                    "they've been negotiating for the past few years",
                ),
                Source(
                    url="https://www.deccanherald.com/international/world-news-politics/modi-putin-"
                    "to-weigh-military-logistics-sharing-pact-758211.html",
                    publisher="Deccan Herald",
                    published="2019-08-31",
                    title="Modi, Putin to weigh military logistics sharing pact",
                ),
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "related": ["relos-signed"],
            "attributes": from_2024(
                as_written={
                    "phrase": "for the past few years",
                    "anchor": ANCHOR_2024,
                    "edtf": When.parse("for the past few years", anchor=ANCHOR_2024).edtf,
                },
                date_basis="earliest stored trace (Deccan Herald, 31 August 2019) to the signature",
            ),
        },
        {
            "id": "relos-draft-approved",
            "kind": "treaty.draft_approved",
            "when": "2024-06-21",
            "title": "Russian government approves the draft RELOS (JMD) agreement with India",
            "summary": "PM Mishustin instructs the Defence Ministry to negotiate and sign the "
            "Joint Military Deployments agreement (the government order of 21 June 2024); "
            f"Sputnik reported it 'over the weekend' ({CITE_2024}), i.e. 22-23 June 2024.",
            "actors": [Actor(country="RUS", role="actor", sector="GOV"), INDIA_RECEIVES],
            "sources": [
                said(
                    ARTICLE_2024,
                    "Sputnik reported over the weekend that Russia approved a Joint Military "
                    "Deployments (JMD) agreement with India",
                ),
                Source(
                    url="https://rg.ru/amp/2024/06/21/rossiia-i-indiia-obsudiat-soglashenie-o-"
                    "poriadke-vzaimnogo-napravleniia-vojsk.html",
                    publisher="Rossiyskaya Gazeta",
                    published="2024-06-21",
                ),
                Source(
                    url="https://goachronicle.com/russia-okays-draft-military-logistics-pact-"
                    "with-india-report",
                    publisher="Goa Chronicle",
                ),
                Source(
                    url="https://thedefencespace.com/2024/06/24/india-russia-prepare-to-sign-"
                    "military-logistics-pact-soon/",
                    publisher="The Defence Space",
                    published="2024-06-24",
                ),
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": from_2024(
                reported={
                    "phrase": "over the weekend",
                    # The weekend that ends on the article's day (Sunday 23 June 2024).
                    "edtf": "2024-06-22/2024-06-23",
                    "anchor": ANCHOR_2024,
                    "basis": "inferred",
                },
            ),
        },
        {
            "id": "relos-signed",
            "kind": "treaty.signed",
            "when": "2025-02-18",
            "title": "RELOS signed in Moscow",
            "summary": "Signed by Ambassador Vinay Kumar and Deputy Defence Minister "
            "Alexander Fomin.",
            "location": "Moscow",
            "actors": [
                Actor(country="RUS", role="party", sector="MIL"),
                Actor(country="IND", role="party", sector="GOV"),
            ],
            "sources": [
                TASS_DUMA,
                Source(
                    url="https://www.nationalheraldindia.com/national/explained-ahead-of-putins-"
                    "visit-india-is-set-to-benefit-from-a-russian-military-pact",
                    publisher="National Herald",
                    published="2025-11-29",
                    excerpt="signed on 18 February 2025 in Moscow by India\u2019s Ambassador "
                    "Vinay Kumar and then Russian Deputy Defence Minister Alexander Fomin",
                ),
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
        },
        {
            "id": "relos-submitted",
            "kind": "treaty.submitted",
            "when": "2025-11-28",
            "title": "RELOS ratification bill submitted to the State Duma",
            "actors": [Actor(country="RUS", role="actor", sector="GOV"), INDIA_RECEIVES],
            "sources": [
                Source(
                    url="https://www.rbc.ru/politics/28/11/2025/6929d2ec9a794702edcb82fe",
                    publisher="RBC",
                    published="2025-11-28",
                )
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
        },
        {
            # Recorded as the article says it, then refined once the date was confirmed.
            "id": "relos-duma",
            "kind": "treaty.domestic_approval",
            "when": as_written("in early December", ANCHOR_2025),
            "title": "State Duma approves RELOS ratification",
            "summary": "Russia 'ratified' RELOS 'in early December, practically on the eve of "
            f"Russian President Vladimir Putin's visit' ({CITE_2025}): the lower house's vote.",
            "actors": [
                Actor(country="RUS", role="actor", sector="LEG", name="State Duma"),
                INDIA_RECEIVES,
            ],
            "sources": [
                said(
                    ARTICLE_2025,
                    "Russia ratified the Reciprocal Exchange of Logistics (RELOS) agreement "
                    "with India in early December, practically on the eve of Russian President "
                    "Vladimir Putin's visit",
                )
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "related": ["putin-india-visit-2025"],
            "attributes": from_2025(chamber="lower"),
        },
        {
            "id": "relos-federation-council",
            # One of two days, the sources disagree which (never 9 December, which no
            # source gives): EDTF level 2 "one of", a set of candidate days.
            "when": "[2025-12-08,2025-12-10]",
            "kind": "treaty.domestic_approval",
            "title": "Federation Council approves RELOS ratification",
            "summary": "Sources disagree: PTI (India Today) dates the approval 8 December; "
            "TASS of 10 December says the Council 'will consider' it that Wednesday.",
            "actors": [
                Actor(country="RUS", role="actor", sector="LEG", name="Federation Council"),
                INDIA_RECEIVES,
            ],
            "sources": [INDIATODAY_FC, TASS_FC],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {
                "chamber": "upper",
                "disputed": True,
                "claims": [
                    {"source": INDIATODAY_FC.url, "date": "2025-12-08"},
                    {"source": TASS_FC.url, "date": "2025-12-10"},
                ],
            },
        },
        {
            "id": "relos-law-signed",
            "kind": "treaty.domestic_approval",
            "when": "2025-12-15",
            "title": "Putin signs the RELOS ratification law",
            "actors": [
                Actor(country="RUS", role="actor", sector="GOV", name="President"),
                INDIA_RECEIVES,
            ],
            "sources": [
                attrs.evolve(
                    INDIATODAY_FC,
                    excerpt="Russian President Vladimir Putin on Monday signed into federal law "
                    "a major military cooperation agreement with India",
                ),
                Source(
                    url="https://www.republicworld.com/india/putin-signs-landmark-military-pact-with-"
                    "india-warships-aircraft-and-aid-to-move-more-freely",
                    publisher="Republic World",
                    published="2025-12-16",
                    excerpt="Russian President Vladimir Putin signed a major military "
                    "cooperation deal with India on Monday",
                ),
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {"chamber": "head_of_state"},
        },
    ]


def _after(anchor: str) -> When:
    # A possibility the article raises gives no date: any day from the article's on.
    return attrs.evolve(When.parse(f"{anchor}/.."), anchor=dt.date.fromisoformat(anchor))


def _hypothetical(
    event_id: str, kind: str, title: str, words: str, actors: list[Actor], *, june_2024: bool
) -> dict[str, Any]:
    article, cite, anchor = (
        (ARTICLE_2024, CITE_2024, ANCHOR_2024)
        if june_2024
        else (ARTICLE_2025, CITE_2025, ANCHOR_2025)
    )
    return {
        "id": event_id,
        "kind": kind,
        "when": _after(anchor),
        "title": title,
        "summary": f"A possibility {cite} raises, not an event.",
        "actors": actors,
        "sources": [said(article, words)],
        "modality": "hypothetical",
        "tags": ["military"],
        "attributes": {
            "article": cite,
            "date_basis": "no date given: any day from the article's on",
        },
    }


def _december_2025() -> list[dict[str, Any]]:
    india_mil = Actor(country="IND", sector="MIL")
    russia_mil = Actor(country="RUS", sector="MIL")
    return [
        {
            "id": "putin-india-visit-2025",
            "kind": "visit.state",
            "when": "2025-12-04/2025-12-05",
            "title": "Putin's state visit to India (23rd annual summit)",
            "location": "New Delhi",
            "actors": [
                Actor(country="RUS", role="visitor", sector="GOV", name="Vladimir Putin"),
                Actor(country="IND", role="host", sector="GOV", name="Narendra Modi"),
            ],
            "sources": [
                said(
                    ARTICLE_2025,
                    "practically on the eve of Russian President Vladimir Putin's visit",
                ),
                attrs.evolve(
                    LIVEMINT_DUMA,
                    excerpt="The state visit to India will be from December 4-5, and he will "
                    "attend the 23rd India-Russia Annual Summit",
                ),
                Source(
                    url="https://www.freepressjournal.in/world/russian-parliament-ratifies-key-"
                    "military-logistics-pact-with-india-ahead-of-president-vladimir-putins-visit",
                    publisher="Free Press Journal",
                    published="2025-12-03",
                    excerpt="ahead of President Vladimir Putin's state visit to New Delhi on "
                    "December 4-5.",
                ),
            ],
            "tags": ["summit"],
            "attributes": from_2025(),
        },
        {
            # Recorded at month precision as written, refined with the oath date.
            "id": "modi-premiership",
            "kind": "office.assumed",
            "when": "May 2014",
            "title": "Narendra Modi becomes Prime Minister of India",
            "summary": f"'Narendra Modi's ascent to the premiership in May 2014' ({CITE_2025}).",
            "actors": [Actor(country="IND", role="actor", sector="GOV", name="Narendra Modi")],
            "sources": [
                said(ARTICLE_2025, "Narendra Modi's ascent to the premiership in May 2014")
            ],
            "tags": ["leadership"],
            "attributes": from_2025(),
        },
        {
            "id": "india-bridges-russia-us",
            "kind": "policy.pursued",
            "when": as_written("since May 2014", ANCHOR_2025),
            "title": "India seeks to bridge the divide between Russia and the US",
            "summary": f"The author's assessment ({CITE_2025}).",
            "actors": [
                Actor(country="IND", role="actor", sector="GOV"),
                Actor(country="RUS", role="recipient"),
                Actor(country="USA", role="recipient"),
            ],
            "sources": [
                said(
                    ARTICLE_2025,
                    "India has sought to bridge the divide between Russia and the US since "
                    "Narendra Modi's ascent to the premiership in May 2014",
                )
            ],
            "modality": "reported",
            "related": ["modi-premiership"],
            "attributes": from_2025(),
        },
        {
            "id": "us-russia-ties-2014",
            "kind": "relations.deteriorated",
            # "coincided with" Modi's ascent in May 2014: about that month.
            "when": "2014-05~",
            "title": "Washington-Moscow ties deteriorate",
            "summary": "Modi's ascent 'coincided with the deteriortion [sic] of ties between "
            f"Washington and Moscow' ({CITE_2025}).",
            "actors": ["USA", "RUS"],
            "sources": [
                said(
                    ARTICLE_2025,
                    "which coincided with the deteriortion of ties between Washington and Moscow",
                )
            ],
            "modality": "reported",
            "related": ["modi-premiership"],
            "attributes": from_2025(date_basis="coincided with Modi's ascent in May 2014"),
        },
        {
            "id": "us-russia-summer-2025",
            "kind": "relations.deteriorated",
            "when": as_written("over the summer", ANCHOR_2025),
            "title": "Russia-US relations unexpectedly deteriorate",
            "summary": "No single event; context: the Alaska summit of 15 August 2025 and the "
            f"secondary tariff on India ({CITE_2025}).",
            "actors": [Actor(country="RUS", sector="GOV"), Actor(country="USA", sector="GOV")],
            "sources": [
                said(
                    ARTICLE_2025,
                    "Russia's relations with the US unexpectedly deteriorated over the summer",
                )
            ],
            "modality": "reported",
            "attributes": from_2025(),
        },
        {
            "id": "peace-plan-28-points",
            "kind": "plan.proposed",
            "when": "2025-11-18",
            "title": "Trump's 28-point Russia-Ukraine peace framework first reported",
            "summary": f"Sets the Russian-US 'New Détente' in motion ({CITE_2025}). The date "
            "is the first report (Axios), not an adoption date.",
            "actors": [Actor(country="USA", role="actor", sector="GOV"), "RUS", "UKR"],
            "sources": [
                said(
                    ARTICLE_2025,
                    "Trump's 28-point Russian-Ukrainian peace deal framework",
                ),
                Source(
                    url="https://www.newsmax.com/newsfront/trump-administration-russia-"
                    "ukraine/2025/11/18/id/1235125/",
                    publisher="Newsmax",
                    published="2025-11-18",
                ),
                Source(
                    url="https://www.livemint.com/news/world/us-secretly-drafting-new-plan-"
                    "inspired-by-gaza-deal-to-end-ukraine-war-report/amp-11763520806971.html",
                    publisher="Mint",
                ),
            ],
            "tags": ["peace"],
            "attributes": from_2025(date_basis="first reported"),
        },
        {
            "id": "new-detente",
            "kind": "relations.improved",
            "when": as_written("2025-11-18/..", ANCHOR_2025),
            "title": "The Russian-US \u201cNew D\u00e9tente\u201d",
            "summary": "Set into motion by the 28-point framework (first reported 18 November "
            f"2025) and, the author writes, able to improve relations ({CITE_2025}).",
            "actors": [Actor(country="RUS", sector="GOV"), Actor(country="USA", sector="GOV")],
            "sources": [
                said(
                    ARTICLE_2025,
                    "the renascent RussianUS \u201cNew D\u00e9tente\u201d set into motion by "
                    "Trump's 28-point Russian-Ukrainian peace deal framework",
                )
            ],
            "modality": "reported",
            "related": ["peace-plan-28-points"],
            "attributes": from_2025(date_basis="from the framework's first report"),
        },
        {
            "id": "us-nss-2025",
            "kind": "document.published",
            # 4 December per most outlets, Friday 5 December per the Hindustan Times.
            "when": "2025-12-04?/2025-12-05?",
            "title": "New US National Security Strategy published",
            "summary": "Calls on India to play a greater role in the South China Sea "
            f"({CITE_2025}). Sources disagree on the day: 4 December, or Friday 5 December.",
            "actors": [Actor(country="USA", role="actor", sector="GOV")],
            "sources": [
                said(
                    ARTICLE_2025,
                    "The new US National Security Strategy calls on India to play a greater "
                    "role in the South China Sea",
                ),
                BS_NSS,
                PRINT_NSS,
                HT_NSS,
            ],
            "tags": ["strategy"],
            "attributes": from_2025(
                disputed=True,
                claims=[
                    {"source": PRINT_NSS.url, "date": "2025-12-04"},
                    {
                        "source": HT_NSS.url,
                        "date": "2025-12-05",
                        "summary": "dates the release Friday (5 December); a summary, not "
                        "its words",
                    },
                ],
            ),
        },
        _hypothetical(
            "arctic-drills-hypothetical",
            "exercise.joint",
            "Indian forces could begin drilling in the Arctic with Russia",
            "the Indian armed forces could begin drilling in the Arctic and become a more "
            "regular sight in the Russian Far East",
            [india_mil, russia_mil],
            june_2024=False,
        ),
        _hypothetical(
            "russian-forces-ior-hypothetical",
            "military.presence",
            "Russian forces could be seen more often in the Indian Ocean Region",
            "Moscow's forces may be seen more often in the Indian Ocean Region (IOR)",
            [russia_mil],
            june_2024=False,
        ),
        _hypothetical(
            "joint-exercises-more-often-hypothetical",
            "exercise.joint",
            "Russia and India could hold joint exercises more frequently",
            "The purpose is to ease the organization of joint exercises, with a view toward "
            "holding them more frequently.",
            [india_mil, russia_mil],
            june_2024=False,
        ),
        _hypothetical(
            "indian-naval-transits-hypothetical",
            "military.presence",
            "More Indian naval transits through the South and East China Seas",
            "The resulting increase in Indian naval transits through the South and East China "
            "Seas en route to more frequent drills with Russia",
            [Actor(country="IND", sector="MIL")],
            june_2024=False,
        ),
    ]


def _june_2024() -> list[dict[str, Any]]:
    return [
        {
            "id": "rus-prk-treaty-signed",
            "kind": "treaty.signed",
            "when": "2024-06-19",
            "title": "Russia and North Korea sign the Comprehensive Strategic Partnership Treaty",
            "summary": "A mutual-defence pact, signed in Pyongyang.",
            "location": "Pyongyang",
            "actors": [
                Actor(country="RUS", role="party", sector="GOV"),
                Actor(country="PRK", role="party", sector="GOV"),
            ],
            "sources": [
                said(
                    ARTICLE_2024,
                    "it immediately follows the Russian-North Korean mutual defense pact",
                ),
                Source(
                    url="https://unn.ua/en/news/reuters-russia-dprk-sign-strategic-partnership-"
                    "agreement-that-includes-military-support",
                    publisher="UNN (Reuters)",
                ),
                Source(
                    url="https://euromaidanpress.com/2024/06/19/russia-and-north-korea-forge-"
                    "alliance-agreeing-to-mutual-defense-pact/",
                    publisher="Euromaidan Press",
                    published="2024-06-19",
                ),
            ],
            "treaty": "RUS-PRK CSP",
            "tags": ["military", "alliance"],
            "attributes": from_2024(),
        },
        {
            "id": "rus-prk-treaty-in-force",
            "kind": "treaty.entered_into_force",
            "when": "2024-12-04",
            "title": "Russia-North Korea partnership treaty enters into force",
            "summary": "On the exchange of instruments of ratification.",
            "actors": [Actor(country="RUS", role="party"), Actor(country="PRK", role="party")],
            "sources": [
                Source(
                    url="https://iuvmpress.co/russia-north-korea-strategic-partnership-"
                    "agreement-enters-into-force",
                    publisher="IUVM Press",
                )
            ],
            "treaty": "RUS-PRK CSP",
            "tags": ["military", "alliance"],
        },
        {
            "id": "putin-vietnam-visit-2024",
            "kind": "visit.state",
            "when": "2024-06-20",
            "title": "Putin's state visit to Vietnam",
            "summary": "Talks in Hanoi and over ten documents signed, among them the joint "
            "statement.",
            "location": "Hanoi",
            "actors": [
                Actor(country="RUS", role="visitor", sector="GOV", name="Vladimir Putin"),
                Actor(country="VNM", role="host", sector="GOV"),
            ],
            "sources": [
                said(
                    ARTICLE_2024,
                    "Russia and Vietnam reaffirming the strength of their strategic partnership",
                ),
                Source(
                    url="https://kyivindependent.com/nobot/moscow-hanoi-sign-over-10-documents-"
                    "during-putins-vietnam-visit",
                    publisher="The Kyiv Independent",
                ),
            ],
            "related": ["rus-vnm-joint-statement"],
            "tags": ["partnership"],
            "attributes": from_2024(),
        },
        {
            "id": "rus-vnm-joint-statement",
            "kind": "statement.joint",
            "when": "2024-06-20",
            "title": "Russia and Vietnam reaffirm their strategic partnership",
            "summary": "Joint statement during Putin's state visit to Hanoi: neither will join "
            "agreements that threaten the other's interests.",
            "location": "Hanoi",
            "actors": [
                Actor(country="RUS", role="party", sector="GOV"),
                Actor(country="VNM", role="party", sector="GOV"),
            ],
            "sources": [
                said(
                    ARTICLE_2024,
                    "Russia and Vietnam reaffirming the strength of their strategic partnership "
                    "by pledging not to enter into any agreements with anyone else that could "
                    "pose a threat to the other's interests",
                ),
                Source(
                    url="https://tribunetimes.org/2024/06/22/russian-president-vladimir-putins-"
                    "visit-to-vietnam-key-provisions-of-the-joint-statement",
                    publisher="Tribune Times",
                    published="2024-06-22",
                ),
            ],
            "related": ["putin-vietnam-visit-2024"],
            "tags": ["partnership"],
            "attributes": from_2024(),
        },
        {
            "id": "us-policy-since-2022",
            "kind": "relations.deteriorated",
            "when": as_written("since 2022", ANCHOR_2024),
            "title": "US actions against Russia since 2022",
            "summary": f"An open-ended trend, in the author's assessment ({CITE_2024}).",
            "actors": [Actor(country="USA", role="actor"), Actor(country="RUS", role="recipient")],
            "sources": [said(ARTICLE_2024, "everything that it's done since 2022")],
            "modality": "reported",
            "tags": ["deterioration"],
            "attributes": from_2024(),
        },
        {
            "id": "pro-bri-faction-upswing",
            "kind": "influence.shift",
            "when": as_written("for the past year", ANCHOR_2024),
            "title": "Russia's pro-BRI faction on the upswing",
            "summary": "The pro-BRI faction, now on the back foot, in the author's assessment "
            f"({CITE_2024}).",
            "actors": [Actor(country="RUS", name="pro-BRI faction")],
            "sources": [
                said(
                    ARTICLE_2024,
                    "the latter of whom have been on the upswing for the past year",
                )
            ],
            "modality": "reported",
            "tags": ["china"],
            "attributes": from_2024(),
        },
        _hypothetical(
            "navy-visits-hypothetical",
            "military.presence",
            "More regular visits by the Russian and Indian navies",
            "opening up the possibility of more regular visits by their navies",
            [Actor(country="RUS", sector="MIL"), Actor(country="IND", sector="MIL")],
            june_2024=True,
        ),
        _hypothetical(
            "us-northeast-asia-hypothetical",
            "military.presence",
            "The US might bolster its military presence in Northeast Asia",
            "The US might bolster its military presence in Northeast Asia after North Korea's "
            "pact with Russia",
            [Actor(country="USA", sector="MIL")],
            june_2024=True,
        ),
    ]


def _events() -> list[dict[str, Any]]:
    return _relos_steps() + _december_2025() + _june_2024()


def record_into(tl: Timeline) -> None:
    """Record the sample into ``tl``: one batch, then the refinements later sources brought.

    An amendment adds sources to those the event had; it never drops the article.
    """
    tl.record_many(_events())
    duma = tl.get("relos-duma")
    tl.amend(
        "relos-duma",
        when="2025-12-02",
        reason="Duma plenary vote date confirmed by TASS and Mint",
        sources=[
            *duma.sources,
            TASS_DUMA,
            attrs.evolve(
                LIVEMINT_DUMA,
                excerpt="The lower house of the Russian parliament, State Duma, on 2 December "
                "ratified a key military pact with India",
            ),
        ],
        expected_version=1,
    )
    modi = tl.get("modi-premiership")
    tl.amend(
        "modi-premiership",
        when="2014-05-26",
        reason="Oath of office date confirmed",
        sources=[
            *modi.sources,
            Source(
                url="https://en.wikipedia.org/wiki/First_oath_of_office_ceremony_of_Narendra_Modi",
                publisher="Wikipedia",
                title="First oath of office ceremony of Narendra Modi",
            ),
        ],
        expected_version=1,
    )
