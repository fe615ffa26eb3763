"""Claims: what the author's side asserts against another party, with the law it invokes.

minekg keeps claims attributed, never as facts. A sentence is a claim when it charges another
party with conduct (refusal, violation, aggression, occupation, planting mines, failure to act
…) or with breaking a rule of law. The claimant is the body the author speaks for (a state, the
United Nations; a member of parliament speaks for themself, not for their party), or a state
whose words a report or an article gives; the accused is the other state named in the sentence
("Armenia", "Armenian armed forces"), a party to the conflict or to politics ("the Party of
Democratic Kampuchea") or, for a claimant that is no state, a government ("the Howard
Government"); or, when the sentence carries on an accusation without naming anyone
("landmines were placed in civilian areas"), the party the document accused last, within the
same stretch of text. A treaty text makes no claims. A paragraph a news outlet opens in its
own voice ("Note that, …") is the outlet's claim. Rules and documents invoked come from the
same sentence and from the footnotes its markers point to.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from minekg.extract.citations import Citations
from minekg.extract.entities import Mention
from minekg.extract.organizations import BELLIGERENT
from minekg.extract.text import Flat, lemma, matches_from

ACCUSATIONS = (
    r"refus|violat|aggression|occupation|occupied|occupying|planted|laid\b|placed|mined\sby|accus"
    r"|responsib|fail(?:ed|ure|s|ing)?\sto|failure|denial|\bden(?:y|ied|ies)\b|impunity|shelled|assault"
    r"|illegal|unlawful|deliberate|indiscriminate|accountable|booby|revanchist|enmity|sincerity"
    r"|completely\sfalse|contradict|breach|prohibited|obliges|obligation|impede|war\scrime"
    r"|atrocit|ethnic\scleansing|expelled|inadequate|disappoint|criticis|criticiz|condemn|sabotag"
    r"|terroris|massacre"
)
STRONGS = (
    r"refus|violat|aggression|occupation|planted|placed|booby|prohibited|obligation|failure"
    r"|impede|responsib|illegal|unlawful|inadequate|sabotag"
)
CHARGES = (
    r"refus|violat|aggression|planted|booby|fail(?:ed|ure|s|ing)?\sto|failure|impede"
    r"|illegal|unlawful|inadequate|disappoint|criticis|criticiz|condemn|sabotag|intimidat"
    r"|atrocit|massacre|abduct"
)  # the charges a body that is no state makes: against a party's conduct, not its duties
ACCUSATION = re.compile(rf"\b(?:{ACCUSATIONS})")
STRONG = re.compile(rf"\b(?:{STRONGS})")
CHARGE = re.compile(rf"\b(?:{CHARGES})")
DEMANDS = (
    r"call(?:s|ed|ing)?\s(?:on|upon|for)|urg(?:e|es|ed|ing)"
    r"|lobb(?:y|ies|ied|ying)|appeal(?:s|ed|ing)?\sto"
    r"|persuad(?:e|es|ed|ing)"
)
DEMAND = re.compile(
    rf"\b(?:{DEMANDS})\s(?P<addressee>[^.;:!?“”\"]{{1,80}}?)"
    r"(?=\sto\s(?!the\b|a\b|an\b|this\b)[a-z])"
)  # the "to" is looked ahead at: "called on X to urge Y to" holds two demands
FIRST_LETTERS = re.compile(r"(?:\\b)?([a-z]+)")


def _stems(alternatives: str) -> tuple[str, ...]:
    """The letters each alternative begins with ("fail" of "fail(?:ed|s)?\\sto", "den" of
    "\\bden(?:y|ied)\\b"): every match begins a word that starts with one of them, so a
    pattern of these alternatives is tried only at such words (see Flat.at_words)."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(alternatives):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(alternatives[start:at])
            start = at + 1
    stems = [FIRST_LETTERS.match(part) for part in [*parts, alternatives[start:]]]
    if not all(stems):
        raise ValueError(f"an alternative that begins with no letter: {alternatives}")
    return tuple(stem[1] for stem in stems if stem)


