"""Claims: what the author's side asserts against another party, with the law it invokes.

minekg keeps claims attributed, never as facts. A sentence is a claim when it charges another
party with conduct (refusal, violation, aggression, occupation, planting mines, failure to act
…) or with breaking a rule of law. The claimant is the body the author speaks for; the accused
is the other state named in the sentence ("Armenia", "Armenian armed forces"), or, when the
sentence carries on an accusation without naming anyone ("landmines were placed in civilian
areas"), the party the document accused last, within the same stretch of text. A paragraph a
news outlet opens in its own voice ("Note that, …") is the outlet's claim. Rules and documents
invoked come from the same sentence and from the footnotes its markers point to.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from minekg.extract.citations import Citations
from minekg.extract.entities import Mention
from minekg.extract.text import Flat, lemma

ACCUSATION = re.compile(
    r"\b(?:refus|violat|aggression|occupation|occupied|occupying|planted|laid\b|placed|mined\sby|accus"
    r"|responsib|fail(?:ed|ure|s|ing)?\sto|failure|denial|\bden(?:y|ied|ies)\b|impunity|shelled|assault"
    r"|illegal|unlawful|deliberate|indiscriminate|accountable|booby|revanchist|enmity|sincerity"
    r"|completely\sfalse|contradict|breach|prohibited|obliges|obligation|impede|war\scrime"
    r"|atrocit|ethnic\scleansing|expelled)"
)
STRONG = re.compile(
    r"\b(?:refus|violat|aggression|occupation|planted|placed|booby|prohibited|obligation|failure"
    r"|impede|responsib|illegal|unlawful)"
)
ACCUSER = re.compile(
    r"(?:[’']s\s(?:government|authorities|foreign\sministry|delegation)\s)?\s?(?:also\s)?"
    r"(?P<verb>[a-z]+)\b"
)
ACCUSING = frozenset("accuse blame charge condemn allege denounce".split())  # lemmas
OWN_VOICE = re.compile(
    r"(?:Note\sthat|It\sshould\sbe\snoted|It\sis\sworth\snoting|Notably|Recall\sthat"
    r"|To\srecall)\b"
)  # a news outlet's formulas for a note in its own voice, not the source it reports
LAW_KEYS = {"international-law", "ihl", "customary-ihl", "ihrl"}
CARRY_SENTENCES = 1
URL = re.compile(r"https?://\S+")
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


def find_claims(
    flat: Flat,
    mentions: list[Mention],
    citations: Citations,
    claimant: Mention | None,
    footnotes: list[tuple[int, int]],
    publisher: Mention | None = None,
) -> list[ClaimFound]:
    """Claims of the body the author speaks for; footnote text states no claim of its own."""
    if claimant is None:
        return []
    text = flat.text
    states = [m for m in mentions if m.kind == "state"]
    demonyms = _demonyms(states)
    for phrase in DEMONYM_PHRASE.finditer(text):
        state = demonyms.get(phrase.group(1))
        if state is not None:
            states.append(Mention("state", state.label, phrase.start(), phrase.end(1), state.key))
    states.sort(key=lambda m: m.start)
    state_starts = [m.start for m in states]
    laws_named = [m for m in mentions if m.key in LAW_KEYS]
    law_starts = [m.start for m in laws_named]
    lower = URL.sub(lambda m: " " * len(m.group()), text.lower())
    cues = [m.start() for m in ACCUSATION.finditer(lower)]
    strong = [m.start() for m in STRONG.finditer(lower)]
    claims: list[ClaimFound] = []
    voiced = own_voice(flat) if publisher is not None else []
    last_accused: tuple[int, Mention] | None = None
    for index, (start, end) in enumerate(flat.sentences):
        if any(s <= start < e for s, e in footnotes):
            continue
        inside = states[bisect_left(state_starts, start) : bisect_left(state_starts, end)]
        named = [m for m in inside if m.label != claimant.label]
        cue = bisect_left(cues, start)
        if cue == len(cues) or cues[cue] >= end:
            if named:
                last_accused = (index, named[0])
            continue
        at = cues[cue]
        sentence = text[start:end]
        speaker = _accuser(text, inside)
        if speaker is not None:
            named = [m for m in inside if m.label != speaker.label]
        if named:
            accused = [min(named, key=lambda m: abs(m.start - at))]
        elif (
            last_accused
            and index - last_accused[0] <= CARRY_SENTENCES
            and _any_in(strong, start, end)
        ):
            accused = [last_accused[1]]
        else:
            continue
        last_accused = (index, accused[0])
        by = speaker or claimant
        if publisher is not None and any(s <= start < e for s, e in voiced):
            by = publisher
        unique = {m.label: m for m in accused if m.label != by.label}
        if not unique:
            continue
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
            )
        )
    return claims


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
