"""The RELOS sample: every dated event of the two seed articles, with confirming sources.

Seed 000 (Korybko, "Russia-India logistics deal could serve US interests over
China's", written on or after the US NSS of 4 December 2025) and seed 003
(Korybko, on the Russia-India JMD/RELOS approval, written days after 19-20 June
2024). Neither article carries its own date, so the anchors of their relative
phrases are inferred: 2025-12-05 for seed 000 (it discusses the NSS, published
2025-12-04) and 2024-06-24 for seed 003 (the Monday after the weekend of the
Sputnik report; corroborated by thedefencespace.com of that day). The dates and
sources are tabled in domain.md section 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._model import Actor, Source
from .._when import When

if TYPE_CHECKING:
    from .._timeline import Timeline

DESCRIPTION = (
    "RELOS (Russia-India logistics pact) life cycle and the events around it in two "
    "Korybko articles (June 2024, December 2025)"
)

ANCHOR_000 = "2025-12-05"
ANCHOR_003 = "2024-06-24"
RELOS = "RELOS"

_TASS_DUMA = Source(
    url="https://tass.com/politics/2052369",
    publisher="TASS",
    title="State Duma ratifies Russia-India agreement on reciprocal logistics support",
    published="2025-12-02",
)
_LIVEMINT_DUMA = Source(
    url="https://www.livemint.com/news/india/ahead-of-putin-s-visit-russian-parliament-clears-"
    "major-military-logistics-pact-with-india-11764728841917.html",
    publisher="Mint",
    title="Ahead of Putin's visit, Russian parliament clears major military logistics pact "
    "with India",
)
_INDIATODAY = Source(
    url="https://www.indiatoday.in/world/story/russia-india-military-logistics-pact-relos-"
    "signed-glbs-2836418-2025-12-15",
    publisher="India Today (PTI)",
    published="2025-12-15",
    excerpt="The Federation Council approved the agreement on December 8; President Putin "
    "signed the ratification law on December 15.",
)
_TASS_FC = Source(
    url="https://tass.com/economy/2056179",
    publisher="TASS",
    published="2025-12-10",
    excerpt="The Federation Council will consider the ratification on Wednesday.",
)


def _events() -> list[dict[str, Any]]:
    seed_000 = "Seed article 000 (Korybko, December 2025)"
    seed_003 = "Seed article 003 (Korybko, June 2024)"
    return [
        # --- RELOS life cycle -----------------------------------------------------
        {
            "id": "relos-negotiation",
            "kind": "treaty.negotiation",
            "when": When.parse("for the past few years", anchor=ANCHOR_003),
            "title": "Russia and India negotiate the RELOS logistics pact",
            "summary": "Negotiated 'for the past few years' (seed 003). Earliest stored trace: "
            "the pact was on the agenda of the September 2019 Modi-Putin summit.",
            "actors": [Actor(country="RUS", role="party"), Actor(country="IND", role="party")],
            "sources": [
                Source(
                    url="https://www.deccanherald.com/international/world-news-politics/modi-putin-"
                    "to-weigh-military-logistics-sharing-pact-758211.html",
                    publisher="Deccan Herald",
                    published="2019-08-31",
                    title="Modi, Putin to weigh military logistics sharing pact",
                )
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {"seed": seed_003},
        },
        {
            "id": "relos-draft-approved",
            "kind": "treaty.draft_approved",
            "when": "2024-06-21",
            "title": "Russian government approves the draft RELOS (JMD) agreement with India",
            "summary": "PM Mishustin instructs the Defence Ministry to negotiate and sign the "
            "Joint Military Deployments agreement; Sputnik reported it 'over the "
            "weekend' (22-23 June 2024, inferred).",
            "actors": [
                Actor(country="RUS", role="actor", sector="GOV"),
                Actor(country="IND", role="recipient"),
            ],
            "sources": [
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
            "attributes": {
                "seed": seed_003,
                "reported": {
                    "phrase": "over the weekend",
                    "edtf": When.parse("over the weekend", anchor=ANCHOR_003).edtf,
                    "basis": "inferred",
                },
            },
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
                _TASS_DUMA,
                Source(
                    url="https://www.nationalheraldindia.com/national/explained-ahead-of-putins-"
                    "visit-india-is-set-to-benefit-from-a-russian-military-pact",
                    publisher="National Herald",
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
            "actors": [Actor(country="RUS", role="actor", sector="GOV")],
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
            # Recorded as the article says it, then amended once the date was confirmed.
            "id": "relos-duma",
            "kind": "treaty.domestic_approval",
            "when": When.parse("in early December", anchor=ANCHOR_000),
            "title": "State Duma approves RELOS ratification",
            "summary": "Russia 'ratified' RELOS 'in early December, practically on the eve of "
            "Putin's visit' (seed 000): the lower house's vote.",
            "actors": [
                Actor(country="RUS", role="actor", sector="LEG", name="State Duma"),
                Actor(country="IND", role="recipient"),
            ],
            "sources": [
                Source(
                    url="https://asiatimes.com/",
                    publisher="Asia Times",
                    title="Russia-India logistics deal could serve US interests over China's",
                )
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {"seed": seed_000, "chamber": "lower"},
        },
        {
            "id": "relos-federation-council",
            "kind": "treaty.domestic_approval",
            "when": "2025-12-08?/2025-12-10?",  # one day, the sources disagree which
            "title": "Federation Council approves RELOS ratification",
            "summary": "Sources disagree: PTI (India Today) dates the approval 8 December; "
            "TASS of 10 December says the Council 'will consider' it that Wednesday.",
            "actors": [
                Actor(country="RUS", role="actor", sector="LEG", name="Federation Council"),
                Actor(country="IND", role="recipient"),
            ],
            "sources": [_INDIATODAY, _TASS_FC],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {
                "chamber": "upper",
                "disputed": True,
                "claims": [
                    {"source": _INDIATODAY.url, "date": "2025-12-08"},
                    {"source": _TASS_FC.url, "date": "2025-12-10"},
                ],
            },
        },
        {
            "id": "relos-law-signed",
            "kind": "treaty.domestic_approval",
            "when": "2025-12-15",
            "title": "Putin signs the RELOS ratification law",
            "actors": [Actor(country="RUS", role="actor", sector="GOV", name="President")],
            "sources": [
                _INDIATODAY,
                Source(
                    url="https://www.republicworld.com/india/putin-signs-landmark-military-pact-with-"
                    "india-warships-aircraft-and-aid-to-move-more-freely",
                    publisher="Republic World",
                ),
            ],
            "treaty": RELOS,
            "tags": ["military", "logistics"],
            "attributes": {"chamber": "head_of_state"},
        },
        # --- seed 000: December 2025 -----------------------------------------------
        {
            "id": "putin-india-visit-2025",
            "kind": "visit.state",
            "when": "4–5 December 2025",  # noqa: RUF001 - the en dash as sources write it
            "title": "Putin's state visit to India (23rd annual summit)",
            "location": "New Delhi",
            "actors": [
                Actor(country="RUS", role="visitor", sector="GOV", name="Vladimir Putin"),
                Actor(country="IND", role="host", sector="GOV", name="Narendra Modi"),
            ],
            "sources": [
                _LIVEMINT_DUMA,
                Source(
                    url="https://www.freepressjournal.in/world/russian-parliament-ratifies-key-"
                    "military-logistics-pact-with-india-ahead-of-president-vladimir-putins-visit",
                    publisher="Free Press Journal",
                ),
            ],
            "tags": ["summit"],
            "attributes": {"seed": seed_000},
        },
        {
            # Recorded at month precision as written, amended with the oath date.
            "id": "modi-premiership",
            "kind": "office.assumed",
            "when": "May 2014",
            "title": "Narendra Modi becomes Prime Minister of India",
            "summary": "'Narendra Modi's ascent to the premiership in May 2014' (seed 000).",
            "actors": [Actor(country="IND", role="actor", sector="GOV", name="Narendra Modi")],
            "sources": [Source(url="https://asiatimes.com/", publisher="Asia Times")],
            "tags": ["leadership"],
            "attributes": {"seed": seed_000},
        },
        {
            "id": "us-russia-ties-2014",
            "kind": "relations.shift",
            "when": "circa 2014",
            "title": "Washington-Moscow ties deteriorate",
            "summary": "Modi's ascent 'coincided with the deterioration of ties between "
            "Washington and Moscow' (seed 000).",
            "actors": ["USA", "RUS"],
            "tags": ["deterioration"],
            "attributes": {"seed": seed_000},
        },
        {
            "id": "us-russia-summer-2025",
            "kind": "relations.shift",
            "when": When.parse("over the summer", anchor=ANCHOR_000),
            "title": "Russia-US relations unexpectedly deteriorate",
            "summary": "No single event; context: the Alaska summit of 15 August 2025 and the "
            "secondary tariff on India.",
            "actors": [Actor(country="RUS", sector="GOV"), Actor(country="USA", sector="GOV")],
            "tags": ["deterioration"],
            "attributes": {"seed": seed_000},
        },
        {
            "id": "peace-plan-28-points",
            "kind": "plan.proposed",
            "when": "2025-11-18",
            "title": "Trump's 28-point Russia-Ukraine peace framework first reported",
            "summary": "Sets the Russian-US 'New Détente' in motion (seed 000). The date is the "
            "first report (Axios), not an adoption date.",
            "actors": [Actor(country="USA", role="actor", sector="GOV"), "RUS", "UKR"],
            "sources": [
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
            "attributes": {"seed": seed_000, "date_basis": "first reported"},
        },
        {
            "id": "us-nss-2025",
            "kind": "document.published",
            "when": "2025-12-04",
            "title": "New US National Security Strategy published",
            "summary": "Calls on India to play a greater role in the South China Sea. Some "
            "outlets date it Friday 5 December.",
            "actors": [Actor(country="USA", role="actor", sector="GOV")],
            "sources": [
                Source(
                    url="https://www.business-standard.com/blueprint-defence-magazine/reports/"
                    "policy-fluid-126010500437_1.html",
                    publisher="Business Standard",
                ),
                Source(
                    url="https://theprint.in/diplomacy/trumps-new-national-security-strategy-"
                    "china-a-threat-india-a-critical-partner-europe-in-decline/2799460",
                    publisher="ThePrint",
                ),
                Source(
                    url="https://www.hindustantimes.com/india-news/keen-to-work-with-india-for-"
                    "stability-in-indo-pacific-us-101764961457099.html",
                    publisher="Hindustan Times",
                    excerpt="Released on Friday.",
                ),
            ],
            "tags": ["strategy"],
            "attributes": {"seed": seed_000},
        },
        {
            "id": "arctic-drills-hypothetical",
            "kind": "exercise.joint",
            "when": "2025-12-05/..",
            "title": "Indian forces could begin drilling in the Arctic with Russia",
            "summary": "'The Indian armed forces could begin drilling in the Arctic' (seed 000): "
            "a possibility, not an event.",
            "actors": [Actor(country="IND", sector="MIL"), Actor(country="RUS", sector="MIL")],
            "modality": "hypothetical",
            "treaty": RELOS,
            "tags": ["military"],
            "attributes": {"seed": seed_000},
        },
        # --- seed 003: June 2024 ----------------------------------------------------
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
            "attributes": {"seed": seed_003},
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
                Source(
                    url="https://kyivindependent.com/nobot/moscow-hanoi-sign-over-10-documents-"
                    "during-putins-vietnam-visit",
                    publisher="The Kyiv Independent",
                ),
                Source(
                    url="https://tribunetimes.org/2024/06/22/russian-president-vladimir-putins-"
                    "visit-to-vietnam-key-provisions-of-the-joint-statement",
                    publisher="Tribune Times",
                    published="2024-06-22",
                ),
            ],
            "tags": ["partnership"],
            "attributes": {"seed": seed_003},
        },
        {
            "id": "us-policy-since-2022",
            "kind": "relations.shift",
            "when": "since 2022",
            "title": "US actions against Russia since 2022",
            "summary": "'everything that it's done since 2022' (seed 003): an open-ended trend.",
            "actors": ["USA", "RUS"],
            "tags": ["deterioration"],
            "attributes": {"seed": seed_003},
        },
        {
            "id": "pro-bri-faction-upswing",
            "kind": "relations.shift",
            "when": When.parse("for the past year", anchor=ANCHOR_003),
            "title": "Russia's pro-BRI faction on the upswing",
            "summary": "The pro-BRI faction 'have been on the upswing for the past year' "
            "(seed 003), now on the back foot.",
            "actors": [Actor(country="RUS", name="pro-BRI faction")],
            "modality": "reported",
            "tags": ["china"],
            "attributes": {"seed": seed_003},
        },
    ]


def record_into(tl: Timeline) -> None:
    """Record the sample into ``tl``: one batch, then the corrections later sources brought."""
    tl.record_many(_events())
    tl.amend(
        "relos-duma",
        when="2025-12-02",
        reason="Duma plenary vote date confirmed by TASS",
        sources=[_TASS_DUMA, _LIVEMINT_DUMA],
        expected_version=1,
    )
    tl.amend(
        "modi-premiership",
        when="2014-05-26",
        reason="Oath of office date confirmed",
        sources=[
            Source(url="https://asiatimes.com/", publisher="Asia Times"),
            Source(
                url="https://en.wikipedia.org/wiki/First_oath_of_office_ceremony_of_Narendra_Modi",
                publisher="Wikipedia",
            ),
        ],
        expected_version=1,
    )
