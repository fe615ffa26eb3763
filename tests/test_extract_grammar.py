"""The extraction grammars on sentences written for these tests: numbers, dates, UN symbols,
IHL rules, qualifiers and as-of dates, in the many ways documents write them."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from minekg import reading
from minekg.errors import InputError
from minekg.extract import extract
from minekg.extract.dates import find_dates
from minekg.inputs import Reference, load_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference(ROOT / "data" / "reference")


def found(tmp_path: Path, reference: Reference, text: str) -> dict:
    path = tmp_path / "document.txt"
    path.write_text(text, encoding="utf-8")
    return extract(reading.read(path), reference).to_gold()


def sg_report(symbol: str, date: str, *paragraphs: str) -> str:
    """A Secretary-General's report on a peace operation: its masthead, then numbered paragraphs."""
    masthead = (
        f"Distr. GENERAL\n\n{symbol} {date}\n\nORIGINAL: ENGLISH\n\nREPORT OF THE SECRETARY-"
        "GENERAL ON THE UNITED NATIONS OPERATION IN MOZAMBIQUE\n\n"
    )
    return masthead + "".join(f"{n}. {text}\n\n" for n, text in enumerate(paragraphs, 1))


def figures(result: dict) -> list[tuple[str, float, str | None]]:
    return [(s["measure"], s["value"], s.get("qualifier")) for s in result["statistics"]]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Some 1,5 million landmines remain planted in Bosnia and Herzegovina.",
            ("mines_estimated", 1500000, "about"),
        ),
        ("Operators in Iraq destroyed 56 460 mines last year.", ("mines_neutralized", 56460, None)),
        ("In Croatia 179 791.8 hectares were cleared.", ("area_cleared_ha", 179791.8, None)),
        (
            "Mines in Sri Lanka cover about 11,258 square kilometres.",
            ("contaminated_area_km2", 11258, "about"),
        ),
        (
            "Roughly 14.2 per cent of the territory of Chad is contaminated.",
            ("contaminated_area_share_pct", 14.2, "about"),
        ),
        (
            "Over 1.5 million people in Yemen live in mined areas.",
            ("population_at_risk", 1500000, "over"),
        ),
        (
            "Clearance in Zimbabwe will cost an estimated $25 billion.",
            ("clearance_cost_usd", 25000000000, "about"),
        ),
        (
            "More than 3,400 citizens of Colombia have become mine victims.",
            ("mine_victims_total", 3400, "over"),
        ),
        (
            "Nearly 200 people in Myanmar went missing during the fighting.",
            ("missing_persons", 200, "about"),
        ),
        (
            "Since the end of the war in 2009, 70 people in Sri Lanka lost their lives to mines.",
            ("mine_victims_killed", 70, None),
        ),
        ("During the war in Sri Lanka 70 people lost their lives.", ("conflict_deaths", 70, None)),
    ],
)
def test_number_forms_measures_and_qualifiers(
    tmp_path: Path, reference: Reference, sentence: str, expected: tuple
) -> None:
    assert expected in figures(found(tmp_path, reference, sentence))


def test_dates_symbols_and_agenda_numbers_are_not_figures(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "Recalling resolution 2365 (2017) of 30 June 2017 and document A/79/690, the Assembly "
        "took up agenda items 18, 61 and 99 at its 15th meeting in 2024, para. 392."
    )
    assert found(tmp_path, reference, text)["statistics"] == []


