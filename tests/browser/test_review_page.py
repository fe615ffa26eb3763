"""A draft reviewed in the browser, from ``minekg ingest`` to a record ``minekg build`` accepts.

``minekg review`` runs as a user starts it (its own process, the address it prints); headless
Debian Chromium, driven by Playwright, may reach only that address. The test accepts two items,
rejects one, changes a figure's measure, adds a claim by selecting its sentence, promotes the
proposed person and saves; it decides the rest of the draft as a reviewer must before a record
can be reviewed (the other items accepted, each proposed entity promoted or rejected). Then the
record holds exactly those decisions and the build builds it as reviewed, with no violation.

With ``MINEKG_SCREENSHOTS=DIR`` the screenshot the README shows is written to DIR/review.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from browser.test_graph_page import browser as browser  # noqa: F401  (Chromium, once per module)
from playwright.sync_api import Browser, Page, expect

from conftest import ROOT, SHARED

pytestmark = [pytest.mark.system, pytest.mark.slow]

DEVDOCS = SHARED / "devdocs"
SOURCE = "019_au_2002_rudd_afghanistan_assistance_inadequate.txt"
KEY = "019-au-2002-rudd-afghanistan-assistance-inadequate"
MINEKG = [sys.executable, "-m", "minekg"]
CLAIM = (
    "it is deeply disappointing that the Howard Government has only allocated a mere A$500,000"
    " for mine clearance work"
)
# What a reviewer decides for each entity the draft proposes: promote (with what only a
# reviewer knows) or reject. Tokyo cannot be promoted: Japan is not in the reference data.
PROMOTIONS: dict[str, dict[str, str]] = {
    **{state: {} for state in ("afg", "aus", "gbr", "nld", "pak")},
    "philip-dorling": {},
    "australian-labor-party": {"type": "group", "country": "aus"},
    "united-nations-mine-action-program": {"type": "un_entity"},
    "australian-government": {"type": "national_agency", "country": "aus"},
}
SECTIONS = ("related", "citations", "mentions", "events", "claims", "figures")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the repository's reference data and the draft minekg ingest writes."""
    (tmp_path / "data" / "records").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    ingest = [*MINEKG, "ingest", "--project", str(tmp_path), str(DEVDOCS / SOURCE)]
    subprocess.run(ingest, check=True, capture_output=True, timeout=300)
    return tmp_path


