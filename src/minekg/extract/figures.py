"""Figures: every number about the mine problem, with its measure, unit, qualifier and date.

A number counts as a figure only when the text says what it counts: a unit or counted noun right
after it ("11,258 square kilometres", "359 children", "70 lost their lives", "54,430 mines"), or a
count verb after a counted subject ("the number of mine victims has reached 382"). Dates, symbols,
rule numbers, agenda items, ordinals and spans of time ("over the last 30 years") are not
figures. Number grammar: thousands separated by commas or spaces ("56 460", "179 791.8"),
decimal points and decimal commas ("1,5 million"), scale words, number words ("one million",
"two occasions", "three decades", "one fourth").

The measure comes from the counted noun and the words of the same clause (cleared, estimated,
neutralized, missing, displaced, killed …), nearest first; the qualifier from the words just
before the number (over, some, approximately, roughly, nearly, up to, at least …); the as-of
date from "as of September 2024", "By November 30, 2024" in the same sentence; the period from
"since the end of the war in 2020", "from 2020 to 2023"; the place from the nearest place or
state named in the sentence, else the state the document talks about most.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry

from minekg.extract.dates import DateMention
from minekg.extract.entities import Mention, most_named_state
from minekg.extract.text import Flat, matches_from

WORD_VALUES = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000}
FRACTIONS = {
    "half": Decimal("0.5"),
    "one third": Decimal("0.3333"),
    "one fourth": Decimal("0.25"),
    "one quarter": Decimal("0.25"),
    "two thirds": Decimal("0.6667"),
    "three quarters": Decimal("0.75"),
}
NUMBER = re.compile(
    r"(?<![\w.,/\-–])(?P<currency>(?:[A-Z]{1,2})?\$\s?|[€£¥]\s?|[A-Z]{3}\s(?=\d))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    r"|(?P<word>(?:[Aa]\s)?[Hh]undred|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight"
    r"|[Nn]ine|[Tt]en|[Ee]leven|[Tt]welve|[Ff]ifteen|[Tt]wenty|[Tt]hirty|[Ff]orty|[Ff]ifty))"
    r"(?![\w.,]\d|\w)(?:\s(?P<scale>thousand|million|billion|bn)\b)?"
)
FRACTION = re.compile(
    r"\b(?P<frac>half|one[\s-]third|one[\s-]fourth|one[\s-]quarter|two[\s-]thirds"
    r"|three[\s-]quarters)\s(?=of\b|are\b|were\b)",
    re.IGNORECASE,
)
FRACTION_FIRST = frozenset({"half", "one", "two", "three"})  # the words a FRACTION begins with
DIGITS = re.compile(r"\d\d*")  # a run of digits, begun with its class so a search skips ahead
NUMBER_PREFIX = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ$€£¥a")  # what begins a currency, "a hundred"
W = r"(?:(?!of\s|and\s|to\s)[\w\-’'/]+\s)"
UNITS: list[tuple[str, re.Pattern[str]]] = [
    ("percent", re.compile(r"\s?(?:%|per\s?cent\b|percent\b)")),
    ("km2", re.compile(r"\s(?:square\skilomet(?:re|er)s?|sq\.?\s?km|km2|km²)(?!\w)")),
    ("m2", re.compile(r"\s(?:square\smet(?:re|er)s?|sq\.?\s?m|m2|m²)(?!\w)")),
    ("hectares", re.compile(r"\s(?:hectares?|ha)\b")),
    ("km", re.compile(r"\s(?:kilomet(?:re|er)s?|km)\b")),
    ("decades", re.compile(r"\sdecades?\b")),
    ("years", re.compile(r"(?:\s|-)years?\b")),
    ("months", re.compile(r"(?:\s|-)months?\b")),
    ("days", re.compile(r"(?:\s|-)days?\b")),
    (
        "devices",
        re.compile(
            r"\s(?:(?:land\s?)?mines|landmines)\sand\s(?:other\s)?(?:unexploded\sordnances?|UXO"
            r"|ERW|explosive\sremnants\sof\swar|explosive\sdevices)\b"
        ),
    ),
    ("mines", re.compile(rf"\s{W}{{0,4}}?(?:land\s?mines|landmines|mines)\b")),
    (
        "erw",
        re.compile(
            rf"\s{W}{{0,2}}?(?:explosive\sdevices|explosive\sobjects|explosive\sremnants\sof\swar|ERW|UXOs?"
            r"|unexploded\sordnances?|explosive\sitems|items\sof\sunexploded\sordnance"
            r"|submunitions|cluster\smunition\sremnants|IEDs|improvised\sexplosive\sdevices)\b"
        ),
    ),
    (
        "persons_verb",
        re.compile(
            r"\s(?:lost\stheir\slives|were\s(?:killed|injured|wounded|maimed)|killed|injured"
            r"|died|wounded|(?:suffered|sustained)\s(?:\w+\s)?injur(?:y|ies))\b"
        ),
    ),
    (
        "persons",
        re.compile(
            rf"\s(?:of\s(?:our|its|their|the|whom)\s)?{W}{{0,2}}?(?:people|persons|citizens"
            r"|civilians|individuals|residents|victims|casualties|survivors|children|boys|girls"
            r"|women|men|deaths|fatalities|injuries|refugees|IDPs|deminers|representatives"
            r"|participants|delegates|others|soldiers|servicemen|[A-Z][a-z]+(?:ans|ians|is|ese))\b"
        ),
    ),
    ("incidents", re.compile(rf"\s{W}{{0,2}}?(?:incidents|accidents|explosions)\b")),
    ("settlements", re.compile(rf"\s{W}{{0,1}}?(?:settlements|villages|towns|communities)\b")),
    ("countries", re.compile(r"\s(?:countries|States|nations)\b")),
    ("organizations", re.compile(r"\s(?:international\s)?(?:organi[sz]ations|NGOs|agencies)\b")),
    ("conferences", re.compile(rf"\s{W}{{0,3}}?(?:conferences|summits)\b")),
    ("occasions", re.compile(r"\s(?:occasions|times)\b")),
    ("areas", re.compile(rf"\s{W}{{0,2}}?(?:minefields|hazardous\sareas|mined\sareas)\b")),
    ("teams", re.compile(rf"\s{W}{{0,2}}?teams\b")),
    ("USD", re.compile(r"\s(?:US\sdollars|dollars|USD|US\$)\b")),
    ("EUR", re.compile(r"\s(?:euros?|EUR)\b")),
]
# The units as one pattern, each a named alternative: a regex alternation tries them in this
# order and takes the first that matches, as trying each in turn did, in one call per number.
ANY_UNIT = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in UNITS))
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
DOLLARS = sorted(c.alpha_3 for c in pycountry.currencies if c.name.endswith(" Dollar"))
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
NOT_A_FIGURE_BEFORE = re.compile(
    r"(?:\b(?:rules?|resolutions?|No\.?|para(?:graph)?s?\.?|items?|Goal|COP|SDG|Articles?"
    r"|articles?|pages?|chapter|annex|Protocol|footnotes?|session|Rule)\s?$)|(?:\ball\s$)"
    r"|(?:\b(?:over|in|during|for|within)\s(?:the\s)?(?:last|past|next|coming)\s$)",
    re.IGNORECASE,
)
COUNT_VERB_BEFORE = re.compile(
    r"(?P<noun>victims|casualties|deaths|survivors|incidents|accidents)\b[^.;]{0,60}?"
    r"\b(?:reached|risen\sto|rose\sto|increased\sto|exceeded|stands\sat|stood\sat|totall?ed"
    r"|amounted\sto|climbed\sto|was|is|were)\s(?:(?:some|about|over|nearly|approximately)\s)?$",
    re.IGNORECASE,
)
COUNT_VERB_NEAR = re.compile(
    r"(?:reached|risen\sto|rose\sto|increased\sto|exceeded|stands\sat|stood\sat|totall?ed"
    r"|amounted\sto|climbed\sto|was|is|were)\s(?:(?:some|about|over|nearly|approximately)\s)?$"
)
QUALIFIERS = [
    ("at_least", r"at\sleast|no\sfewer\sthan|no\sless\sthan|a\sminimum\sof"),
    ("up_to", r"up\sto|as\smany\sas|as\smuch\sas|a\smaximum\sof"),
    ("under", r"under|less\sthan|fewer\sthan|below|just\sunder"),
    (
        "over",
        r"over|more\sthan|in\sexcess\sof|above|exceeded|exceeds|exceeding|upwards\sof",
    ),
    (
        "about",
        r"about|approximately|approx\.|some|roughly|around|nearly|almost|(?:an\s)?estimated"
        r"|close\sto|circa|an\sapproximate|just\sover",
    ),
]
QUALIFIER_BEFORE = [
    (name, re.compile(rf"\b(?:{words})\s(?:the\s|a\stotal\sof\s|of\s)?$", re.IGNORECASE))
    for name, words in QUALIFIERS
]
AS_OF_BEFORE = re.compile(
    r"\b(?:as\s(?:of|at)|by|at\sthe\send\sof|until|through|to\sdate\sin|up\sto)\s(?:the\s)?"
    r"(?:end\sof\s)?$",
    re.IGNORECASE,
)
PERIOD = re.compile(
    r"\b(?:[Ss]ince|[Ff]rom|[Bb]etween|[Dd]uring|[Oo]ver\sthe\s(?:last|past))\s"
    r"(?=[^,.;()]{0,60}(?:\d{4}|war\b|conflict|invasion|ceasefire|signing|beginning|start|end\b))"
    r"[^,.;()]{3,70}"
)
CLAUSE_BREAK = re.compile(
    r",\s(?:while|whereas|including|of\swhom|but|which)\b|;|\.\s|\.$|\s(?:while|whereas)\s"
)
POST_CONFLICT = re.compile(
    r"post\s?-\s?conflict|post\s?-\s?war|since\sthe\s(?:end|signing|cessation)|after\sthe\s(?:end"
    r"|war|conflict)|additional|since\sthe\sceasefire",
    re.IGNORECASE,
)
MINE_WORDS = re.compile(r"mine|explosi|ERW|UXO|ordnance|booby", re.IGNORECASE)
CLEARED = (
    r"neutrali[sz]|clear(?:ed|ing|ance)|destroy|removed|found|detected|detection|defused|released"
    r"|demined|dispos"
)
GENERIC_MEASURES = frozenset(
    "duration_days duration_years months persons_affected share_pct share occasions"
    " length_km".split()
)  # what a number of days or people is, when nothing says it is about mines
RATE = re.compile(
    r"\b(?:each|every|a|per)\s(?:day|week|month|year)\b|\bannually\b|\bdaily\b", re.IGNORECASE
)
COST = re.compile(r"\bcosts?\b|\bneeds?\b|\brequire|\bbudget|\bestimated\sat", re.IGNORECASE)
ESTIMATED = (
    r"estimat|planted|contaminat|pollut|laid|remain|buried|cover|mined|suspected|hazard|stands\sat"
)
TERRITORY_BEFORE = re.compile(
    r"(?:total\s|national\s)?territory\sof\s(?:some\s|about\s|approximately\s)?$|"
    r"(?:total\s)?(?:land\s)?area\sof\sthe\scountry\s(?:is\s|of\s)?$",
    re.IGNORECASE,
)
PLACE_REACH = 400
CONTEXT_MEASURES = {
    "conflict_deaths",
    "occupation_years",
    "conflict_years",
    "occupied_territory_share_pct",
    "war_duration_days",
    "settlements_liberated",
    "settlements_ruined",
}


@dataclass(frozen=True)
class Figure:
    """One figure as the text states it (flat offsets of the whole statement and the number)."""

    measure: str
    value: Decimal
    unit: str
    start: int
    end: int
    sentence: tuple[int, int]
    qualifier: str | None = None
    as_of: str | None = None
    period_text: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    place: Mention | None = None
    context: bool = False
    notes: list[str] = field(default_factory=list)


def find_figures(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], excluded: list[tuple[int, int]]
) -> list[Figure]:
    """Every figure in the document; ``excluded`` spans (symbols, rules) hold no figure."""
    text = flat.text
    blocked = bytearray(len(text))
    for s, e in excluded + [(d.start, d.end) for d in dates]:
        blocked[s:e] = b"\x01" * (e - s)
    main_state = most_named_state(mentions)
    places = [m for m in mentions if m.kind in ("place", "state")]
    # Positions once, for the bisections of every figure (a figure's work stays bounded).
    date_starts = [d.start for d in dates]
    place_starts = [m.start for m in places]
    figures: list[Figure] = []
    for match in _numbers(flat):
        start, end = match.start(), match.end()
        if blocked.find(1, start, end) != -1:
            continue
        figure = _figure(flat, match, dates, places, main_state, date_starts, place_starts)
        if figure is not None:
            figures.append(figure)
    for match in flat.at_words(FRACTION, FRACTION_FIRST):
        sentence = flat.sentence_of(match.start())
        after = _clause_after(text, match.end(), sentence[1])
        noun = re.match(r"(?:of\s)?(?:the\s|these\s|those\s|all\s)?([a-z]+)", after)
        measure = (
            f"{noun.group(1)}_share" if noun and noun.group(1) not in ("are", "were") else "share"
        )
        figures.append(
            Figure(
                measure=measure,
                value=FRACTIONS[re.sub(r"[\s-]", " ", match["frac"].lower())],
                unit="fraction",
                start=match.start(),
                end=min(sentence[1], match.end() + 40),
                sentence=sentence,
                qualifier=_qualifier(text, match.start(), sentence[0])[0],
                place=main_state,
            )
        )
    return sorted(figures, key=lambda f: f.start)


def _numbers(flat: Flat) -> list[re.Match[str]]:
    """What ``NUMBER.finditer`` finds, tried only where a number can begin: at a run of digits
    or a number word (``WORD_VALUES``, which every word of NUMBER is in), or up to six
    characters before one where a currency ("US$ ", "EUR ") or "a hundred" begins."""
    text = flat.text
    anchors = [m.start() for m in DIGITS.finditer(text)]
    anchors += flat.words_where(WORD_VALUES.keys())
    starts = {
        start
        for at in anchors
        for start in range(max(0, at - 6), at + 1)
        if start == at or text[start] in NUMBER_PREFIX
    }
    return matches_from(NUMBER, text, sorted(starts))


def _figure(
    flat: Flat,
    match: re.Match[str],
    dates: list[DateMention],
    places: list[Mention],
    main_state: Mention | None,
    date_starts: list[int],
    place_starts: list[int],
) -> Figure | None:
    text = flat.text
    code = currency(match["currency"]) if match["currency"] else None
    # "PDK 15" or "SDG 16": three capitals before a number that name no currency are not one.
    start, end = match.start() if code else match.start("num"), match.end()
    unit, unit_end = (code, end) if code else _unit(text, end)
    if unit is None and (
        match["word"] or not COUNT_VERB_NEAR.search(text, max(0, start - 90), start)
    ):
        return None
    sentence = flat.sentence_of(start)
    before = text[max(sentence[0], start - 200) : start]
    if NOT_A_FIGURE_BEFORE.search(before[-40:]):
        return None
    value = _value(match)
    if value is None:
        return None
    if unit is None:
        count = COUNT_VERB_BEFORE.search(before[-120:])
        if count is None or match["word"]:
            return None
        unit, unit_end = "persons" if "incident" not in count["noun"].lower() else "incidents", end
    if match["word"] and unit in ("percent", "km2", "hectares", "km", "m2"):
        return None
    if (
        match["num"]
        and re.fullmatch(r"(?:19|20)\d\d", match["num"])
        and unit not in ("persons", "mines", "erw", "devices", "hectares", "km2")
        and unit not in CURRENCIES
    ):
        return None
    if unit == "decades":
        value, unit = value * 10, "years"
    clause = text[start:unit_end] + _clause_after(text, unit_end, sentence[1])
    rest = text[unit_end : sentence[1]]
    measure = _measure(
        unit, text[start:unit_end], clause, before, text[sentence[0] : sentence[1]], rest
    )
    if (measure in GENERIC_MEASURES or measure.endswith("_share")) and not MINE_WORDS.search(
        text, sentence[0], sentence[1]
    ):
        return None
    period_text, period_start, period_end = _period(text, sentence, dates, date_starts)
    qualifier, qualified_start = _qualifier(text, start, sentence[0])
    return Figure(
        measure=measure,
        value=value,
        unit=_unit_name(unit, measure),
        start=qualified_start,
        end=max(unit_end, end),
        sentence=sentence,
        qualifier=qualifier,
        as_of=_as_of(text, sentence, dates, date_starts),
        period_text=period_text,
        period_start=period_start,
        period_end=period_end,
        place=_place(places, place_starts, sentence, start) or main_state,
        context=measure in CONTEXT_MEASURES,
    )


def _value(match: re.Match[str]) -> Decimal | None:
    scale = SCALES.get((match["scale"] or "").lower(), 1)
    if match["word"]:
        return Decimal(WORD_VALUES[match["word"].lower()]) * scale
    raw = match["num"].replace(" ", "").replace(" ", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif "," in raw:
        raw = raw.replace(",", ".")
    return Decimal(raw) * scale


def _unit(text: str, end: int) -> tuple[str | None, int]:
    found = ANY_UNIT.match(text[end : end + 80])
    if found and found.lastgroup:
        return found.lastgroup, end + found.end()
    return None, end


def currency(printed: str) -> str | None:
    """The ISO 4217 code of a currency printed before an amount: a code ("EUR 3.2 million"),
    a symbol, or a dollar sign with the letters of its country ("US$", "A$", "NZ$"). A bare
    "$" is taken for the US dollar, the one most mine-action texts mean."""
    printed = printed.strip()
    if printed in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[printed]
    if printed.endswith("$"):
        named = [code for code in DOLLARS if code.startswith(printed[:-1])]
        return named[0] if len(named) == 1 else None
    return printed if printed in CURRENCIES and not NOT_A_FIGURE_BEFORE.search(printed) else None


def _clause_after(text: str, start: int, stop: int) -> str:
    """The words after a number up to the end of its clause or the next number."""
    rest = text[start : min(stop, start + 140)]
    found = CLAUSE_BREAK.search(rest)
    rest = rest[: found.start()] if found else rest
    number = re.search(r"\s\d", rest)
    return rest[: number.start()] if number else rest


def _clause_before(before: str) -> str:
    """The words of the same clause before a number."""
    breaks = list(CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _nearest(
    cues: dict[str, str], after: str, before: str, before_first: bool = False
) -> str | None:
    """The cue nearest to the number: first in the clause after it, then backwards before it
    (or the other way round with ``before_first``: a share's subject comes before it)."""
    if before_first:
        return _nearest(cues, "", before) or _nearest(cues, after, "")
    best: tuple[int, str] | None = None
    for name, pattern in cues.items():
        for found in re.finditer(pattern, after, re.IGNORECASE):
            if best is None or found.start() < best[0]:
                best = (found.start(), name)
            break
    if best:
        return best[1]
    for name, pattern in cues.items():
        for found in re.finditer(pattern, before, re.IGNORECASE):
            distance = len(before) - found.end()
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def _measure(unit: str, unit_text: str, clause: str, before: str, sentence: str, rest: str) -> str:
    post = bool(POST_CONFLICT.search(sentence))
    if unit in ("km2", "hectares", "m2") and TERRITORY_BEFORE.search(before):
        return "territory_total_" + {"km2": "km2", "hectares": "ha", "m2": "m2"}[unit]
    if unit == "percent":
        cue = _nearest(
            {
                "occupied_territory_share_pct": r"occup",
                "mines_neutralized_share_pct": r"mines\b[^.]{0,60}(?:"
                + CLEARED
                + r")|found\s(?:land)?mines",
                "area_cleared_share_pct": r"cleared|released|clearance",
                "contaminated_area_share_pct": r"contaminat|pollut|territory|mined",
            },
            clause,
            _clause_before(before),
            before_first=True,
        )
        return cue or "share_pct"
    if unit in ("km2", "hectares", "m2"):
        suffix = {"km2": "km2", "hectares": "ha", "m2": "m2"}[unit]
        # The verb that governs the area ("cleared from 130 km2 of contaminated land") says
        # what it is before any noun after it does.
        verb = re.search(rf"(?:{CLEARED})\W+(?:\w+\W+){{0,3}}$", before[-60:], re.IGNORECASE)
        if verb and not re.search(r"released|release", verb.group(), re.IGNORECASE):
            return f"area_cleared_{suffix}"
        cue = _nearest(
            {
                "area_released": r"released|release\b",
                "area_cleared": CLEARED,
                "contaminated_area": ESTIMATED,
            },
            clause,
            before,
        )
        return f"{cue or 'area'}_{suffix}"
    if unit == "km":
        if re.search(r"minefield|mine\szone|mined", sentence, re.IGNORECASE):
            return (
                "new_minefields_length_km"
                if re.search(r"new", sentence)
                else "minefields_length_km"
            )
        return "length_km"
    if unit in ("mines", "devices", "erw"):
        state = _nearest({"neutralized": CLEARED, "estimated": ESTIMATED}, clause, before)
        if unit == "mines":
            ap = re.search(r"anti-?\s?personnel", unit_text, re.IGNORECASE)
            at = re.search(r"anti-?\s?tank|anti-?\s?vehicle", unit_text, re.IGNORECASE)
            kind = "ap_mines" if ap and not at else "at_mines" if at and not ap else "mines"
        elif unit == "devices" or not re.search(r"other|ERW|UXO|unexploded|remnants", unit_text):
            kind = "explosive_devices"
        else:
            kind = "erw"
        return f"{kind}_{state or 'estimated'}"
    if unit in ("persons", "persons_verb"):
        return _person_measure(unit_text, clause, before, sentence, post, rest)
    if unit == "incidents":
        return "mine_incidents_post_conflict" if post else "mine_incidents"
    if unit == "years":
        cue = _nearest(
            {
                "conflict_years": r"conflict|war\b",
                "occupation_years": r"occup",
                "clearance_years_needed": r"needs?|required?|take|to\sclear|complet|resolve",
            },
            clause[len(unit_text) :],
            before,
        )
        return cue or "duration_years"
    if unit == "days":
        return (
            "war_duration_days"
            if re.search(r"war|operation|hostilit|fighting", sentence)
            else "duration_days"
        )
    if unit == "settlements":
        cue = _nearest(
            {"settlements_liberated": r"liberat", "settlements_ruined": r"ruin|destroy"},
            clause,
            before,
        )
        return cue or "settlements_affected"
    if unit in ("countries", "organizations"):
        conference = re.search(
            r"conference|attended|participa|meeting|summit|representatives", sentence, re.IGNORECASE
        )
        return f"conference_{unit}" if conference else f"{unit}_affected"
    if unit == "conferences":
        return "conferences_hosted" if re.search(r"host|organi[sz]", sentence) else "conferences"
    if unit == "occasions":
        return "mine_map_submissions" if re.search(r"maps?\b", sentence) else "occasions"
    if unit == "areas":
        return "minefields"
    if unit == "teams":
        return "demining_teams"
    if unit in CURRENCIES:
        # Money is what a mine-action text gives (funding) unless the words around it say
        # it is what something costs or needs. The measure is the vocabulary's, whatever the
        # currency: the currency is the figure's unit.
        if COST.search(before[-60:]) or COST.search(clause[:80]):
            return "clearance_cost_usd" if unit == "USD" else "clearance_cost"
        return "mine_action_funding"
    return unit


def _person_measure(
    unit_text: str, clause: str, before: str, sentence: str, post: bool, rest: str
) -> str:
    words = unit_text.lower()
    mine = bool(MINE_WORDS.search(sentence))
    if re.search(r"children|boys|girls", words):
        return "mine_victims_children" if mine else "children"
    if re.search(r"\bwomen", words):
        return "mine_victims_women" if mine else "women"
    if re.search(r"representatives|participants|delegates", words):
        return "conference_participants"
    if re.search(r"deminers", words):
        return "deminers"
    if re.search(r"deaths|fatalities|killed|lost\stheir\slives|died", words):
        return "mine_victims_killed" if mine else "conflict_deaths"
    if re.search(r"injur|wounded|maimed", words):
        return "mine_victims_injured" if mine else "conflict_injured"
    if re.search(r"idps|displaced", words):
        return "idps"
    if re.search(r"refugees", words):  # who fled abroad: not internally displaced
        return "refugees"
    victims = "mine_victims_post_conflict" if post else "mine_victims_total"
    if RATE.search(clause[:80]) or RATE.search(before[-40:]):
        victims = "mine_victims_annual"  # a rate ("each day", "a month") is not a total
    cues = {
        "population_at_risk": r"\b(?:live|living|reside|residing)\s(?:in|near)\b",
        "missing_persons": r"missing|disappeared",
        "idps": r"displaced|\bfle[ed]|forced\sto\sleave|expelled|their\shomes|refugees",
        "victims": r"victims?|casualt|harmed|suffered\sfrom|fallen\svictim|died\sor|killed\sor"
        r"|injured\sby|mine\sexplosion|survivors",
        "killed": r"killed|died|lost\stheir\slives",
        "injured": r"injured|wounded",
    }
    cue = _nearest(cues, clause, before[-40:]) or _nearest(cues, rest, "")
    if cue == "victims" or (cue is None and re.search(r"victims|casualties|survivors", words)):
        return victims
    if cue == "killed":
        return "mine_victims_killed" if mine else "conflict_deaths"
    if cue == "injured":
        return "mine_victims_injured" if mine else "conflict_injured"
    return cue or (victims if mine else "persons_affected")


def _unit_name(unit: str, measure: str) -> str:
    names = {
        "percent": "percent",
        "km2": "km2",
        "m2": "m2",
        "hectares": "hectares",
        "km": "km",
        "years": "years",
        "months": "months",
        "days": "days",
        "mines": "mines",
        "devices": "explosive devices",
        "erw": "explosive devices",
        "persons": "persons",
        "persons_verb": "persons",
        "incidents": "incidents",
        "settlements": "settlements",
        "countries": "countries",
        "organizations": "organizations",
        "conferences": "conferences",
        "occasions": "occasions",
        "areas": "minefields",
        "teams": "teams",
    }
    return names.get(unit, unit)


def _qualifier(text: str, start: int, sentence_start: int) -> tuple[str | None, int]:
    """The qualifier just before a number ("some", "more than" …) and where the statement of
    the figure starts: at its qualifier, so the quote shows it."""
    before = text[max(sentence_start, start - 30) : start]
    for name, pattern in QUALIFIER_BEFORE:
        found = pattern.search(before)
        if found:
            return name, start - len(before) + found.start()
    return None, start


def _in(dates: list[DateMention], starts: list[int], start: int, end: int) -> list[DateMention]:
    """The dates (sorted by start, at ``starts``) that start in ``[start, end)``."""
    return dates[bisect_left(starts, start) : bisect_left(starts, end)]


def _as_of(
    text: str, sentence: tuple[int, int], dates: list[DateMention], starts: list[int]
) -> str | None:
    for date in _in(dates, starts, sentence[0], sentence[1]):
        if AS_OF_BEFORE.search(text[max(sentence[0], date.start - 20) : date.start]):
            return date.last or date.value
    return None


def _period(
    text: str, sentence: tuple[int, int], dates: list[DateMention], starts: list[int]
) -> tuple[str | None, str | None, str | None]:
    found = PERIOD.search(text, sentence[0], sentence[1])
    if not found:
        return None, None, None
    inside = _in(dates, starts, found.start(), found.end())
    phrase = found.group().strip()
    lower = phrase.lower()
    if lower.startswith("since") and inside:
        return phrase, inside[0].value, None
    if (lower.startswith("from") or lower.startswith("between")) and len(inside) >= 2:
        return phrase, inside[0].value, inside[-1].last or inside[-1].value
    return phrase, None, None


def _place(
    places: list[Mention], starts: list[int], sentence: tuple[int, int], start: int
) -> Mention | None:
    """The place or state named nearest the figure in its sentence, else the last one named
    shortly before it (a paragraph that names its country once)."""
    first, last = bisect_left(starts, sentence[0]), bisect_left(starts, sentence[1])
    if first < last:
        return min(places[first:last], key=lambda m: abs(m.start - start))
    if first and places[first - 1].start >= start - PLACE_REACH:
        return places[first - 1]
    return None