STEMS = {
    ACCUSATION: _stems(ACCUSATIONS),
    STRONG: _stems(STRONGS),
    CHARGE: _stems(CHARGES),
    DEMAND: _stems(DEMANDS),
}


def _cues(flat: Flat, pattern: re.Pattern[str], lower: str) -> list[re.Match[str]]:
    """The matches of a pattern of ``STEMS`` in the lower-case text (URLs blanked)."""
    return flat.at_words(pattern, flat.starting_with(STEMS[pattern]), lower)


ACCUSER = re.compile(
    r"(?:[’']s\s(?:government|authorities|foreign\sministry|delegation)\s)?\s?(?:also\s)?"
    r"(?P<verb>[a-z]+)\b"
)
ACCUSING = frozenset("accuse blame charge condemn allege denounce".split())  # lemmas
REPORTING = ACCUSING | frozenset(
    "say describe claim declare stress emphasise emphasize underscore insist assert warn"
    " convey".split()
)  # lemmas of the verbs that report a speaker's words
VERB = re.compile(r"\b[a-z]+\b")
SPEAKER_REACH = 200  # characters between a state's name and the verb that reports its words
OWN_VOICE = re.compile(
    r"(?:Note\sthat|It\sshould\sbe\snoted|It\sis\sworth\snoting|Notably|Recall\sthat"
    r"|To\srecall)\b"
)  # a news outlet's formulas for a note in its own voice, not the source it reports
LAW_KEYS = {"international-law", "ihl", "customary-ihl", "ihrl"}
CARRY_SENTENCES = 1
PARTY_REACH = 100  # characters between a strong charge and the party it names
OBJECT_OF = frozenset("on against to with from for of between towards toward".split())
URL = re.compile(r"https?://\S+")
GOVERNMENT = re.compile(r"\b[Tt]he\s(?:(?P<name>[A-Z][a-z]+)\s)?Government\b")
LOCATIVE = re.compile(r"\b(?:in|into|inside|within|across|throughout)\s(?:the\s)?$")
EXAMPLE = re.compile(r"\b(?:like|such\sas)\s(?:the\s)?$")  # "conflicts like Cambodia": an example
# Demands and reproaches: a party called on to act ("calls on X to", "urged X to", "lobby X to"),
# told what it should do ("X should delay no longer", "X must"), or charged with not having
# done it ("X has still not responded", "X has yet to"). The party is the addressee or the
# subject of the cue, never another name in the sentence.
MODAL = re.compile(r"\s(?:should|must|ought\sto)\s(?!be\sable\b)(?:now\s|also\s|not\s)?[a-z]")
NOT_YET = re.compile(
    r"\s(?:still\s)?(?:has|have|had|is|are)\s(?:still\snot|not\syet|yet\sto|still\sto)\b"
)
DEMONYM_HEADS = frozenset("forces side occupation prime troops army military".split())
DEMONYM_PHRASE = re.compile(
    r"\b(\w+)\s(?:armed\sforces|forces|side|occupation|Prime\sMinister|troops|army|military)"
)


@dataclass
class ClaimFound:
    claimant: str
    accused: list[str]
    start: int
    end: int
    claim: str
    rules: list[int] = field(default_factory=list)
    law: list[str] = field(default_factory=list)
    claimant_key: str | None = None
    accused_keys: list[str | None] = field(default_factory=list)
    law_keys: list[str] = field(default_factory=list)
    charge: str = ""  # the charge word's stem ("violat", "refus"): repeats of it are one claim