def test_as_of_dates_and_periods(tmp_path: Path, reference: Reference) -> None:
    text = (
        "By November 30, 2024, approximately 176,237 hectares of land in Tajikistan had been "
        "cleared. As of September 2024, 54,430 mines had been neutralized in Tajikistan."
    )
    stats = {s["value"]: s for s in found(tmp_path, reference, text)["statistics"]}
    assert stats[176237]["as_of"] == "2024-11-30"
    assert stats[176237]["qualifier"] == "about"
    assert stats[54430]["as_of"] == "2024-09"
    assert stats[54430]["place"] == "Tajikistan"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("held on 30-31 May 2024", "2024-05-30", "2024-05-31"),
        ("from 30 to 31 May 2024", "2024-05-30", "2024-05-31"),
        ("on May 30–31, 2024", "2024-05-30", "2024-05-31"),
        ("on 30 and 31 May 2024", "2024-05-30", "2024-05-31"),
        ("dated December 12, 2024", "2024-12-12", None),
        ("in mid-December 2024", "2024-12", None),
        ("in the fourth quarter of 2020", "2020", None),
    ],
)
def test_date_forms(text: str, start: str, end: str | None) -> None:
    (date,) = find_dates(text)
    assert (date.value, date.last) == (start, end)


def test_relative_dates_need_the_documents_own_date() -> None:
    assert [d.value for d in find_dates("held this May", "2024-12-12")] == ["2024-05"]
    assert [d.value for d in find_dates("since last September", "2024-06-10")] == ["2023-09"]
    assert [d.value for d in find_dates("in September of last year", "2024-12-12")] == ["2023-09"]
    assert find_dates("held this May") == []


def test_un_symbols_in_every_written_form(tmp_path: Path, reference: Reference) -> None:
    text = (
        "See A/78/908-S/2024/456 and A/C.3/79/L.35/Add.1, draft A/C.1/79/L.12/Rev.1, "
        "Security Council resolutions 822 (1993), 853 (1993) … and 884 (1993), "
        "the resolution No 78/70 of 7 December 2023 of the UN General Assembly, "
        "Human Rights Council resolution 52/1 and S/RES/2365(2017)."
    )
    cited = found(tmp_path, reference, text)["cited_documents"]
    assert cited == [
        "A/78/908",
        "S/2024/456",
        "A/C.3/79/L.35/Add.1",
        "A/C.1/79/L.12/Rev.1",
        "S/RES/822 (1993)",
        "S/RES/853 (1993)",
        "S/RES/884 (1993)",
        "A/RES/78/70",
        "A/HRC/RES/52/1",
        "S/RES/2365 (2017)",
    ]


def test_ihl_rules_with_ranges_and_ibid(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Under customary international humanitarian law (Rule 132 of customary IHL), see "
        "rules 81 to 83 on landmines.1 Mines must be recorded.\n\n__________\n"
        "1 Ibid., rule 87.\n"
    )
    assert found(tmp_path, reference, text)["ihl_rules"] == [81, 82, 83, 87, 132]


def test_rule_numbers_without_ihl_context_are_not_rules(
    tmp_path: Path, reference: Reference
) -> None:
    text = "Under rule 15 of its rules of procedure, the committee adopted its report."
    assert found(tmp_path, reference, text)["ihl_rules"] == []


def test_number_words_and_fractions(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Eritrea has on two occasions submitted mine maps. Almost half of these maps are "
        "incomplete. One million others were expelled from Eritrea."
    )
    values = [v for _, v, _ in figures(found(tmp_path, reference, text))]
    assert Decimal(str(values[0])) == 2
    assert 0.5 in values
    assert 1000000 in values


def test_claims_name_claimant_accused_and_law(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Letter dated 3 March 2025 from the Permanent Representative of Georgia to the United "
        "Nations addressed to the Secretary-General\n\n"
        "Mines laid by the Russian Federation continue to kill civilians in Georgia, in violation "
        "of international humanitarian law. Georgia welcomes the support of Norway. Meanwhile, "
        "Moldova accused Georgia of failing to share clearance data.\n"
    )
    claims = found(tmp_path, reference, text)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("Georgia", "Russian Federation"),
        ("Moldova", "Georgia"),
    ]
    assert claims[0]["law"] == ["international humanitarian law"]


