"""Ontology plus data against the OWL 2 DL profile, checked by the OWL API (Debian's
libowlapi-java, which ``make system-deps`` installs): every violation is one of the partial
dates that ontology/minekg.ttl keeps on purpose, and nothing else."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

TOOL = Path(__file__).parent / "tools" / "OwlProfile.java"
OWLAPI = Path("/usr/share/java/owlapi-distribution.jar")
PARTIAL_DATES = {
    "http://www.w3.org/2001/XMLSchema#date": "xsd:date",
    "http://www.w3.org/2001/XMLSchema#gYearMonth": "xsd:gYearMonth",
    "http://www.w3.org/2001/XMLSchema#gYear": "xsd:gYear",
}


def profile_violations(files: list[Path]) -> tuple[int, list[str]]:
    java = shutil.which("java")
    assert java and OWLAPI.is_file(), "Java or the OWL API is missing: run `make system-deps`"
    command = [java, "-cp", f"{OWLAPI.parent}/*", str(TOOL), *map(str, files)]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    head, *violations = checked.stdout.splitlines()
    return int(head.removeprefix("axioms ")), violations


@pytest.mark.system
def test_only_the_partial_dates_keep_ontology_and_data_out_of_owl2_dl(
    written: Path, tmp_path: Path
) -> None:
    union = tmp_path / "union.nt"  # the dump minekg.ttl holds the ontology graph too
    triples = ox.parse(path=written / "minekg.ttl", format=ox.RdfFormat.TURTLE)
    ox.serialize(triples, output=union, format=ox.RdfFormat.N_TRIPLES)
    axioms, violations = profile_violations([union])
    assert axioms > 5000
    uses = [
        (t.object.value, PARTIAL_DATES[t.object.datatype.value])
        for t in ox.parse(path=union, format=ox.RdfFormat.N_TRIPLES)
        if isinstance(t.object, ox.Literal) and t.object.datatype.value in PARTIAL_DATES
    ]
    dates = set(uses)
    assert len(uses) > 100 and len(dates) > 50
    undeclared = [v for v in violations if v.startswith("Use of undeclared datatype: xsd:")]
    in_restriction = [v for v in violations if v.startswith("Use of defined datatype in datatype")]
    assert sorted(undeclared + in_restriction) == sorted(violations), "only dates keep it out"
    named = {
        (value, datatype)
        for v in in_restriction
        for value, datatype in re.findall(r'"([^"]*)"\^\^(xsd:\w+)', v.split(" [")[0])
    }
    assert named == dates
    assert {v.split()[4] for v in undeclared} == set(PARTIAL_DATES.values())


@pytest.mark.system
def test_the_ontology_and_the_measures_alone_are_owl2_dl(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1] / "ontology"
    union = tmp_path / "vocabulary.nt"  # one document: the declarations hold for both files
    triples = [
        triple
        for name in ("minekg.ttl", "measures.ttl")
        for triple in ox.parse(path=root / name, format=ox.RdfFormat.TURTLE)
    ]
    ox.serialize(triples, output=union, format=ox.RdfFormat.N_TRIPLES)
    axioms, violations = profile_violations([union])
    assert axioms > 1500 and violations == []