def find_claims(
    flat: Flat,
    mentions: list[Mention],
    citations: Citations,
    claimant: Mention | None,
    footnotes: list[tuple[int, int]],
    publisher: Mention | None = None,
    claimant_org: str | None = None,
    reported: bool = False,
) -> list[ClaimFound]:
    """Claims of the body the author speaks for; footnote text states no claim of its own.
    ``claimant_org`` is the author's own organization (an MP's party), never the accused. In
    a text that ``reported`` others' words (a report, an article), a sentence whose reporting
    verb has a state before it ("the Vice-Minister of Foreign Affairs of Viet Nam … described
    as …") is that state's claim, whichever party it is."""
    if claimant is None:
        return []
    text = flat.text
    parties = _parties(flat, mentions, claimant, claimant_org)
    party_starts = [m.start for m in parties]
    voices = sorted((m for m in mentions if m.kind == "state"), key=lambda m: m.start)
    voice_starts = [m.start for m in voices]
    laws_named = [m for m in mentions if m.key in LAW_KEYS]
    law_starts = [m.start for m in laws_named]
    lower = URL.sub(lambda m: " " * len(m.group()), text.lower())
    strong = [m.start() for m in _cues(flat, STRONG, lower)]
    # A body that is no state speaks of parties at length (a UN report on a mission): only a
    # strong charge near a party's name is a claim of its own.
    state_voice = claimant.kind == "state"
    charges = ACCUSATION if state_voice else CHARGE
    charged = {m.start(): m.group() for m in _cues(flat, charges, lower)}
    cues = list(charged)
    claims: list[ClaimFound] = []
    voiced = own_voice(flat) if publisher is not None else []
    footnotes = sorted(footnotes)
    last_accused: tuple[int, Mention] | None = None
    # A demand's addressee may be any state ("lobby our friends in the United States to"), even
    # for a body that is no state; the subject of "should" or "has still not" is a party.
    own = {claimant.label, claimant_org}
    addressees = sorted(
        {(m.start, m.label): m for m in parties + voices if m.label not in own}.values(),
        key=lambda m: m.start,
    )
    addressee_starts = [m.start for m in addressees]
    demand_words = flat.words_where(flat.starting_with(STEMS[DEMAND]))
    for index, (start, end) in enumerate(flat.sentences):
        if _within(footnotes, start):
            continue
        inside = parties[bisect_left(party_starts, start) : bisect_left(party_starts, end)]
        named = [m for m in inside if m.label != claimant.label and not _is_place(text, m)]
        demand = _demand(
            text,
            start,
            end,
            demand_words[bisect_left(demand_words, start) : bisect_left(demand_words, end)],
            [m for m in inside if m.label not in own],
            addressees[bisect_left(addressee_starts, start) : bisect_left(addressee_starts, end)],
        )
        cue = bisect_left(cues, start)
        accused: list[Mention] = []
        speaker: Mention | None = None
        if cue < len(cues) and cues[cue] < end:
            at = cues[cue]
            charge = charged[at]
            states = voices[bisect_left(voice_starts, start) : bisect_left(voice_starts, end)]
            speaker = _accuser(text, states)
            if speaker is None and reported:
                speaker = _speaker(text, start, end, states)
            if speaker is not None and speaker.label != claimant.label:
                heard = sorted({id(m): m for m in inside + states}.values(), key=lambda m: m.start)
                named = [m for m in heard if m.label != speaker.label and not _is_place(text, m)]
            elif not state_voice:
                speaker = None
                named = [m for m in named if abs(m.start - at) <= PARTY_REACH]
            if named:
                accused = [_agent(text, named, at)]
            elif (
                last_accused
                and index - last_accused[0] <= CARRY_SENTENCES
                and _any_in(strong, start, end)
            ):
                accused = [last_accused[1]]
        elif named:
            last_accused = (index, named[0])
        if not accused and demand is not None:
            at, party, charge = demand
            accused = [party]
            speaker = _speaker(text, start, end, voices) if reported else None
        if not accused:
            continue
        last_accused = (index, accused[0])
        by = speaker or claimant
        if publisher is not None and _within(voiced, start):
            by = publisher
        unique = {m.label: m for m in accused if m.label != by.label}
        if not unique:
            continue
        sentence = text[start:end]
        laws = laws_named[bisect_left(law_starts, start) : bisect_left(law_starts, end)]
        claims.append(
            ClaimFound(
                claimant=by.label,
                claimant_key=by.key,
                accused=sorted(unique),
                accused_keys=[unique[label].key for label in sorted(unique)],
                start=start,
                end=end,
                claim=" ".join(sentence.split())[:300],
                rules=citations.rules_for(start, end + 3),
                law=sorted({m.label for m in laws} | set(citations.symbols_for(start, end + 3))),
                law_keys=sorted({m.key for m in laws if m.key}),
                charge=charge,
            )
        )
    # A state's letter lists its charges one by one; a report or a member's release by a body
    # that is no state comes back to the same party's conduct in sentence after sentence.
    return claims if state_voice else _merge_repeats(claims)