def test_datelines_currencies_and_agencies_named_after_their_state(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "Sarajevo, 4 April 2025 - The Bosnia and Herzegovina Mine Action Centre said that "
        "Norway provided EUR 3.2 million in 2024 and that clearance needs USD 60 million."
    )
    result = found(tmp_path, reference, text)
    assert result["places"] == ["Sarajevo"]
    assert "Bosnia and Herzegovina Mine Action Centre" in result["organizations"]
    assert "Bosnia and Herzegovina" in result["states"]
    assert ("mine_action_funding", 3200000, None) in figures(result)
    units = {s["value"]: s["unit"] for s in result["statistics"]}
    assert units == {3200000: "EUR", 60000000: "USD"}


def test_symbols_of_every_organ_and_series(tmp_path: Path, reference: Reference) -> None:
    text = (
        "The Commission on Human Rights resolution 1995/79 and Economic and Social Council "
        "resolution 1996/31 were noted, as were General Assembly resolution 51/45 S of "
        "10 December 1996 and the reports S/23870 and S/24090 of 1992."
    )
    cited = found(tmp_path, reference, text)["cited_documents"]
    assert cited == [
        "E/CN.4/RES/1995/79",
        "E/RES/1996/31",
        "A/RES/51/45 S",
        "S/23870",
        "S/24090",
    ]


def test_a_masthead_symbol_beside_its_date_is_the_documents_own(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "Distr. GENERAL\n\nS/30001 3 May 1994\n\nORIGINAL: ENGLISH\n\n"
        "REPORT OF THE SECRETARY-GENERAL ON THE SITUATION IN ANGOLA\n\n"
        "1. In my previous report (S/29876) I described the situation.\n"
    )
    result = found(tmp_path, reference, text)
    assert result["document"]["symbols"] == ["S/30001"]
    assert result["cited_documents"] == ["S/29876"]


def test_a_media_release_speaks_by_its_front_matter(tmp_path: Path, reference: Reference) -> None:
    front = (
        '---\ntitle: "Help for demining in Angola."\ndate: "2001-03-04"\ncreators:\n'
        '  - "Smith, Jane"\n  - "Some Party"\nsource: "MINISTER FOR FOREIGN AFFAIRS"\n'
        "source_url: http://parlinfo.aph.gov.au/display;query=Id%3A%22media/pressrel/X1%22\n---\n\n"
        "MEDIA RELEASE\n\nI am pleased to announce $2 million for demining in Angola.\n"
    )
    document = found(tmp_path, reference, front)["document"]
    assert document == {
        "type": "statement",
        "title": "Help for demining in Angola",
        "date": "2001-03-04",
        "author": "Jane Smith",
        "author_org": "Australia",
    }
    shadow = front.replace("MINISTER FOR", "SHADOW MINISTER FOR")
    assert found(tmp_path, reference, shadow)["document"]["author_org"] == "Some Party"


def test_a_un_masthead_makes_a_report_of_the_organ(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Distr. GENERAL\n\nS/30001 3 May 1994\n\nORIGINAL: ENGLISH\n\n"
        "FIFTH REPORT OF THE SECRETARY-GENERAL ON THE UNITED NATIONS MISSION IN ANGOLA\n\n"
        "1. By its resolution 900 (1994), the Security Council requested this report.\n"
    )
    document = found(tmp_path, reference, text)["document"]
    assert document["type"] == "report"
    assert document["date"] == "1994-05-03"
    assert document["title"].lower().startswith("fifth report of the secretary-general")
    assert (document["author_org"], document["addressee"]) == ("United Nations", "Security Council")


def test_a_treaty_text_is_a_treaty_dated_where_it_was_done(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "####Convention on the Prohibition of Landmines in Gardens\n\n"
        "The States Parties, Determined to protect gardens, Have agreed as follows:\n\n"
        "### Article  1\n\nEach State Party undertakes never to use mines in gardens.\n\n"
        "### Article  2\n\nThis Convention, done at Lisbon, Portugal, on 2 March 2001, shall be "
        "open for signature by all States Parties.\n"
    )
    document = found(tmp_path, reference, text)["document"]
    assert document["type"] == "treaty"
    assert document["title"] == "Convention on the Prohibition of Landmines in Gardens"
    assert document["date"] == "2001-03-02"


