"""Network views: built from a store with data/samples ingested, checked in headless Chromium
(through the DevTools protocol): no console errors, the expected nodes, search, time slider,
a non-blank picture, nothing fetched from the network, and hostile names shown as text."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import views
from kg.cli import VIEW_KINDS, cli
from kg.errors import UsageError
from kg.model import Document, Event, Evidence, Facts, Holding, Person
from kg.pipeline import ingest
from kg.rdf import facts_to_quads
from kg.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
needs_browser = pytest.mark.skipif(
    not HAVE_CHROMIUM, reason="chromium is not installed (apt-get install chromium; .ci/run does)")

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.__pwned=1</script>"
ORG = '<b onmouseover="window.__pwned=2">Sở "Y tế" & Co</b>'


# -- stores -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("views") / "store"
    with Store.open(path) as store:
        report = ingest([str(SAMPLES)], store=store)
        assert report.usable
    store = Store.open(path, read_only=True)
    yield store
    store.close()


def hostile_facts() -> Facts:
    text = f"Ngày 3/4/2024, đồng chí {IMG}, Giám đốc {ORG}, và đồng chí {SCRIPT} dự hội nghị."
    doc = Document(doc_id="evil<1>.txt", text=text, content_hash=hashlib.sha256(text.encode()).hexdigest())

    def ev(quote: str) -> Evidence:
        start = text.index(quote)
        return Evidence(start, start + len(quote), quote)

    return Facts(
        doc=doc, text=text, province="Hà Giang", date="2024-04-03",
        persons=(Person(IMG, ev(IMG), province="Hà Giang"), Person(SCRIPT, ev(SCRIPT))),
        holdings=(Holding(IMG, f"Giám đốc {ORG}", "Giám đốc", ORG, "current", ev(f"{IMG}, Giám đốc {ORG}"),
                          province="Hà Giang", date="2024-04-03"),),
        events=(Event("conference", ev("dự hội nghị"), date="2024-04-03", organizer=ORG,
                      participants=(IMG, SCRIPT), label=f"hội nghị {SCRIPT}"),),
    )


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "store"
    with Store.open(path) as store:
        store.put_document(*facts_to_quads(hostile_facts()))
    store = Store.open(path, read_only=True)
    yield store
    store.close()


# -- a small DevTools-protocol driver -----------------------------------------------------


class Browser:
    """Headless Chromium driven over the DevTools protocol (one page at a time)."""

    def __init__(self):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="kg-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-port=0",
             "--window-size=1200,800", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=30,
                                              suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def _event(self, event: dict) -> None:
        if "method" not in event:
            return
        self.events.append(event)
        if event["method"] == "Page.javascriptDialogOpening":  # record it, then dismiss it
            self.ws.send(json.dumps({"id": 10**9 + len(self.events), "sessionId": self.session,
                                     "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}))

    def open(self, path: Path, *, offline: bool = True) -> None:
        """Open ``path`` in a fresh page and wait for its load event."""
        if self.session:
            self.send("Target.closeTarget", {"targetId": self.target}, session=False)
        self.events = []
        self.target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": self.target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1200, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        if offline:
            self.send("Network.emulateNetworkConditions",
                      {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        self.url = path.resolve().as_uri()
        self.send("Page.navigate", {"url": self.url})
        self.wait_for("Page.loadEventFired")

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            self._event(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and dialogs seen since the page opened."""
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')} "
                           f"{p['exceptionDetails'].get('exception', {}).get('description', '')}")
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(f"console.{p['type']}: {[a.get('value') for a in p.get('args', [])]}")
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif e["method"] == "Page.javascriptDialogOpening":
                out.append(f"dialog: {p.get('type')} {p.get('message')}")
        return out

    def requests(self) -> list[str]:
        """URLs the page asked for, other than the page itself and data: URLs."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"
                and not e["params"]["request"]["url"].startswith("data:")
                and e["params"]["request"]["url"] != self.url]

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            try:
                ws.close()
            except OSError:
                pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    if not HAVE_CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    pytest.importorskip("websocket", reason="websocket-client is a dev dependency: pip install -e '.[dev]'")
    b = Browser()
    yield b
    b.close()


def wait_ready(browser: Browser) -> None:
    deadline = time.monotonic() + 20
    while not browser.eval("!!window.kgView"):
        assert time.monotonic() < deadline, browser.errors()
        time.sleep(0.05)


def non_background_pixels(png: bytes) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    graph = img.crop((0, 80, img.width - 330, img.height))  # the canvas, not the bars or panel
    return sum(graph.histogram()[:235])


# -- expected counts, by independent queries ---------------------------------------------


def expected_nodes(store: Store, kind: str) -> int | None:
    if kind == "person-org":
        q = ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?h a kg:Holding ; kg:organization ?o ; kg:person ?p . "
             "VALUES ?side { 1 2 } BIND (IF(?side = 1, ?p, ?o) AS ?x) }")
    elif kind == "person-event":
        q = ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?e a kg:Event ; kg:participant|kg:chair ?p . "
             "VALUES ?side { 1 2 } BIND (IF(?side = 1, ?p, ?e) AS ?x) }")
    elif kind == "coattendance":
        q = ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?e kg:participant|kg:chair ?x , ?y . FILTER(?x != ?y) }")
    else:
        return None
    return store.query(q).rows[0][0]


def ego_person(store: Store) -> str:
    """A person who both holds a post and took part in an event (IRI)."""
    rows = store.query("SELECT DISTINCT ?p WHERE { ?h kg:person ?p ; kg:organization ?o . ?e kg:participant ?p } "
                       "ORDER BY ?p LIMIT 1").rows
    assert rows, "the samples have someone with a post who took part in an event"
    return rows[0][0]


# -- tests without a browser --------------------------------------------------------------


def test_cli_lists_the_library_kinds():
    assert VIEW_KINDS == views.KINDS


def test_each_kind_builds_from_the_samples(sample_store):
    for kind in views.KINDS:
        person = ego_person(sample_store) if kind == "ego" else None
        view = views.build(sample_store, kind, person=person)
        assert view.nodes and view.edges, kind
        ids = {n["id"] for n in view.nodes}
        assert all(e["from"] in ids and e["to"] in ids for e in view.edges)
        assert set(view.info) == ids | {e["id"] for e in view.edges}
        want = expected_nodes(sample_store, kind)
        if want is not None:
            assert len(view.nodes) == want, kind
    tree = views.build(sample_store, "org-tree")
    provinces = {n["id"] for n in tree.nodes if n["shape"] == views.NODE_STYLES["province"][2]}
    assert provinces and all(e["arrows"] == "to" for e in tree.edges)
    assert not any(e["to"] in provinces for e in tree.edges)  # provinces are roots


def test_panel_data_carries_the_source_quotes(sample_store):
    view = views.build(sample_store, "person-org")
    holds = [view.info[e["id"]] for e in view.edges]
    assert all(i["evidence"] for i in holds)
    files = {ev[1] for i in holds for ev in i["evidence"]}
    assert files <= {p.name for p in SAMPLES.iterdir()} and len(files) > 3
    from kg.ingest import read_file
    from kg.normalize import normalize

    texts = {f: normalize(read_file(SAMPLES / f)).text for f in files}
    for info in holds:
        for quote, file, _, doc in info["evidence"]:
            assert quote in texts[file] and doc.startswith("https://w3id.org/kg-vn/doc/")
        assert any(k == "posts" for k, _ in info["details"])


def test_filters(sample_store):
    full = views.build(sample_store, "person-event")
    congress = views.build(sample_store, "person-event", event_kind="congress")
    assert 0 < len(congress.nodes) < len(full.nodes)
    assert {views.build(sample_store, "person-event", since="2025-01-01").dates[0]} >= {"2025-01-10"}
    late = views.build(sample_store, "person-event", since="2025-01-01")
    assert all(d >= "2025-01-01" for d in late.dates)
    hatinh = views.build(sample_store, "person-org", province="ha tinh")  # accents optional
    assert 0 < len(hatinh.nodes) < len(views.build(sample_store, "person-org").nodes)
    labels = {views._fold(n["label"]) for n in hatinh.nodes}
    assert any("ha tinh" in label for label in labels)
    nothing = views.build(sample_store, "person-org", province="Atlantis")
    assert not nothing.nodes and "Nothing matches" in nothing.notes[0]


def test_ego_depth_grows(sample_store):
    who = ego_person(sample_store)
    one = views.build(sample_store, "ego", person=who, depth=1)
    two = views.build(sample_store, "ego", person=who, depth=2)
    assert len(one.nodes) < len(two.nodes)
    centre = [n for n in one.nodes if n["id"] == who][0]
    assert centre.get("borderWidth") == 4


def test_bad_arguments(sample_store):
    with pytest.raises(UsageError, match="unknown view"):
        views.build(sample_store, "hairball")
    with pytest.raises(UsageError, match="needs a person"):
        views.build(sample_store, "ego")
    with pytest.raises(UsageError, match="no person"):
        views.build(sample_store, "ego", person="Không Có Ai")
    with pytest.raises(UsageError, match="persons match"):
        views.build(sample_store, "ego", person="Nguyễn")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        views.build(sample_store, "person-org", since="3/4/2024")
    with pytest.raises(UsageError, match="event kind"):
        views.build(sample_store, "person-event", event_kind="party")
    with pytest.raises(UsageError, match="size measure"):
        views.build(sample_store, "person-org", size_by="pagerank")


def test_max_nodes_keeps_the_most_connected_and_says_so(sample_store):
    full = views.build(sample_store, "coattendance")
    small = views.build(sample_store, "coattendance", max_nodes=5)
    assert len(small.nodes) == 5 and small.total_nodes == len(full.nodes)
    assert "Showing the 5 nodes with the highest degree" in small.notes[0]
    degree = {n["id"]: n["size"] for n in full.nodes}
    kept = sorted(degree[n["id"]] for n in small.nodes)
    dropped = sorted(degree[i] for i in degree if i not in {n["id"] for n in small.nodes})
    assert kept[0] >= dropped[-1]
    assert "Showing the 5 nodes" in small.html()


def test_betweenness_sizes(sample_store):
    view = views.build(sample_store, "person-event", size_by="betweenness")
    score = {n["id"]: float(dict(view.info[n["id"]]["details"])["betweenness"]) for n in view.nodes}
    size = {n["id"]: n["size"] for n in view.nodes}
    assert all((size[i] == 10) == (score[i] == 0) for i in score)
    assert max(score, key=score.get) in {i for i in size if size[i] == 40}
    degree = {}
    for e in view.edges:
        degree[e["from"]] = degree.get(e["from"], 0) + 1
        degree[e["to"]] = degree.get(e["to"], 0) + 1
    events = [score[n["id"]] for n in view.nodes if n["shape"] == "diamond" and degree.get(n["id"], 0) >= 2]
    assert events and min(events) > 0  # an event sits between its (two or more) participants
    assert any(k == "betweenness" for i in view.info.values() for k, _ in i["details"])


def test_page_is_offline_and_self_contained(sample_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = views.render(sample_store, "person-org")
    assert not any(tmp_path.iterdir()), "rendering wrote files (pyvis's lib/?) into the working folder"

    class Refs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.refs, self.scripts = [], 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            self.scripts += tag == "script"
            for key in ("src", "href", "data", "poster"):
                if a.get(key):
                    self.refs.append((tag, a[key]))

    parser = Refs()
    parser.feed(page)
    assert parser.refs == [] and parser.scripts == 3
    import re

    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", page) + re.findall(r"@import\s+['\"]([^'\"]+)", page)
    assert urls and all(u.startswith("data:") for u in urls)
    assert "default-src 'none'" in page  # and the page forbids fetching anything


def test_jupyter_display_is_an_iframe_with_escaped_srcdoc(hostile_store):
    page = views.render(hostile_store, "person-org")
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "sandbox=\"allow-scripts\"" in shown
    assert "<img" not in shown and "<script" not in shown.split("srcdoc", 1)[0]
    assert IMG not in page and SCRIPT not in page and ORG not in page
    assert views.build(hostile_store, "person-org")._repr_html_().startswith("<iframe")


def test_graph_input_and_written_file(tmp_path):
    g = nx.Graph()
    g.add_node("p", type="person", label="Lò Văn A", start="2024-01-01")
    g.add_node("o", type="organization", label="Sở Y tế")
    g.add_edge("p", "o", relation="holds", start="2024-01-01",
               evidence=[{"quote": "Lò Văn A, Giám đốc Sở Y tế", "file": "a.txt"}])
    out = views.render(g, "person-org", out=tmp_path / "v.html")
    assert out == tmp_path / "v.html" and "Lò Văn A, Giám đốc Sở Y tế" in out.read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="filter the graph"):
        views.render(g, "person-org", province="Lào Cai")


def test_cli_view(sample_store, tmp_path):
    out = tmp_path / "ego.html"
    who = ego_person(sample_store)
    r = CliRunner().invoke(cli, ["--store", str(sample_store.path), "view", "ego", "--person", who,
                                 "--depth", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"wrote {out} (") and out.stat().st_size > 100_000
    r = CliRunner().invoke(cli, ["--store", str(sample_store.path), "view", "ego"])
    assert r.exit_code == 2 and "needs a person" in r.output
    r = CliRunner().invoke(cli, ["--store", str(sample_store.path), "view", "coattendance",
                                 "--max-nodes", "3", "--out", str(tmp_path / "c.html")])
    assert r.exit_code == 0 and "Showing the 3 nodes" in r.stderr


# -- in the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(sample_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for kind in views.KINDS:
        person = ego_person(sample_store) if kind == "ego" else None
        out[kind] = (views.render(sample_store, kind, out=folder / f"{kind}.html", person=person, depth=2),
                     views.build(sample_store, kind, person=person, depth=2))
    return out


@needs_browser
@pytest.mark.parametrize("kind", views.KINDS)
def test_view_in_chromium(browser, pages, sample_store, kind):
    path, view = pages[kind]
    browser.open(path)
    wait_ready(browser)
    assert browser.errors() == []
    n = len(view.nodes)
    assert browser.eval("kgView.nodes.length") == n
    want = expected_nodes(sample_store, kind)
    if want is not None:
        assert n == want
    assert browser.eval("document.getElementById('kg-count').getAttribute('data-visible')") == str(n)
    # the legend names each type drawn
    legend = browser.eval("document.getElementById('kg-legend').textContent")
    assert "Person" in legend or kind == "org-tree"
    # search: type part of a name without accents -> a match, selected, shown in the panel
    target = next(x for x in view.nodes if len(x["label"]) > 4)
    query = views._fold(target["label"])[:5]
    browser.eval(f"var s = document.getElementById('kg-search'); s.value = {json.dumps(query)};"
                 "s.dispatchEvent(new Event('input'))")
    assert int(browser.eval("document.getElementById('kg-search-result').getAttribute('data-matches')")) >= 1
    selected = browser.eval("kgView.network.getSelectedNodes()")
    assert len(selected) == 1
    panel = browser.eval("document.getElementById('kg-panel').textContent")
    assert view.info[selected[0]]["label"] in panel
    # clicking an edge's details: the panel shows its source quote
    if view.edges and any(view.info[e["id"]]["evidence"] for e in view.edges):
        edge = next(e["id"] for e in view.edges if view.info[e["id"]]["evidence"])
        browser.eval(f"kgView.show({json.dumps(edge)})")
        assert view.info[edge]["evidence"][0][0] in browser.eval("document.getElementById('kg-panel').textContent")
    # time slider: the earliest date shows fewer nodes than "all dates"
    if view.dates:
        browser.eval("var r = document.getElementById('kg-slider'); r.value = '0';"
                     "r.dispatchEvent(new Event('input'))")
        early = int(browser.eval("document.getElementById('kg-count').getAttribute('data-visible')"))
        t = view.dates[0]
        valid = [x for x in view.nodes if view.info[x["id"]].get("start", t) <= t < view.info[x["id"]].get("end", "9")]
        assert early == len(valid) and (early < n or kind == "ego")
        assert browser.eval("document.getElementById('kg-date').textContent") == view.dates[0]
        browser.eval(f"var r = document.getElementById('kg-slider'); r.value = '{len(view.dates)}';"
                     "r.dispatchEvent(new Event('input'))")
        assert browser.eval("kgView.visibleNodeCount()") == n
    # a picture, not a blank page; and nothing asked of the network
    browser.eval("kgView.network.fit()")
    assert non_background_pixels(browser.screenshot()) > 2000
    assert browser.requests() == []
    assert browser.errors() == []


@needs_browser
def test_hostile_names_stay_text(browser, hostile_store, tmp_path):
    for kind in ("person-org", "person-event", "coattendance"):
        path = views.render(hostile_store, kind, out=tmp_path / f"{kind}.html")
        browser.open(path)
        wait_ready(browser)
        assert browser.eval("typeof window.__pwned") == "undefined"
        assert browser.eval("document.querySelectorAll('img, b, iframe').length") == 0
        assert browser.eval("document.scripts.length") == 3
        labels = browser.eval("kgView.nodes.get().map(function (n) { return n.label; })")
        names = (IMG,) if kind == "person-org" else (IMG, SCRIPT)  # SCRIPT holds no post
        assert all(any(name in label for label in labels) for name in names)
        for name in names:
            found = browser.eval(f"kgView.find({json.dumps(name)})")
            assert found, name
            assert name in browser.eval("document.getElementById('kg-panel').textContent")
        if kind == "person-org":
            browser.eval("kgView.find('Sở')")
            assert ORG in browser.eval("document.getElementById('kg-panel').textContent")
        # hovering shows the tooltip (vis-network sets it as text)
        browser.eval("kgView.network.fit()")
        time.sleep(0.1)
        assert browser.eval("typeof window.__pwned") == "undefined"
        assert browser.errors() == [], kind
        assert browser.requests() == []  # an <img src=x> would have asked for .../x