def _merge_repeats(claims: list[ClaimFound]) -> list[ClaimFound]:
    """One claim per claimant, accused and charge: a report that charges the same party with
    the same conduct ("refused", "violation") in sentence after sentence makes one claim, whose
    evidence is the first sentence; the rules and law of the repeats are kept with it. Another
    charge against the same party is a claim of its own. A call on a party to act ("called on
    the Government to restore the aid") beside a charge against it ("has cut the aid") is the
    remedy of that charge, and part of its claim."""
    kept: dict[tuple[str, tuple[str, ...], str], ClaimFound] = {}
    charges = {(c.claimant, tuple(c.accused)): c for c in reversed(claims) if c.charge != "demand"}
    remedies = [
        c for c in claims if c.charge == "demand" and (c.claimant, tuple(c.accused)) in charges
    ]
    for claim in [c for c in claims if c not in remedies] + remedies:
        charge = claim.charge
        if claim in remedies:
            charge = charges[claim.claimant, tuple(claim.accused)].charge
        first = kept.setdefault((claim.claimant, tuple(claim.accused), charge), claim)
        if first is not claim:
            first.rules = sorted(set(first.rules) | set(claim.rules))
            first.law = sorted(set(first.law) | set(claim.law))
            first.law_keys = sorted(set(first.law_keys) | set(claim.law_keys))
    return sorted(kept.values(), key=lambda c: c.start)


def _parties(
    flat: Flat, mentions: list[Mention], claimant: Mention, own: str | None
) -> list[Mention]:
    """Who a sentence can accuse: states (also by demonym: "Armenian forces"), parties to a
    conflict or to politics ("the Party of Democratic Kampuchea" in a UN report, armed forces),
    and, for a claimant that is no state (an opposition member, a UN body), a government ("the
    Australian Government"; "the Government" and "the Howard Government" after it are the same
    one)."""
    states = [m for m in mentions if m.kind == "state"]
    state_named = {m.label: m for m in states}
    # A state accuses states; a body that is no state (the UN, a member of parliament) accuses
    # parties and governments, and names states mostly as where things happen.
    parties = list(states) if claimant.kind == "state" else []
    for m in mentions:
        if m.kind == "organization" and BELLIGERENT.search(m.label):
            # A state's own forces are the state ("Armed Forces of Armenia": Armenia).
            state = state_named.get(m.label.rpartition(" of ")[2]) if " of " in m.label else None
            if state is not None:
                parties.append(Mention("state", state.label, m.start, m.end, state.key))
            elif claimant.label not in m.label and not (own and m.label in own):
                parties.append(m)
    demonyms = _demonyms(states)
    for phrase in flat.near(DEMONYM_HEADS, DEMONYM_PHRASE, 40, 20):
        state = demonyms.get(phrase.group(1))
        if state is not None:
            parties.append(Mention("state", state.label, phrase.start(), phrase.end(1), state.key))
    if claimant.kind != "state":
        home: str | None = None
        for found in flat.near(frozenset({"government"}), GOVERNMENT, 30, 20):
            name = found["name"]
            label = f"{name} Government" if name in demonyms else home
            home = home or label
            if label is not None:
                parties.append(Mention("organization", label, found.start(), found.end()))
    return sorted(parties, key=lambda m: m.start)