def places(tmp_path: Path, reference: Reference, text: str) -> list[str]:
    return found(tmp_path, reference, text)["places"]


def test_towns_and_provinces_from_the_gazetteers(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Deminers from Ukraine cleared fields near Kharkiv and in Kharkiv Oblast. "
        "In Bosnia and Herzegovina, teams worked around Doboj. The meeting was held in Oslo, "
        "and Kandahār province in Afghanistan was surveyed."
    )
    assert places(tmp_path, reference, text) == ["Kharkiv", "Doboj", "Oslo", "Kandahār"]


def test_words_that_are_also_cities_are_not_places(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Mine clearance in Croatia went on. Police reported that the Split decision on the "
        "Mobile teams was taken by the Union in Independence Hall, where Prince Sihanouk spoke "
        "of the Brussels Declaration."
    )
    assert places(tmp_path, reference, text) == []


def test_a_gazetteer_place_carries_its_identifier(tmp_path: Path, reference: Reference) -> None:
    path = tmp_path / "document.txt"
    path.write_text("Mines were found in Kharkiv Oblast and near Kharkiv in Ukraine.\n")
    mentions = extract(reading.read(path), reference).mentions
    identifiers = [m.identifier for m in mentions if m.kind == "place"]
    assert identifiers == ["iso3166-2:UA-63", "geonames:706483"]


def test_persons_by_title_post_contact_and_surname(tmp_path: Path, reference: Reference) -> None:
    text = (
        "The Shadow Minister for Health, Maria Lopez, today called for more funding. "
        "“It is not enough”, Ms Lopez said. Dr Peter Hall of the clinic agreed, and a "
        "Spokesperson of the Armenian Ministry of Foreign Affairs Anna Naghdalyan said so too.\n\n"
        "Media contacts: Tom Baker (Ministerial) 02 6277 7500\n"
    )
    result = found(tmp_path, reference, text)
    assert result["persons"] == ["Maria Lopez", "Peter Hall", "Anna Naghdalyan", "Tom Baker"]
    assert "Ministry of Foreign Affairs of Armenia" in result["organizations"]


def test_organizations_by_acronym_definition_and_list(tmp_path: Path, reference: Reference) -> None:
    text = (
        "The Angolan Demining Coordination Office (ADCO) met three non-governmental "
        "organizations (HALO Trust, Mines Advisory Group and Handicap International). "
        "ADCO will report in May."
    )
    organizations = found(tmp_path, reference, text)["organizations"]
    assert organizations == [
        "Angolan Demining Coordination Office",
        "HALO Trust",
        "Mines Advisory Group",
        "Handicap International",
    ]


def test_extraction_is_linear_in_what_it_finds(tmp_path: Path, reference: Reference) -> None:
    """Figures in one endless sentence (issue 15: 34 kB took 6 s, 135 kB 77 s): four times
    the text takes about four times as long, not sixteen."""
    clause = "and in 2010 the teams cleared {n} square metres and destroyed {m} mines, "
    seconds = []
    for count in (300, 1200):
        text = "".join(clause.format(n=1000 + i, m=i % 97 + 2) for i in range(count))
        path = tmp_path / f"numbers-{count}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        source = reading.read(path)
        started = time.process_time()
        figures = extract(source, reference).figures
        seconds.append(time.process_time() - started)
        assert len(figures) > count
    assert seconds[1] < 8 * seconds[0] + 0.5


def test_events_from_trigger_words_with_the_date_of_their_clause(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "The Minister visited Angola on 3 March 2004. The teams surveyed the province in "
        "May 2005, and the agreement was signed in Luanda on 9 June 2006."
    )
    events = found(tmp_path, reference, text)["events"]
    assert [(e["type"], e["date"]) for e in events] == [
        ("visit", "2004-03-03"),
        ("survey", "2005-05"),
        ("signing", "2006-06-09"),
    ]
    assert events[2]["places"] == ["Luanda"]


