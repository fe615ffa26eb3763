"""minekg publish: the static site a user hosts, checked as a visitor and a crawler would."""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from minekg import publish, store
from minekg.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/minekg/"
CLAIM = "id/claim/A-78-908/3491"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_publish(site: Path, build: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["publish", "--out", str(site), "--graph", str(build), "--ontology", str(ROOT / "ontology")]
        + ["--project", str(ROOT), *options],
    )
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def site(written: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("published") / "site"
    code, output = run_publish(folder, written)
    assert code == 0, output
    return folder


@pytest.fixture(scope="module")
def resources(written: Path) -> list[str]:
    """Every resource the build describes: subjects under the base's id/ and graph/."""
    found = {
        str(q.subject.value).split("#")[0]  # type: ignore[union-attr]
        for q in store.load(written)
        if isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith((BASE + "id/", BASE + "graph/"))
    }
    return sorted(found)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.slow
def test_publish_is_byte_identical_on_rebuild(site: Path, written: Path, tmp_path: Path) -> None:
    """Published again in another process, under another hash seed: not a byte differs."""
    again = tmp_path / "again"
    command = [sys.executable, "-m", "minekg", "publish", "--graph", written, "--out", again]
    env = {**os.environ, "PYTHONHASHSEED": "2"}
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_every_resource_has_a_page_and_a_document_in_each_rdf_format(
    site: Path, resources: list[str]
) -> None:
    missing = [
        f"{iri}.{ext}"
        for iri in resources
        for ext in publish.DOCUMENT_TYPES
        if not (site / f"{iri.removeprefix(BASE)}.{ext}").is_file()
    ]
    assert missing == []
    assert len(resources) > 500


def test_a_resource_document_says_everything_the_dataset_says_about_it(
    site: Path, written: Path
) -> None:
    iri = BASE + CLAIM
    described = Graph().parse(site / f"{CLAIM}.ttl", format="turtle")
    stated = {
        (str(q.subject.value), str(q.predicate.value), str(q.object.value))  # type: ignore[union-attr]
        for q in store.load(written).quads_for_pattern(ox.NamedNode(iri), None, None, None)
    }
    assert stated and stated <= {(str(s), str(p), str(o)) for s, p, o in described}
    exact = set(described.objects(None, URIRef("http://www.w3.org/ns/oa#exact")))
    assert exact, "a claim's document carries its evidence quote"
    for ext, fmt in (("nt", "nt"), ("jsonld", "json-ld")):
        assert isomorphic(Graph().parse(site / f"{CLAIM}.{ext}", format=fmt), described), ext


@pytest.mark.parametrize(
    "path",
    [
        "id/state/aze",
        CLAIM,
        "id/figure/A-78-908/area_cleared_ha-5119",
        "id/evidence/A-78-908/3491-3588",
        "id/document/A-78-908",
        "id/event/15th-hcp-meeting-2023",
        "graph/A-78-908",
    ],
)
def test_json_ld_round_trips_through_pyld(site: Path, path: str) -> None:
    """As JSON-LD 1.0 too: the context uses nothing of 1.1, so 1.0 processors (Jena's) read it."""
    document = json.loads((site / f"{path}.jsonld").read_text(encoding="utf-8"))
    expected = Graph().parse(site / f"{path}.ttl", format="turtle")
    for mode in ("json-ld-1.0", "json-ld-1.1"):
        options = {"format": "application/n-quads", "processingMode": mode}
        through_pyld = Graph().parse(data=jsonld.to_rdf(document, options), format="nt")
        assert len(through_pyld) > 0
        assert isomorphic(through_pyld, expected), mode
    page = (site / f"{path}.html").read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/ld\+json">\n(.*?)\n</script>', page, re.S)
    assert embedded and json.loads(embedded.group(1).replace("<\\/", "</")) == document


def test_pages_need_no_javascript_and_no_network(site: Path) -> None:
    """Every page but the interactive graph (`minekg show`, whose point is its script; it too
    loads nothing from the network, tests/browser checks that)."""
    assert (site / "graph.html").is_file() and (site / "plots.html").is_file()
    problems = []
    for page in [p for p in pages(site) if p != site / "graph.html"]:
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script[^>]*>", html)
        if any(tag != '<script type="application/ld+json">' for tag in scripts):
            problems.append(f"{page}: script")
        if re.search(r'\bsrc="|<link[^>]+href="https?:', html):
            problems.append(f"{page}: loads something")
    assert problems == []


def test_every_relative_link_resolves_inside_the_site(site: Path) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}
    for page in pages(site):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://")):
                continue
            target, _, fragment = href.partition("#")
            path = (page.parent / (target or page.name)).resolve()  # "#id": the page itself
            if not path.is_file() or site.resolve() not in path.parents:
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif fragment and path.suffix == ".html":
                if path not in ids:
                    ids[path] = set(re.findall(r'id="([^"]+)"', path.read_text(encoding="utf-8")))
                if fragment not in ids[path]:
                    broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_a_claim_page_groups_statements_by_source_with_quote_and_link(site: Path) -> None:
    html = (site / f"{CLAIM}.html").read_text(encoding="utf-8")
    assert 'In <a href="../../../graph/A-78-908.html">' in html
    assert "https://undocs.org/en/A/78/908" in html
    assert "Azerbaijan is bearing the brunt of a 30-year long conflict" in html
    assert 'href="../../state/aze.html">Azerbaijan</a>' in html


