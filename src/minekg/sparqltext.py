"""What the text of a SPARQL query allows before any parser reads it: SERVICE, and nesting depth.

Why not ask a parser. The engine that runs minekg's queries (Oxigraph) has no Python API that
parses without executing, and any other parser disagrees with it somewhere: rdflib ends a ``#``
comment only at LF, Oxigraph at CR too, and so a CR hid ``SERVICE`` from a check made with
rdflib while Oxigraph ran it (issue 15). So this module reads the text the way *any* SPARQL
parser might, and where two readings are possible it takes both. It errs on one side only: it
may see a SERVICE clause where a parser would see none, never the reverse.

- Codepoint escapes (``\\u0053``) are read both undone (as the SPARQL spec says) and as written
  (as Oxigraph does outside strings and IRIs).
- A ``#`` comment ends at any character some engine might take for a line break.
- ``<`` can open an IRI or be the less-than operator, depending on where the parser stands; both
  readings are followed (an IRI reads as code when ``<`` is an operator).
- A word counts when it holds "service" in any case, also glued to other letters (Oxigraph reads
  ``trueSERVICE`` as ``true SERVICE``) or as the prefix of a prefixed name (``SERVICE:x`` is a
  SERVICE clause of ``:x``), and what follows could be the service's address or ``SILENT``.
- Strings, IRIs, variables, blank nodes and local names are skipped only where the SPARQL
  grammar closes them; anything this reader does not recognise is read as code.

Nesting depth is measured because Oxigraph recurses on nested groups: 5,000 nested ``{`` crash
the process that parses them (a stack overflow), so deeper queries are refused before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Deeper than any query a person writes (the named queries nest 4); 1,000 still parse safely.
MAX_DEPTH = 256

_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# Ends at every line break any engine might know, so it never hides more than a parser would.
_COMMENT = re.compile(r"#[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_ECHAR = r"\\[tbnrf\\\"']"
_STRINGS = [
    re.compile(rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''"),
    re.compile(rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""'),
    re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR})*'"),
    re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR})*"'),
]
_VARIABLE = re.compile(r"[?$]\w+")
_BLANK = re.compile(r"_:\w(?:[\w.\-]*[\w\-])?")
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIXED = re.compile(
    rf"(?P<prefix>[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:(?:[\w:]|{_PLX})(?:(?:[\w.:\-]|{_PLX})*(?:[\w:\-]|{_PLX}))?)?"
)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"\w+")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPENING, _CLOSING = "{([", "})]"


def has_service(text: str) -> bool:
    """True if some SPARQL parser could read a SERVICE clause in ``text``."""
    return any(_service_in(variant) for variant in _variants(text))


def has_dataset_clause(text: str) -> bool:
    """True if the query names its own dataset (``FROM`` or ``FROM NAMED``).

    The union of the named graphs is minekg's default graph only for a query that names none:
    a query's ``FROM <graph>`` must be honoured (SPARQL 1.1 §13.2), and FROM is a keyword
    nowhere else in the grammar. Read like ``nesting_depth``: code only, ``<`` taken as an IRI.
    """
    position = 0
    while position < len(text):
        following, kind = _steps(text, position)[-1]
        if kind == "word" and text[position:following].casefold() == "from":
            return True
        position = following
    return False


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` in the query's code (not in strings, IRIs, comments)."""
    deepest = 0
    for variant in _variants(text):
        depth, position = 0, 0
        while position < len(variant):
            steps = _steps(variant, position)
            # The last reading is the IRI where "<" is ambiguous: the one a query usually means.
            position = steps[-1][0]
            if steps[-1][1] == "bracket":
                depth += 1 if variant[position - 1] in _OPENING else -1
                deepest = max(deepest, depth)
    return deepest


def _variants(text: str) -> Iterator[str]:
    yield text
    undone = _CODEPOINT.sub(_codepoint, text)
    if undone != text:
        yield undone


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF else match.group(0)


def _service_in(text: str) -> bool:
    if "service" not in text.casefold() and "SERVICE" not in text.upper():
        return False
    todo, seen = [0], set()
    while todo:
        position = todo.pop()
        if position in seen or position >= len(text):
            continue
        seen.add(position)
        for following, kind in _steps(text, position):
            if kind == "word" and _service_word(text, position, following):
                return True
            if kind == "prefixed":
                match = _PREFIXED.match(text, position)
                assert match is not None
                if match.group("prefix") and _service_word(text, position, match.end("prefix")):
                    return True
            todo.append(following)
    return False


def _steps(text: str, position: int) -> list[tuple[int, str]]:
    """Where the next token ends, with its kind; two readings where ``<`` is ambiguous."""
    char = text[position]
    for pattern, kind in ((_SPACE, "space"), (_COMMENT, "comment")):
        if match := pattern.match(text, position):
            return [(match.end(), kind)]
    if char == "<":
        iri = _IRI.match(text, position)
        return [(position + 1, "operator")] + ([(iri.end(), "iri")] if iri else [])
    if char in "'\"":
        for pattern in _STRINGS:
            if match := pattern.match(text, position):
                return [(match.end(), "string")]
    for pattern, kind in (
        (_VARIABLE, "variable"),
        (_BLANK, "blank"),
        (_PREFIXED, "prefixed"),
        (_NUMBER, "number"),
        (_WORD, "word"),
    ):
        if match := pattern.match(text, position):
            return [(match.end(), kind)]
    if char == "\\":  # an escape glued to nothing: never the start of a comment or a string
        return [(position + 2, "operator")]
    return [(position + 1, "bracket" if char in _OPENING + _CLOSING else "operator")]


def _service_word(text: str, start: int, end: int) -> bool:
    """Whether the word text[start:end] could be, or hold, the SERVICE keyword of a clause."""
    word = text[start:end]
    folded = word.casefold()
    at = folded.find("service")
    if at < 0:
        return "SERVICE" in word.upper()  # letters whose capitals spell it (dotless i, long s)
    rest = folded[at + len("service") :]
    if rest:
        return rest.startswith("silent") or text[end : end + 1] == ":"
    following = end
    while following < len(text):
        match = _SPACE.match(text, following) or _COMMENT.match(text, following)
        if match is None:
            break
        following = match.end()
    # A service's address is an IRI, a prefixed name or a variable; or SILENT comes first.
    after = text[following : following + 1]
    return after != "" and (after in "<?$:\\" or after.isalnum() or after == "_")