def _agent(text: str, named: list[Mention], at: int) -> Mention:
    """The party a charge is laid on: the agent of a passive after it ("laid by X"), else the
    subject, the first party before the charge word that is no object of a preposition ("X's
    attacks on Y were violations" charges X, not Y), else the party nearest the charge word."""

    def after(m: Mention) -> str:
        words = [w for w in text[max(0, m.start - 24) : m.start].lower().split() if w != "the"]
        return words[-1] if words else ""

    agents = [m for m in named if m.start > at and after(m) == "by"]
    if agents:
        return min(agents, key=lambda m: abs(m.start - at))
    subjects = [m for m in named if m.start < at and after(m) not in OBJECT_OF]
    return subjects[0] if subjects else min(named, key=lambda m: abs(m.start - at))


def _is_place(text: str, mention: Mention) -> bool:
    """A state named as where something is ("mines in Cambodia") or as an example ("conflicts
    like Cambodia", "such as Angola") is not a party accused."""
    if mention.kind != "state":
        return False
    before = max(0, mention.start - 12)
    return bool(
        LOCATIVE.search(text, before, mention.start) or EXAMPLE.search(text, before, mention.start)
    )


def _demand(
    text: str,
    start: int,
    end: int,
    verbs: list[int],
    subjects: list[Mention],
    addressees: list[Mention],
) -> tuple[int, Mention, str] | None:
    """A demand or reproach in the sentence and the party it is laid on: the first party named
    between a demand verb and its "to" ("urged Laos to", "call for the Government to"), else a
    party that is the subject of "should", "must" or "has still not" / "has yet to".
    ``verbs`` are where the sentence's words that begin with a demand verb's stem start: the
    only places DEMAND is tried, not every character of every sentence."""
    for found in matches_from(DEMAND, text, verbs, end):
        first, last = found.span("addressee")
        named = [m for m in addressees if first <= m.start and m.end <= last]
        if named:
            return found.start(), named[0], "demand"
    for party in subjects:
        if MODAL.match(text, party.end, end):
            return party.end, party, "should"
        if NOT_YET.match(text, party.end, end):
            return party.end, party, "not yet"
    return None


def _speaker(text: str, start: int, end: int, states: list[Mention]) -> Mention | None:
    """The state named just before the sentence's first reporting verb, if one is."""
    for verb in VERB.finditer(text, start, end):
        if lemma(verb.group()) in REPORTING:
            before = [m for m in states if verb.start() - SPEAKER_REACH <= m.end <= verb.start()]
            return before[-1] if before else None
    return None


def _accuser(text: str, states: list[Mention]) -> Mention | None:
    """A state the sentence says accuses another ("Ukraine accuses Russia of …", "accused",
    "is accusing": any inflection, by lemma)."""
    for state in states:
        found = ACCUSER.match(text, state.end)
        if found and lemma(found["verb"]) in ACCUSING:
            return state
    return None


def own_voice(flat: Flat) -> list[tuple[int, int]]:
    """Paragraphs a news outlet opens with a note in its own voice ("Note that, …"): what they
    assert is the outlet's claim, not the claim of the source the article reports."""
    text = flat.lined
    spans = []
    for match in re.finditer(r"(?:^|¶)\s?", text):
        if OWN_VOICE.match(text, match.end()):
            end = text.find("¶", match.end())
            spans.append((match.end(), end if end >= 0 else len(text)))
    return spans


def _within(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of ``spans`` (sorted, not overlapping)."""
    index = bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _any_in(positions: list[int], start: int, end: int) -> bool:
    index = bisect_left(positions, start)
    return index < len(positions) and positions[index] < end


def _demonyms(states: list[Mention]) -> dict[str, Mention]:
    """ "Armenian" → Armenia, "Azerbaijani" → Azerbaijan, "Ukrainian" → Ukraine (common forms)."""
    forms: dict[str, Mention] = {}
    for state in states:
        name = state.label.split()[-1] if state.label.startswith("Republic") else state.label
        stem = name[:-1] if name.endswith(("a", "e")) else name
        for suffix in ("n", "i", "ian", "an", "ese"):
            forms[name + suffix] = state
            forms[stem + suffix] = state
    return forms