def test_a_news_outlets_note_in_its_own_voice_is_its_claim(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "Azerbaijan urges action on landmines\n\n"
        "Baku, 3 March 2025. The ambassador of Azerbaijan said that Armenia planted mines in "
        "the villages of Azerbaijan, Caliber.Az reports.\n\n"
        "Note that, demining has been slowed by Armenia's refusal to hand over minefield maps.\n"
    )
    claims = found(tmp_path, reference, text)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("Azerbaijan", "Armenia"),
        ("Caliber.Az", "Armenia"),
    ]


def test_an_opposition_member_accuses_the_government_and_the_un_a_party(
    tmp_path: Path, reference: Reference
) -> None:
    """Claims whose claimant is no state: a member of parliament speaks in their own name
    against the home government (however it is called), a UN report against a party to the
    conflict, not against a UN body that has a duty there nor a state named as a place; and a
    state whose words the report gives is the claimant of what it says."""
    release = (
        '---\ntitle: "Demining aid cut"\ndate: "2003-05-02"\ncreators:\n  - "Smith, Jane"\n'
        '  - "Australian Labor Party"\n---\n\n JANE SMITH M.P. Shadow Minister for Foreign '
        "Affairs\n\n MEDIA RELEASE\n\n The Shadow Minister, Jane Smith, today called on the "
        'Australian Government to restore Australia’s demining aid to Laos.\n\n "It is deeply '
        "disappointing that the Howard Government has cut its support for mine clearance in "
        'Laos", Ms Smith said.\n'
    )
    claims = found(tmp_path, reference, release)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("Jane Smith", "Australian Government")
    ]
    draft = extract(reading.read(tmp_path / "document.txt"), reference).to_record("release")
    (claim,) = draft["claims"]
    proposed = {p["key"]: p["label"] for p in draft["proposed"]}
    assert proposed[claim["claimant"]] == "Jane Smith"
    assert [proposed[key] for key in claim["accused"]] == ["Australian Government"]
    report = (
        "Distr. GENERAL\n\nS/1994/111 3 February 1994\n\nORIGINAL: ENGLISH\n\nREPORT OF THE "
        "SECRETARY-GENERAL ON THE UNITED NATIONS OPERATION IN MOZAMBIQUE\n\n1. The Mozambican "
        "National Resistance Front (RENAMO) has refused to allow deminers into the areas it "
        "controls, in violation of the General Peace Agreement.\n\n2. The United Nations "
        "Development Programme has the responsibility to coordinate mine clearance in "
        "Mozambique, where mines were laid in violation of the Agreement.\n\n3. On 5 January "
        "1994 the Minister for Foreign Affairs of Malawi met my Special Representative and "
        "conveyed what he described as the sabotage of the Agreement by the Mozambican National "
        "Resistance Front.\n"
    )
    claims = found(tmp_path, reference, report)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("United Nations", "Mozambican National Resistance Front"),
        ("Malawi", "Mozambican National Resistance Front"),  # a state's words the report gives
    ]


def member_release(*paragraphs: str) -> str:
    """An opposition member's media release (invented): front matter, masthead, paragraphs."""
    head = (
        '---\ntitle: "Mine action aid"\ndate: "2004-08-10"\ncreators:\n  - "Brown, Peter"\n'
        '  - "Australian Labor Party"\n---\n\n PETER BROWN M.P. Shadow Minister for Overseas '
        "Aid\n\n MEDIA RELEASE\n\n Mr Brown spoke in Canberra today.\n\n"
    )
    return head + "".join(f" {text}\n\n" for text in paragraphs)


