"""minekg review's write API, as a script would use it: the token, the paths, the build's checks.

The draft is a real one: ``minekg ingest`` of a media release in ``../shared/devdocs``, in a
scratch project with the repository's reference data. The browser test drives the same server
through the page (tests/browser/test_review_page.py).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from click.testing import CliRunner
from test_serve import free_port, in_a_thread

from conftest import ROOT, SHARED
from minekg import review, yamlio
from minekg.cli import main
from minekg.project import ONTOLOGY, Project

pytestmark = pytest.mark.slow

DEVDOCS = SHARED / "devdocs"
KEY = "019-au-2002-rudd-afghanistan-assistance-inadequate"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose one record is the draft ``minekg ingest`` wrote for the document."""
    folder = tmp_path_factory.mktemp("drafted")
    (folder / "data" / "records").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", folder / "data" / "reference")
    source = next(DEVDOCS.glob("019_*.txt"))
    result = CliRunner().invoke(main, ["ingest", "--project", str(folder), str(source)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def project(drafted: Path, tmp_path: Path) -> Path:
    shutil.copytree(drafted / "data", tmp_path / "data")
    return tmp_path


@pytest.fixture
def reviewer(project: Path) -> review.Reviewer:
    return review.Reviewer.open(Project(project), ONTOLOGY, DEVDOCS)


@pytest.fixture
def server(reviewer: review.Reviewer) -> Iterator[str]:
    config = uvicorn.Config(review.create_app(reviewer), port=free_port(), log_level="warning")
    with in_a_thread(uvicorn.Server(config)) as url:
        yield url


def record_file(project: Path) -> Path:
    return project / "data" / "records" / f"{KEY}.yaml"


def decisions(reviewer: review.Reviewer, decision: str | None = "accepted") -> dict:
    """What the page posts: every item of the draft with a decision, its fields unchanged."""
    view = reviewer.view(KEY)
    items = [
        {"id": i["id"], "section": i["section"], "origin": i["origin"], "fields": i["fields"]}
        for i in view["items"]
    ]
    return {"digest": view["digest"], "items": [{**i, "decision": decision} for i in items]}


def all_files(project: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((project / "data").rglob("*")) if p.is_file()}


def test_a_write_without_the_token_is_refused_and_writes_nothing(
    server: str, reviewer: review.Reviewer, project: Path
) -> None:
    before = all_files(project)
    body = decisions(reviewer)
    url = f"{server}/api/records/{KEY}"
    for headers in ({}, {"X-Review-Token": "guessed"}, {"X-Review-Token": reviewer.token[:-1]}):
        answer = httpx.post(url, json=body, headers=headers)
        assert answer.status_code == 403, answer.text
        assert "token" in answer.json()["error"]
    promotion = {"digest": body["digest"], "promote": {"key": "kevin-rudd"}}
    assert httpx.post(url, json=promotion).status_code == 403
    assert all_files(project) == before
    # the page carries the token, and with it the same write goes through
    page = httpx.get(f"{server}/records/{KEY}")
    assert page.status_code == 200 and reviewer.token in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    answer = httpx.post(url, json=body, headers={"X-Review-Token": reviewer.token})
    assert answer.status_code == 200, answer.text
    assert all_files(project) != before


@pytest.mark.parametrize(
    "key",
    [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "..%2Freference%2Fstates",
        "%2E%2E",
        "A-79-690",  # a key with no record here
    ],
)
def test_a_key_outside_the_records_is_refused(
    server: str, reviewer: review.Reviewer, project: Path, key: str
) -> None:
    before = all_files(project)
    headers = {"X-Review-Token": reviewer.token}
    answer = httpx.post(f"{server}/api/records/{key}", json=decisions(reviewer), headers=headers)
    assert answer.status_code in (400, 404), answer.text
    assert all_files(project) == before
    assert httpx.get(f"{server}/records/{key}").status_code in (400, 404)


def test_a_source_path_leaving_the_sources_folder_is_refused(
    reviewer: review.Reviewer, project: Path
) -> None:
    path = record_file(project)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("file: 019_", "file: ../devdocs/../../../etc/019_"), "utf-8")
    with pytest.raises(review.Refused, match="is not inside"):
        reviewer.view(KEY)


def test_another_host_name_is_refused(server: str) -> None:
    """A page of another site that a DNS trick points at 127.0.0.1 cannot reach the server."""
    answer = httpx.get(f"{server}/records/{KEY}", headers={"Host": "attacker.example"})
    assert answer.status_code == 400


def test_a_save_the_build_would_reject_is_refused_naming_the_item(
    server: str, reviewer: review.Reviewer, project: Path
) -> None:
    before = all_files(project)
    body = decisions(reviewer)
    headers = {"X-Review-Token": reviewer.token}
    url = f"{server}/api/records/{KEY}"
    cases = [
        ("mentions/3", {"entity": "no-such-entity"}, "unknown entity key 'no-such-entity'"),
        ("figures/0", {"value": "-3"}, "cannot be negative"),
        ("mentions/1", {"at": 116}, "not the source's text at 116"),
        ("mentions/2", {"quote": "Kevin Rudd"}, "not the source's text at 367"),
    ]
    for item_id, change, problem in cases:
        edited = [
            {**i, "fields": {**i["fields"], **change}} if i["id"] == item_id else i
            for i in body["items"]
        ]
        answer = httpx.post(url, json={**body, "items": edited}, headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "not saved: the build would reject this record"
        (found,) = answer.json()["problems"]
        assert found["item"] == item_id and problem in found["message"], found
        assert all_files(project) == before


def test_a_new_item_at_a_taken_offset_is_refused_by_the_shapes(
    server: str, reviewer: review.Reviewer, project: Path
) -> None:
    """Two figures at one offset would be one node: the loader refuses it, naming the new one."""
    before = all_files(project)
    body = decisions(reviewer, None)
    figure = next(i for i in body["items"] if i["section"] == "figures")
    copy = {**figure, "id": "new/1", "origin": None, "decision": "accepted"}
    body["items"].append(copy)
    answer = httpx.post(
        f"{server}/api/records/{KEY}", json=body, headers={"X-Review-Token": reviewer.token}
    )
    assert answer.status_code == 422, answer.text
    assert any(p["item"] in ("new/1", figure["id"]) for p in answer.json()["problems"])
    assert all_files(project) == before


def test_a_partial_save_keeps_comments_marks_accepted_and_drops_rejected(
    reviewer: review.Reviewer, project: Path
) -> None:
    path = record_file(project)
    text = path.read_text(encoding="utf-8")
    text = text.replace("mentions:\n", "# checked against the printed release\nmentions:\n", 1)
    text = text.replace("  at: 115\n", "  at: 115  # the party, not the government\n", 1)
    path.write_text(text, encoding="utf-8")
    body = decisions(reviewer, None)
    by_id = {i["id"]: i for i in body["items"]}
    by_id["mentions/0"]["decision"] = "accepted"
    by_id["mentions/1"]["decision"] = "accepted"
    by_id["mentions/5"]["decision"] = "rejected"
    saved = reviewer.save(KEY, body)
    assert saved["review"] == "draft" and "still to decide" in saved["message"]
    after = path.read_text(encoding="utf-8")
    assert "# checked against the printed release\nmentions:\n" in after
    assert "at: 115  # the party, not the government" in after
    before, record = yaml.safe_load(text), yaml.safe_load(after)
    assert record["mentions"][0] == {**before["mentions"][0], "review": "accepted"}
    assert record["mentions"][1] == {**before["mentions"][1], "review": "accepted"}
    assert record["mentions"][2:] == before["mentions"][2:5] + before["mentions"][6:]
    assert {k: v for k, v in record.items() if k != "mentions"} == {
        k: v for k, v in before.items() if k != "mentions"
    }
    # the saved draft is one the build reads: the marks are part of the record model
    again = reviewer.view(KEY)
    assert [i["decision"] for i in again["items"][:3]] == ["accepted", "accepted", None]


def test_a_page_loaded_before_a_change_cannot_overwrite_it(
    reviewer: review.Reviewer, project: Path
) -> None:
    body = decisions(reviewer)
    path = record_file(project)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(review.Refused, match="changed since the page was loaded"):
        reviewer.save(KEY, body)


def test_a_selection_gives_the_source_quote_and_offset(reviewer: review.Reviewer) -> None:
    """Offsets come from the reader's offset map: the quote is the file's text, double spaces
    and line ends included, at the offset the records use."""
    view = reviewer.view(KEY)
    clean = view["text"]
    sentence = "Mine clearance is an urgent priority."
    start = clean.index(sentence)
    got = reviewer.quote(KEY, start, start + len(sentence) + 1)  # and the space after it
    original = next(DEVDOCS.glob("019_*.txt")).read_text(encoding="utf-8")
    assert got["quote"] == original[got["at"] : got["at"] + len(got["quote"])]
    assert got["quote"] == "Mine clearance is an  urgent priority."  # as the file prints it
    assert got["text"] == sentence
    for item in view["items"]:
        span = reviewer.quote(KEY, *item["span"])
        assert (span["quote"], span["at"]) == (item["fields"]["quote"], item["fields"]["at"])


def test_review_refuses_an_unknown_key_at_once(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["review", "no-such-draft", "--project", str(project), "--sources", str(DEVDOCS)]
    )
    assert result.exit_code == 1
    assert "no record no-such-draft" in result.output


def test_the_document_fields_are_edited_and_checked(
    reviewer: review.Reviewer, project: Path
) -> None:
    view = reviewer.view(KEY)
    body = {**decisions(reviewer, None), "document": {**view["document"], "date": "2002-13-22"}}
    before = all_files(project)
    with pytest.raises(review.Refused) as refused:
        reviewer.save(KEY, body)
    (problem,) = refused.value.problems
    assert problem["item"] == "document"
    assert "'2002-13-22' is not a valid date" in problem["message"]
    assert all_files(project) == before
    title = "Afghanistan: mine clearance assistance inadequate"
    reviewer.save(KEY, {**body, "document": {**view["document"], "title": title}})
    text = record_file(project).read_text(encoding="utf-8")
    assert f"  title: '{title}'\n  date: '2002-01-22'\n  author: kevin-rudd\n" in text


def test_a_promotion_keeps_the_draft_comments_and_renames_its_references(
    server: str, reviewer: review.Reviewer, project: Path
) -> None:
    path = record_file(project)
    text = path.read_text(encoding="utf-8").replace("mentions:\n", "# checked\nmentions:\n", 1)
    path.write_text(text, encoding="utf-8")
    url, headers = f"{server}/api/records/{KEY}", {"X-Review-Token": reviewer.token}
    digest = reviewer.view(KEY)["digest"]
    asked = {"key": "kevin-rudd", "as": "rudd", "nationality": ""}
    answer = httpx.post(url, json={"digest": digest, "promote": asked}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["key"] == "rudd" and answer.json()["label"] == "Kevin Rudd"
    after = path.read_text(encoding="utf-8")
    assert "# checked\nmentions:\n" in after
    record = yaml.safe_load(after)
    assert record["document"]["author"] == "rudd"
    assert {m["at"] for m in record["mentions"] if m["entity"] == "rudd"} == {367, 535, 1007, 3348}
    assert "kevin-rudd" not in {e["key"] for e in record["proposed"]}
    persons = yaml.safe_load((project / "data" / "reference" / "persons.yaml").read_text())
    assert {"key": "rudd", "label": "Kevin Rudd"} in persons["persons"]
    # a promotion the reference data would refuse writes nothing
    before = all_files(project)
    asked = {"key": "tokyo", "type": "city", "within": "nowhere"}
    digest = answer.json()["digest"]
    answer = httpx.post(url, json={"digest": digest, "promote": asked}, headers=headers)
    assert answer.status_code == 422 and "nowhere" in answer.json()["error"], answer.text
    assert all_files(project) == before


def test_an_added_item_is_written_in_the_order_ingest_writes(
    reviewer: review.Reviewer, project: Path
) -> None:
    """The page sends a new item's fields in the order they were filled in; the record keeps
    the model's order, quote and offset last, as every other item."""
    body = decisions(reviewer, None)
    start = reviewer.view(KEY)["text"].index("Mine clearance is an urgent priority.")
    quoted = reviewer.quote(KEY, start, start + 37)
    fields = {"claim": "Mine clearance is urgent.", "quote": quoted["quote"], "at": quoted["at"]}
    fields |= {"accused": ["aus"], "claimant": "kevin-rudd"}
    claim = {"id": "new/1", "section": "claims", "origin": None, "decision": None}
    body["items"].append({**claim, "fields": fields})
    reviewer.save(KEY, body)
    text = record_file(project).read_text(encoding="utf-8")
    assert (
        "\n- claimant: kevin-rudd\n  accused:\n  - aus\n  claim: Mine clearance is urgent.\n"
        f"  quote: Mine clearance is an  urgent priority.\n  at: {quoted['at']}\n"
        "  review: accepted\n"
    ) in text


def test_a_record_the_build_would_reject_as_reviewed_is_not_saved(
    reviewer: review.Reviewer, project: Path
) -> None:
    """Once every item is decided the record is saved as reviewed, and then a reviewer-only gap
    (here: the document's author, cleared with the entities the reviewer rejected) is a
    violation: refused, next to the document's fields."""
    view = reviewer.view(KEY)
    body = decisions(reviewer, "rejected")
    body["rejected_entities"] = [entity["key"] for entity in view["proposed"]]
    body["document"] = {
        k: v for k, v in view["document"].items() if k not in ("author", "author_org")
    }
    before = all_files(project)
    with pytest.raises(review.Refused) as refused:
        reviewer.save(KEY, body)
    assert refused.value.problems, refused.value.message
    assert {p["item"] for p in refused.value.problems} == {"document"}
    assert any("author" in p["message"] for p in refused.value.problems), refused.value.problems
    assert all_files(project) == before


def test_hostile_text_in_a_draft_stays_text_on_the_page(server: str, project: Path) -> None:
    """A title copied from an HTML source cannot end the page's data script or add markup."""
    hostile = '</script><!--<script>"><img src=x onerror=alert(1)>\u2028end'
    path = record_file(project)
    text = path.read_text(encoding="utf-8")
    title = "title: Afghanistan mine clearance assistance inadequate"
    path.write_text(text.replace(title, f"title: {json.dumps(hostile)}"), encoding="utf-8")
    page = httpx.get(f"{server}/records/{KEY}").text
    assert "<img" not in page and "<!--" not in page and page.count("</script>") == 2
    data = re.search(r'<script id="review-data" type="application/json">(.*?)</script>', page, re.S)
    assert data and json.loads(data[1])["title"] == hostile


def test_review_says_so_when_the_port_is_taken(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(main, ["review", "--project", str(project), "--port", port])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_a_long_quote_with_double_spaces_survives_the_round_trip() -> None:
    """Quotes keep the source's spacing; a folded line would lose a space and its offset."""
    import io

    quote = "While  yesterday's  announcement  " * 8
    editor = yamlio.round_trip()
    text = io.StringIO()
    editor.dump({"quote": quote}, text)
    assert editor.load(text.getvalue())["quote"] == quote