def test_a_state_page_has_one_section_per_document_that_describes_it(
    site: Path, written: Path
) -> None:
    aze = ox.NamedNode(BASE + "id/state/aze")
    graphs = {q.graph_name for q in store.load(written).quads_for_pattern(aze, None, None, None)}
    html = (site / "id/state/aze.html").read_text(encoding="utf-8")
    assert html.count('<section class="graph">') == len(graphs)
    assert "Links to this resource" in html


def test_void_and_dcat_describe_the_published_dataset(site: Path, written: Path) -> None:
    void = Graph().parse(site / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    distinct = {(q.subject, q.predicate, q.object) for q in store.load(written)}
    assert void.value(dataset, VOID.triples) == Literal(len(distinct))
    assert str(void.value(dataset, VOID.uriSpace)) == BASE + "id/"
    catalog = Graph().parse(site / "catalog.ttl", format="turtle")
    assert (dataset, RDF.type, DCAT.Dataset) in catalog
    for prop in (DCTERMS.title, DCTERMS.license, DCTERMS.publisher):
        assert catalog.value(dataset, prop) is not None, prop
    downloads = {
        str(catalog.value(d, DCAT.downloadURL)): str(catalog.value(d, DCAT.mediaType))
        for d in catalog.objects(dataset, DCAT.distribution)
    }
    assert {url.removeprefix(BASE) for url in downloads} == set(publish.DUMP_MEDIA_TYPES)
    assert all((site / url.removeprefix(BASE)).is_file() for url in downloads)
    issued = sorted(
        str(q.object.value)  # type: ignore[union-attr]
        for q in store.load(written).quads_for_pattern(
            None, ox.NamedNode(str(DCTERMS.issued)), None, None
        )
        if isinstance(q.object, ox.Literal) and q.object.datatype.value == str(XSD.date)
    )
    period = catalog.value(dataset, DCTERMS.temporal)
    assert str(catalog.value(period, DCAT.startDate)) == issued[0]
    assert str(catalog.value(period, DCAT.endDate)) == issued[-1]


def test_ontology_documentation_lists_every_class(site: Path) -> None:
    ontology = Graph().parse(ROOT / "ontology/minekg.ttl", format="turtle")
    classes = {
        str(c).split("#")[1]
        for c in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(c).startswith("https://w3id.org/minekg/ontology#")
    }
    html = (site / "ontology.html").read_text(encoding="utf-8")
    assert classes and all(f'<div id="{name}">' in html for name in classes)


def test_server_configuration_covers_every_format_and_resource(site: Path) -> None:
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    maps = (site / "nginx/minekg-http.conf").read_text(encoding="utf-8")
    locations = (site / "nginx/minekg-server.conf").read_text(encoding="utf-8")
    for ext, media_type in publish.DOCUMENT_TYPES.items():
        assert f"AddType {media_type} .{ext}" in htaccess
        assert f"format={ext}" in htaccess and f"$1.{ext} [R=303" in htaccess
        assert f"{media_type} {ext};" in locations and f"    {ext} {ext};" in maps
        assert re.escape(media_type) in htaccess and re.escape(media_type) in maps
    apache = re.search(r"RewriteRule (\S+) \$1\.html \[R=303,L\]\n$", htaccess)
    location = re.search(r"location ~ (\S+) \{", locations)
    assert apache and location
    written = [p.relative_to(site).with_suffix("").as_posix() for p in pages(site)]
    resource_pages = [
        p for p in written if p.startswith(publish.NEGOTIATED_ROOTS) or p in ("ontology", "dataset")
    ]
    assert {"ontology", "dataset", "measure/area_cleared_ha"} <= set(resource_pages)
    assert all(re.match(apache.group(1), path) for path in resource_pages)
    assert all(re.match(location.group(1), "/" + path) for path in resource_pages)
    others = [p for p in written if p not in resource_pages]
    assert not any(re.match(apache.group(1), path) for path in others)


def start(command: list[str], url: str, name: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"{name} exited: {errors}")
        try:
            httpx.get(f"{url}/void.ttl")
            return process
        except httpx.ConnectError:
            assert time.monotonic() < deadline, f"{name} did not start"
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.communicate(timeout=30)


@pytest.fixture(scope="module")
def nginx(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site behind a real nginx (make system-deps installs it) with the published rules,
    its workers running as this user, who can read the private temporary folders."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).is_file(), "nginx is missing: `make system-deps` installs nginx-light"
    scratch = tmp_path_factory.mktemp("nginx")
    port = free_port()
    temp_paths = "".join(
        f"    {kind}_temp_path {scratch}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (scratch / "nginx.conf").write_text(
        f"""daemon off;
user {getpass.getuser()};
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log;
events {{}}
http {{
    access_log off;
{temp_paths}    include {site}/nginx/minekg-http.conf;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/nginx/minekg-server.conf;
    }}
}}
"""
    )
    url = f"http://127.0.0.1:{port}"
    process = start([binary, "-p", str(scratch), "-c", str(scratch / "nginx.conf")], url, "nginx")
    yield url
    stop(process)


@pytest.fixture(scope="module")
def apache(site: Path) -> Iterator[str]:
    """The site behind a real Apache httpd (make system-deps installs apache2-bin) reading the
    published .htaccess. Apache's workers run as www-data, so the site is copied to a folder
    they can read."""
    binary = Path("/usr/sbin/apache2")
    assert binary.is_file(), "apache2 is missing: `make system-deps` installs apache2-bin"
    scratch = Path(tempfile.mkdtemp(prefix="minekg-apache-"))
    scratch.chmod(0o755)
    shutil.copytree(site, scratch / "site")
    port = free_port()
    modules = "/usr/lib/apache2/modules"
    loads = "".join(
        f"LoadModule {name}_module {modules}/mod_{name}.so\n"
        for name in ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers")
    )
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    (scratch / "httpd.conf").write_text(
        f"""ServerRoot {scratch}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {scratch}/httpd.pid
ErrorLog {scratch}/error.log
{loads}TypesConfig /dev/null
{user}DocumentRoot {scratch}/site
<Directory {scratch}/site>
    AllowOverride All
    Require all granted
</Directory>
"""
    )
    url = f"http://127.0.0.1:{port}"
    command = [str(binary), "-X", "-d", str(scratch), "-f", str(scratch / "httpd.conf")]
    process = start(command, url, "apache2")
    yield url
    stop(process)
    shutil.rmtree(scratch)


@pytest.mark.parametrize(
    ("path", "headers", "document"),
    [
        ("/id/state/aze", {"Accept": "text/turtle"}, "/id/state/aze.ttl"),
        ("/id/state/aze", {"Accept": "application/ld+json"}, "/id/state/aze.jsonld"),
        ("/id/state/aze", {"Accept": "application/n-triples"}, "/id/state/aze.nt"),
        ("/id/state/aze", {"Accept": "text/html,application/xhtml+xml"}, "/id/state/aze.html"),
        ("/id/state/aze", {}, "/id/state/aze.html"),
        ("/id/state/aze?format=nt", {"Accept": "text/html"}, "/id/state/aze.nt"),
        (f"/{CLAIM}", {"Accept": "text/turtle"}, f"/{CLAIM}.ttl"),
        ("/graph/A-78-908", {"Accept": "application/ld+json"}, "/graph/A-78-908.jsonld"),
        ("/graph/A-78-908", {"Accept": "application/trig"}, "/graph/A-78-908.trig"),
        ("/id/state/aze", {"Accept": "application/rdf+xml"}, "/id/state/aze.rdf"),
        ("/id/state/aze", {"Accept": "text/n3"}, "/id/state/aze.n3"),
        ("/id/state/aze", {"Accept": "application/n-quads"}, "/id/state/aze.nq"),
        ("/ontology", {"Accept": "text/turtle"}, "/ontology.ttl"),
        ("/ontology", {"Accept": "application/rdf+xml"}, "/ontology.rdf"),
        ("/ontology", {}, "/ontology.html"),
        ("/measure/area_cleared_ha", {"Accept": "text/turtle"}, "/measure/area_cleared_ha.ttl"),
        ("/dataset", {"Accept": "text/turtle"}, "/dataset.ttl"),
        ("/.well-known/void", {"Accept": "text/turtle"}, "/dataset"),
    ],
)
@pytest.mark.system
@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_web_servers_with_the_published_rules_negotiate_like_minekg_serve(
    request: pytest.FixtureRequest, server: str, path: str, headers: dict[str, str], document: str
) -> None:
    url = request.getfixturevalue(server)
    response = httpx.get(f"{url}{path}", headers=headers)
    assert response.status_code == 303
    assert response.headers["location"].endswith(document)
    if path != "/.well-known/void":  # a plain redirect, the same for every Accept
        assert response.headers["vary"] == "Accept"
    followed = httpx.get(f"{url}{path}", headers=headers, follow_redirects=True)
    extension = str(followed.url).rsplit(".", 1)[1]
    assert followed.status_code == 200
    assert followed.headers["content-type"].startswith(publish.DOCUMENT_TYPES[extension])
    assert str(followed.url).endswith(document if "." in document else "/dataset.ttl")


def test_publish_under_another_base_moves_resources_not_the_vocabulary(
    written: Path, tmp_path: Path
) -> None:
    code, output = run_publish(tmp_path / "site", written, "--base", "http://example.org/kg/")
    assert code == 0, output
    graph = Graph().parse(tmp_path / "site/id/state/aze.ttl", format="turtle")
    subjects = {str(s) for s in graph.subjects()}
    assert "http://example.org/kg/id/state/aze" in subjects
    assert not any(s.startswith(BASE + "id/") for s in subjects)
    assert any(str(p).startswith(BASE + "ontology#") for p in graph.predicates())
    void = Graph().parse(tmp_path / "site/void.ttl", format="turtle")
    assert (None, VOID.uriSpace, Literal("http://example.org/kg/id/")) in void


def test_show_outputs_in_the_build_are_published(written: Path, site: Path) -> None:
    for name in [
        "graph.html",
        "plots.html",
        *(f"plots/{p.name}" for p in (written / "plots").iterdir()),
    ]:
        assert (site / name).read_bytes() == (written / name).read_bytes(), name
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="graph.html"' in index and 'href="plots.html"' in index


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--graph", "{tmp}/nothing/out"], "run `minekg build` first"),
        (["--base", "not an iri"], "must be an absolute http"),
    ],
)
def test_publish_errors_are_one_line(
    written: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    args = [o.format(tmp=tmp_path) for o in options]
    result = CliRunner().invoke(
        main, ["publish", "--out", str(tmp_path / "site"), "--graph", str(written)] + args
    )
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "site").exists()