def test_a_member_reproaches_the_government_that_has_still_not_acted(
    tmp_path: Path, reference: Reference
) -> None:
    """A reproach ("has still not", "has yet to") and a demand with "should" charge their
    subject, the government however it is called ("The Keating Government" opening a sentence),
    as two claims; a state or person named elsewhere in the sentence is not the one charged."""
    release = member_release(
        "Peter Brown said that the Australian Government has still not answered the appeal of "
        "deminers Australia trained in Laos.",
        '"The Keating Government should act now and fund the survey of Laos," Mr Brown said.',
    )
    claims = found(tmp_path, reference, release)["claims"]
    assert [(c["claimant"], c["accused"], c["quote"][:24]) for c in claims] == [
        ("Peter Brown", "Australian Government", "Peter Brown said that th"),
        ("Peter Brown", "Australian Government", '"The Keating Government '),
    ]
    yet = member_release(
        "Mr Brown said the Australian Government has yet to honour Australia’s pledge."
    )
    assert [c["accused"] for c in found(tmp_path, reference, yet)["claims"]] == [
        "Australian Government"
    ]


def test_a_member_calls_on_a_state_to_act(tmp_path: Path, reference: Reference) -> None:
    """A demand verb charges the party between it and its "to" ("urge our neighbours in
    Indonesia to", "call on Japan to"), a state even for a claimant that is no state; a
    demand on no named party ("calls on governments to") is no claim, and a call on a party
    the release also charges is part of that charge, not a claim of its own."""
    release = member_release(
        "Peter Brown today called on the Government to urge our neighbours in Indonesia to "
        "ban the export of anti-vehicle mines from Australia's region.",
        "The campaign calls on governments to fund mine risk education.",
    )
    claims = found(tmp_path, reference, release)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [("Peter Brown", "Indonesia")]
    assert claims[0]["quote"].startswith("Peter Brown today called on")
    both = member_release(
        "Peter Brown called on the Australian Government to restore Australia's demining budget.",
        '"It is disappointing that the Australian Government cut the budget," he said.',
    )
    claims = found(tmp_path, reference, both)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("Peter Brown", "Australian Government")
    ]
    assert "disappointing" in claims[0]["quote"]


def test_a_state_named_as_an_example_or_the_members_own_party_is_not_accused(
    tmp_path: Path, reference: Reference
) -> None:
    """ "Countries like Angola" names an example, not a party charged; a member's own party
    named short ("the Labor Party" for the Australian Labor Party) is never the accused."""
    release = member_release("Mr Brown said the Labor Party must keep its promise to deminers.")
    assert found(tmp_path, reference, release)["claims"] == []
    letter = (
        "Letter dated 3 March 2025 from the Permanent Representative of Georgia to the United "
        "Nations addressed to the Secretary-General\n\n"
        "Georgia urges the Russian Federation to hand over the maps of its minefields. The "
        "Russian Federation has yet to answer. The current rules fail to protect countries like "
        "Angola.\n"
    )
    claims = found(tmp_path, reference, letter)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("Georgia", "Russian Federation"),
        ("Georgia", "Russian Federation"),
    ]


def test_a_treaty_states_obligations_not_claims(tmp_path: Path, reference: Reference) -> None:
    text = (
        "Convention on the Prohibition of Mines\n\nPreamble\n\nArticle 1\n\nThe States Parties "
        "undertake never to use mines; a violation of this obligation by Armenia or Azerbaijan "
        "shall be reported.\n"
    )
    result = found(tmp_path, reference, text)
    assert result["document"]["type"] == "treaty"
    assert result["claims"] == []


def test_instruments_by_title_and_near_variants_of_known_ones(
    tmp_path: Path, reference: Reference
) -> None:
    text = (
        "Recalling the Maputo Declaration and the Convention on the Rights of Persons with "
        "Disabilities, the States welcomed the Convention of the Prohibition of the Use, "
        "Stockpiling, Production and Transfer of Anti-personnel Mines and on their Destruction."
    )
    instruments = found(tmp_path, reference, text)["instruments"]
    assert instruments == [
        "Maputo Declaration",
        "Convention on the Rights of Persons with Disabilities",
        "Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of "
        "Anti-Personnel Mines and on Their Destruction",
    ]