@pytest.fixture
def address(project: Path) -> Iterator[str]:
    """``minekg review KEY`` started as a user starts it; the address is the one it prints."""
    command = [*MINEKG, "review", KEY, "--project", str(project), "--sources", str(DEVDOCS)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/records/" + re.escape(KEY), line)
        assert found, f"no address in {line!r}"
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def select_text(page: Page, text: str) -> None:
    """Select a run of the shown text as a mouse would, across the highlighted segments."""
    page.evaluate(
        """(wanted) => {
          const root = document.getElementById('text');
          const nodes = [];
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) nodes.push(walker.currentNode);
          const whole = nodes.map((n) => n.data).join('');
          const start = whole.indexOf(wanted);
          if (start < 0) throw new Error('not in the text: ' + wanted);
          const place = (offset) => {
            for (const node of nodes) {
              if (offset <= node.data.length) return [node, offset];
              offset -= node.data.length;
            }
          };
          const range = document.createRange();
          range.setStart(...place(start));
          range.setEnd(...place(start + wanted.length));
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          root.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        text,
    )


def item(page: Page, item_id: str):  # noqa: ANN201 (a Playwright locator)
    return page.locator(f'#items li[data-id="{item_id}"]')


def test_a_draft_reviewed_in_the_browser_builds_as_reviewed(
    browser: Browser, address: str, project: Path, tmp_path: Path
) -> None:
    record_path = project / "data" / "records" / f"{KEY}.yaml"
    draft = yaml.safe_load(record_path.read_text(encoding="utf-8"))
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    requests: list[str] = []
    local = address.split("/records/")[0]
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(local + "/")
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]")

    # every drafted item is highlighted in the text and listed
    assert page.locator("#items li").count() == sum(len(draft.get(s) or []) for s in SECTIONS)
    assert page.locator("#text .hl.k-mention").count() >= len(draft["mentions"])
    assert page.locator("#text .hl.k-figure").count() == len(draft["figures"])
    legend = page.locator("#legend span").all_inner_texts()
    assert legend == "mention citation rule event claim figure".split()

    # accept two items with the keyboard, reject one with its button
    item(page, "mentions/0").locator(".line").click()
    page.keyboard.press("a")  # accepts mentions/0 and moves to the next item
    page.keyboard.press("a")
    rejected = draft["mentions"][5]  # "Australia" in "additional Australia aid"
    item(page, "mentions/5").locator("button.reject").click()
    assert item(page, "mentions/0").get_attribute("class").startswith("accepted")
    assert item(page, "mentions/5").get_attribute("class").startswith("rejected")

    # change a figure's measure: "up to 300 civilian casualties a month" is not a yearly total
    casualties = next(i for i, f in enumerate(draft["figures"]) if "300" in f["quote"])
    item(page, f"figures/{casualties}").locator(".line").click()
    measure = item(page, f"figures/{casualties}").locator("select[name=measure]")
    measure.select_option("mine_victims_total")

    # add a claim by selecting its sentence
    select_text(page, CLAIM)
    page.click("#add-buttons button[data-section=claims]")
    claim = item(page, "new/1")
    claim.wait_for()
    claim.locator("input[name=claimant]").fill("kevin-rudd")
    claim.locator("input[name=claimant]").press("Tab")
    claim.locator("input[name=accused]").fill("aus")
    claim.locator("input[name=accused]").press("Tab")
    claim.locator("textarea[name=claim]").fill(
        "The Australian Government's A$500,000 for mine clearance in Afghanistan is inadequate."
    )
    claim.locator("textarea[name=claim]").press("Tab")

    # promote the proposed person (and the other proposals a reviewed record cannot keep)
    def promote(key: str, details: dict[str, str]) -> None:
        entity = page.locator(f'#proposed li[data-key="{key}"]')
        for name, value in details.items():
            field = entity.locator(f"[name={name}]")
            if name == "type":
                field.select_option(value)
            else:
                field.fill(value)
        entity.locator("button.promote").click()
        page.wait_for_selector(f'#proposed li.promoted[data-key="{key}"]')

    promote("kevin-rudd", {})
    for key, details in PROMOTIONS.items():
        promote(key, details)
    page.locator('#proposed li[data-key="tokyo"] button.reject-entity').click()

    # the rest of the draft: accepted, one by one
    undecided = page.locator("#items li.undecided")
    while undecided.count():
        undecided.first.locator("button.accept").click()
    assert page.locator("#progress").inner_text().startswith("every item decided")
    shot = tmp_path / "review.png"
    item(page, "new/1").locator(".line").click()
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("MINEKG_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["MINEKG_SCREENSHOTS"]) / "review.png")

    page.keyboard.press("s")
    expect(page.locator("#status")).to_have_text("reviewed")  # the page reloads after a save
    expect(page.locator("#message")).to_contain_text(f"saved {KEY}.yaml")
    assert not errors, errors
    assert all(url.startswith(local + "/") for url in requests), requests

    # the record holds exactly those decisions
    record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
    assert record["review"] == "reviewed" and "proposed" not in record
    tokyo = [m for m in draft["mentions"] if m["entity"] == "tokyo"]
    assert record["mentions"] == [m for m in draft["mentions"] if m not in [rejected, *tokyo]]
    assert record["figures"] == [
        {**figure, "measure": "mine_victims_total"} if index == casualties else figure
        for index, figure in enumerate(draft["figures"])
    ]
    (added,) = [claim for claim in record["claims"] if claim not in (draft.get("claims") or [])]
    assert len(record["claims"]) == len(draft.get("claims") or []) + 1
    original = (DEVDOCS / SOURCE).read_text(encoding="utf-8")
    assert original[added["at"] : added["at"] + len(added["quote"])] == added["quote"]
    assert " ".join(added["quote"].split()) == CLAIM
    assert {k: v for k, v in added.items() if k not in ("quote", "at")} == {
        "claim": "The Australian Government's A$500,000 for mine clearance in Afghanistan is"
        " inadequate.",
        "claimant": "kevin-rudd",
        "accused": ["aus"],
    }
    unchanged = {"key", "source", "document", "citations", "events", "related"}
    assert {k: record.get(k) for k in unchanged} == {k: draft.get(k) for k in unchanged}
    persons = yaml.safe_load((project / "data" / "reference" / "persons.yaml").read_text())
    assert {"key": "kevin-rudd", "label": "Kevin Rudd"} in persons["persons"]

    # and the build builds it as reviewed, with no violation
    build = [*MINEKG, "build", "--project", str(project), "--sources", str(DEVDOCS)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((project / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["conforms"] and summary["findings"].get("Violation", 0) == 0, summary
    provenance = (project / "out" / "minekg.nq").read_text(encoding="utf-8")
    assert (
        f"<https://w3id.org/minekg/graph/{KEY}> <https://w3id.org/minekg/ontology#reviewStatus>"
        " <https://w3id.org/minekg/ontology#Reviewed>" in provenance
    )
