"""Every view of a built graph agrees with the others: one label per resource on the graph page,
in ``minekg stats`` and on the site; and a build under another base shows, ranks, answers and
plots exactly as the default build, with only the base changed, short forms included."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from minekg import plots, store
from minekg.cli import main
from minekg.pipeline import Paths, build, write
from minekg.vocab import DEFAULT_BASE, shorten

OTHER = "https://example.org/kg/"
ID = DEFAULT_BASE + "id/"


def page_nodes(html: str) -> dict[str, str]:
    import json

    match = re.search(r"const DATA = (\{.*?\});\n", html)
    assert match
    return {n["id"]: n["fullLabel"] for n in json.loads(match.group(1))["nodes"]}


def invoke(*args: object) -> str:
    """The command's output, on a terminal wide enough that no table cell wraps."""
    runner = CliRunner(env={"COLUMNS": "400"})
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def rebased(text: str) -> str:
    return text.replace(DEFAULT_BASE + "id/", OTHER + "id/").replace(
        DEFAULT_BASE + "graph/", OTHER + "graph/"
    )


@pytest.fixture(scope="module")
def other_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("other-base") / "out"
    paths = Paths(ROOT / "data", ROOT / "ontology", out)
    write(build(paths, base=OTHER, reasoner=False), paths)
    return out


@pytest.mark.slow
def test_the_graph_page_stats_and_site_name_every_resource_alike(
    written: Path, tmp_path: Path
) -> None:
    labelled = {
        iri: label
        for iri, label in page_nodes((written / "graph.html").read_text()).items()
        if label != shorten(iri, DEFAULT_BASE)
    }
    assert len(labelled) > 100
    invoke("publish", "--graph", written, "--out", tmp_path / "site", "--project", ROOT)
    for iri, label in labelled.items():
        page = (tmp_path / "site" / f"{iri.removeprefix(DEFAULT_BASE)}.html").read_text()
        title = unescape(re.search(r"<h1>(.*?)</h1>", page, re.S)[1])
        assert title == label, iri
    ranked = invoke("stats", "--graph", written, "--top", "40")
    named = 0
    for iri, label in labelled.items():
        short = f"({shorten(iri, DEFAULT_BASE)})"
        if short in ranked:
            assert f"{label} {short}" in ranked, iri
            named += 1
    assert named >= 20


def test_show_is_the_same_under_another_base(written: Path, other_base: Path) -> None:
    default = (written / "graph.html").read_text(encoding="utf-8")
    assert (other_base / "graph.html").read_text(encoding="utf-8") == rebased(default)
    for base, out in ((DEFAULT_BASE, written), (OTHER, other_base)):
        page = out.parent / f"focus-{out.parent.name}.html"
        invoke("show", "--graph", out, "--focus", "state/arm", "-o", page)
        assert f"{base}id/state/arm" in page.read_text(encoding="utf-8")


def test_stats_and_queries_are_the_same_under_another_base(written: Path, other_base: Path) -> None:
    for args in (
        ["stats", "--ego", "state/arm"],
        ["query", "ihl-rules-invoked", "--param", "doc=A-79-690"],
        ["query", "figure-over-time", "--param", "measure=area_cleared_ha"],
        ["query", "claims-by-party", "--param", "claimant=state/aze", "--format", "csv"],
    ):
        default = invoke(*args, "--graph", written)
        assert invoke(*args, "--graph", other_base) == rebased(default), args
        assert "arm" in default or "," in default


def test_plots_are_the_same_under_another_base(written: Path, other_base: Path) -> None:
    assert plots.files(store.load(other_base)) == plots.files(store.load(written))