def test_a_long_text_reports_its_progress_on_stderr(
    tmp_path: Path, reference: Reference, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Mines were cleared in Angola in 2004. " * 30000, encoding="utf-8")
    extract(reading.read(path), reference)
    stages = [line for line in capsys.readouterr().err.splitlines() if "long.txt" in line]
    assert len(stages) == 4
    assert stages[-1].startswith("minekg: long.txt (1.1 MB): events and claims done")


def test_a_file_over_the_default_limit_is_refused_at_once_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"mine " * (reading.MAX_BYTES // 5 + 1))
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"over the 10 MB limit"):
        reading.read(path)
    assert time.perf_counter() - started < 1


def test_casualty_rates_and_refugees_are_typed_apart(tmp_path: Path, reference: Reference) -> None:
    text = (
        "In Cambodia up to 300 civilian casualties a month are caused by landmines, and "
        "there are 3.1 million refugees abroad and 1.5 million internally displaced persons."
    )
    typed = {(s["measure"], s["value"]) for s in found(tmp_path, reference, text)["statistics"]}
    assert typed == {
        ("mine_victims_annual", 300),
        ("refugees", 3100000),
        ("idps", 1500000),
    }


def test_a_report_repeating_a_charge_against_a_party_makes_one_claim(
    tmp_path: Path, reference: Reference
) -> None:
    """A UN report that says again and again that a party refused makes one claim of it (the
    first sentence is the evidence); another charge against the same party is another claim."""
    report = sg_report(
        "S/1994/222",
        "3 March 1994",
        "The Mozambican National Resistance Front has refused to allow deminers into the areas "
        "it controls.",
        "The Mozambican National Resistance Front again refused in February to let the teams "
        "cross the river.",
        "The Mozambican National Resistance Front has also intimidated the deminers who work "
        "near the coast.",
    )
    claims = found(tmp_path, reference, report)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("United Nations", "Mozambican National Resistance Front"),
        ("United Nations", "Mozambican National Resistance Front"),
    ]
    assert claims[0]["claim"].startswith("The Mozambican National Resistance Front has refused")
    assert "intimidated" in claims[1]["claim"]


def test_the_accused_is_the_subject_or_the_passive_agent_not_the_nearest_party(
    tmp_path: Path, reference: Reference
) -> None:
    """ "X's shelling of villages held by Y was a violation" charges X, the subject, though Y
    stands nearer the charge word; "mines were planted near Y's camps by X" charges X, the
    agent of the passive."""
    report = sg_report(
        "S/1994/333",
        "4 April 1994",
        "The National Democratic Army's shelling of villages held by the Popular Liberation "
        "Front was a violation of the Agreement.",
        "The Popular Liberation Front reports that new mines were planted near its camps by the "
        "National Democratic Army.",
    )
    claims = found(tmp_path, reference, report)["claims"]
    assert [(c["claimant"], c["accused"]) for c in claims] == [
        ("United Nations", "National Democratic Army"),
        ("United Nations", "National Democratic Army"),
    ]


def test_a_speech_dates_its_events_from_the_day_it_is_given(
    tmp_path: Path, reference: Reference
) -> None:
    """A month with no year, "last month" and "last night" in a release are read from its date;
    a past month later in the year is last year's, a future one earlier in the year next year's."""
    release = (
        '---\ntitle: "Demining talks"\ndate: "2004-06-15"\ncreators:\n  - "Brown, Ann"\n---\n\n'
        " MEDIA RELEASE\n\n Demining in Angola\n\n The Minister welcomed the talks. In "
        "September the Minister visited Angola. Last month she met the "
        "deminers of Huambo. The next conference will be held in Luanda in March. A public "
        "meeting in Perth last night backed the appeal.\n"
    )
    events = found(tmp_path, reference, release)["events"]
    assert [(e["type"], e["date"]) for e in events] == [
        ("visit", "2003-09"),
        ("meeting", "2004-05"),
        ("conference", "2005-03"),
        ("meeting", "2004-06-14"),
    ]