def test_publish_refuses_to_replace_a_folder_that_is_not_a_site(
    written: Path, tmp_path: Path
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    code, output = run_publish(tmp_path / "site", written)
    assert code == 1 and "not a minekg site" in output
    assert (tmp_path / "site" / "notes.txt").read_text() == "mine"


@pytest.mark.system
@pytest.mark.parametrize(
    ("document", "syntax", "fmt"),
    [
        ("ontology.rdf", "rdfxml", ox.RdfFormat.RDF_XML),
        ("id/state/aze.rdf", "rdfxml", ox.RdfFormat.RDF_XML),
        ("id/state/aze.trig", "trig", ox.RdfFormat.TRIG),
        ("graph/A-79-690.trig", "trig", ox.RdfFormat.TRIG),
        ("dataset.nq", "nquads", ox.RdfFormat.N_QUADS),
    ],
)
def test_raptor_reads_the_published_documents_as_pyoxigraph_does(
    site: Path, document: str, syntax: str, fmt: ox.RdfFormat
) -> None:
    """Raptor (Debian's rapper, from `make system-deps`), a parser minekg does not write with."""
    rapper = shutil.which("rapper")
    assert rapper, "rapper is missing: `make system-deps` installs raptor2-utils"
    command = [rapper, "-q", "-i", syntax, "-o", "nquads", str(site / document), BASE]
    written = subprocess.run(command, capture_output=True, check=True, timeout=120).stdout
    raptor = set(ox.parse(written, format=ox.RdfFormat.N_QUADS))
    assert raptor and raptor == set(ox.parse(path=site / document, format=fmt, base_iri=BASE))
