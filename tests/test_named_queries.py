"""Named research queries: header registry, parameter checks, answers on data/samples from
Python and from the CLI, and bindings that cannot change a query's meaning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg import queries, rankings
from kg.errors import QueryError, UsageError
from kg.store import Store
from kg.vocab import KG, RANKINGS_GRAPH

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
RESEARCH = {"career", "holders", "succession", "coattendance", "served_with", "org_chart",
            "counts_over_time", "org_events", "people_by_province"}
#: One call per research query with parameters that give rows on data/samples.
CALLS = {
    "career": {"person": "Trần Bá Luân"},
    "holders": {"of": "UBND tỉnh Hà Tĩnh", "at": "2024-06-01"},
    "succession": {"post": "Giám đốc Sở Xây dựng tỉnh Bình Định"},
    "coattendance": {"min": "1"},
    "served_with": {"organization": "Tỉnh ủy Hà Tĩnh"},
    "org_chart": {},
    "counts_over_time": {"what": "party_members"},
    "org_events": {"organization": "Tỉnh ủy Hà Tĩnh"},
    "people_by_province": {"province": "Sơn La"},
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("named") / "store"
    with kg.open(path) as g:
        report = g.ingest([SAMPLES])
        assert report.documents == 8 and not report.failed
    with Store.open(path) as store:
        rankings.rebuild(store)  # what `kg resolve` does: the listing queries' first rows
        assert rankings.current(store)
    return path


@pytest.fixture(scope="module")
def g(store_path):
    graph = kg.open(store_path, read_only=True)
    yield graph
    graph.close()


def test_registry_lists_and_describes_every_research_query():
    assert RESEARCH <= set(queries.research())
    assert "doc_persons" not in queries.research()  # per-document queries are not research ones
    for name in RESEARCH:
        spec = queries.describe(name)
        assert spec.research and len(spec.description) > 40, name
        assert all(p.type in queries.PARAM_TYPES and p.description for p in spec.params), name
        assert set(CALLS[name]) <= {p.name for p in spec.params}, name
    holders = queries.describe("holders")
    assert [(p.name, p.type, p.required, p.default) for p in holders.params] == [
        ("of", "ref", True, None), ("at", "date", False, "")]
    assert queries.describe("coattendance").param("min").default == "1"
    # a legacy query keeps its optional binding
    assert [(p.name, p.required) for p in queries.describe("positions").params] == [("person", False)]


@pytest.mark.parametrize("params, problem", [
    ({"at": "2024-02-30", "of": "x"}, "not a date"),
    ({"at": "15/3/2024", "of": "x"}, "not a date"),
    ({"of": "x", "when": "2024"}, "no parameter 'when'"),
    ({}, "needs --param of="),
    ({"of": "<not an iri>"}, "not an IRI"),
])
def test_bad_parameters_are_one_line_query_errors(params, problem):
    with pytest.raises(QueryError) as info:
        queries.bindings("holders", params)
    assert problem in str(info.value) and "\n" not in str(info.value)


def test_bad_kinds_and_counts_are_refused():
    with pytest.raises(QueryError, match="unknown kind"):
        queries.bindings("coattendance", {"kind": "party"})
    with pytest.raises(QueryError, match="integer"):
        queries.bindings("coattendance", {"min": "-1"})
    with pytest.raises(QueryError, match="integer"):
        queries.bindings("coattendance", {"min": "two"})
    with pytest.raises(UsageError, match="no named query"):
        queries.describe("../positions")


@pytest.mark.parametrize("name", sorted(RESEARCH))
def test_every_research_query_answers_from_python_and_cli(name, g, store_path):
    frame = g.named(name, **CALLS[name])
    assert len(frame) > 0, name
    assert not set(CALLS[name]) & set(frame.columns)  # parameter echo columns are dropped
    args = [sys.executable, "-m", "kg.cli", "--store", str(store_path), "query", "--named", name,
            "--format", "json", "--limit", "0"]
    for key, value in CALLS[name].items():
        args += ["--param", f"{key}={value}"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == len(frame)
    assert list(rows[0]) == list(frame.columns)


def test_career_tenures_in_date_order(g):
    career = g.named("career", person="trần bá luân")
    by_post = career.set_index("position")
    assert by_post.loc["Phó Chủ tịch UBND tỉnh Hà Tĩnh", "since"] == "2024-03-15"
    assert by_post.loc["Phó Chủ tịch UBND tỉnh Hà Tĩnh", "statuses"] == "starts"
    ended = career[career["until"].notna()]
    assert any("Kế hoạch và Đầu tư" in p for p in ended["position"])
    assert (career["files"] == "02_hdnd_hatinh_bau_chu_tich.txt").all()
    assert career["quotes"].str.contains("Trần Bá Luân").all()
    # by IRI: the same rows
    assert g.named("career", person=career["iri"].iloc[0]).equals(career)
    assert g.named("career", person="Không Có Ai").empty


def test_succession_puts_the_former_holder_first(g):
    rows = g.named("succession", post="giám đốc sở xây dựng tỉnh bình định")
    assert list(rows["name"]) == ["Văn Đình Quốc", "Hồ Ngọc Phú"]
    assert rows["until"].iloc[0] == "2023-11-03"
    assert rows["since"].iloc[1] == "2023-11-03"


def test_holders_at_a_date(g):
    after = g.named("holders", of="UBND tỉnh Hà Tĩnh", at="2024-06-01")
    assert {"Phạm Quốc Thái", "Trần Bá Luân"} <= set(after["name"])
    assert g.named("holders", of="UBND tỉnh Hà Tĩnh", at="2024-03").empty  # before the article
    anytime = g.named("holders", of="UBND tỉnh Hà Tĩnh")
    assert len(anytime) >= len(after)
    post = g.named("holders", of="Giám đốc Sở Xây dựng tỉnh Bình Định", at="2024")
    assert list(post["name"]) == ["Hồ Ngọc Phú"]  # the former holder ended on the article's date


def test_coattendance_counts_and_filters(g):
    pairs = g.named("coattendance")
    assert (pairs["events"] >= 1).all()
    assert (pairs["a"] < pairs["b"]).all()  # each pair once
    visit = g.named("coattendance", person="Tạ Minh Hoàng", kind="visit")
    assert len(visit) >= 3
    assert ((visit["a_name"] == "Tạ Minh Hoàng") | (visit["b_name"] == "Tạ Minh Hoàng")).all()
    assert g.named("coattendance", person="Tạ Minh Hoàng", kind="congress").empty
    assert g.named("coattendance", min=2).empty  # no two sample persons meet twice
    assert g.named("coattendance", to="2023-12-31")["last"].max() <= "2023-12-31"
    assert g.named("coattendance", **{"from": "2025-01-01"})["first"].min() >= "2025-01-01"


def test_served_with_org_chart_counts_events_and_provinces(g):
    served = g.named("served_with", organization="Tỉnh ủy Hà Tĩnh")
    pairs = {frozenset(p) for p in zip(served["a_name"], served["b_name"])}
    assert frozenset({"Trương Công Hiến", "Nguyễn Hữu Phước"}) in pairs
    assert (served["from"] <= served["to"]).all()
    chart = g.named("org_chart", organization="Đảng bộ Khối các cơ quan tỉnh Hòa Bình")
    assert list(chart["child_name"]) == ["Đảng bộ Sở Giáo dục và Đào tạo tỉnh Hòa Bình"]
    counts = g.named("counts_over_time", organization="Đảng bộ Sở Y tế tỉnh Sơn La")
    assert dict(zip(counts["count_kind"], counts["value"])) == {"party_cells": 31, "party_members": 1540}
    events = g.named("org_events", organization="Tỉnh ủy Hà Tĩnh", kind="meeting")
    assert list(events["date"]) == ["2024-03-15"]
    assert "Trương Công Hiến" in events["members"].iloc[0]
    people = g.named("people_by_province", province="tỉnh Sơn La")
    assert set(people["province_name"]) == {"Sơn La"} and "Cầm Văn Thượng" in set(people["name"])


HOSTILE = ['x" } } SELECT * WHERE { ?s ?p ?o } #', "Trần Bá Luân' || true || '", "{ } ) ( \\\" \\n",
           "https://w3id.org/kg-vn/person/x> } UNION { ?a ?b ?c"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_values(g, value):
    # named: a quote or brace in a name matches nothing instead of changing the query
    assert g.named("career", person=value).empty
    assert g.named("holders", of=value).empty
    assert g.named("coattendance", person=value).empty
    # raw SPARQL bindings: the same
    frame = g.sparql("SELECT ?name ?v WHERE { ?p kg:name ?name FILTER (?name = ?v) }", v=value)
    assert frame.empty


def test_an_iri_parameter_that_is_not_an_iri_is_refused(g):
    with pytest.raises(QueryError, match="not an IRI"):
        g.named("career", person="<https://w3id.org/kg-vn/person/x> } UNION { ?a ?b ?c")


def test_cli_queries_lists_and_named_errors(store_path):
    def kg_cli(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store_path), *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    listing = kg_cli("queries")
    assert listing.returncode == 0
    for name in RESEARCH:
        assert f"\n{name}: " in "\n" + listing.stdout
    assert "--param at=<date>" in listing.stdout
    bad = kg_cli("query", "--named", "holders", "--param", "of=x", "--param", "at=2024-13")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not a date" in bad.stderr
    both = kg_cli("query", "SELECT * WHERE {}", "--named", "career")
    assert both.returncode == 2 and "not both" in both.stderr


@pytest.mark.parametrize("name, params", [
    ("coattendance", {}),
    ("served_with", {}),
    ("people_by_province", {}),
    ("people_by_province", {"province": "Hà Tĩnh"}),
    ("coattendance", {"person": "Tạ Minh Hoàng"}),
])
def test_limit_gives_the_first_rows_of_the_whole_result(g, name, params):
    whole = g.named(name, **params, limit=0)
    assert len(whole) > 3, name
    for limit in (1, 2, 3):
        first = g.named(name, **params, limit=limit)
        assert len(first) == limit
        assert first.reset_index(drop=True).equals(whole.head(limit).reset_index(drop=True)), (name, limit)
    assert len(g.named(name, **params, limit=len(whole) + 5)) == len(whole)


def test_limit_defaults_to_100_rows():
    for name in ("coattendance", "served_with", "people_by_province"):
        assert queries.describe(name).param("limit").default == "100"


def test_precomputed_coattendance_pairs_are_those_computed_at_query_time(g):
    # limit 0 reads every event at query time; a limit within the precomputed pairs reads them
    whole = g.named("coattendance", limit=0)
    top = g.named("coattendance", limit=len(whole))
    assert top.equals(whole)
    assert g.named("coattendance", min=2).empty


def test_precomputed_pairs_of_each_event_kind_are_those_computed_at_query_time(g):
    # a kind with no person and no dates reads that kind's ranking; limit 0 reads every event
    with_pairs = 0
    for kind in queries.EVENT_KINDS:
        whole = g.named("coattendance", kind=kind, limit=0)
        top = g.named("coattendance", kind=kind, limit=max(len(whole), 1))
        assert top.equals(whole), kind
        with_pairs += len(whole) > 0
        if len(whole) > 1:
            assert g.named("coattendance", kind=kind, limit=1).reset_index(drop=True).equals(
                whole.head(1).reset_index(drop=True)), kind
    assert with_pairs >= 2
    assert g.named("coattendance", kind="visit", limit=0)["events"].sum() < g.named("coattendance", limit=0)["events"].sum()


def test_rankings_of_another_version_are_not_used(store_path, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    with Store.open(copy) as store:
        expected = queries.run(store, "coattendance", {"limit": 0}).rows
        assert rankings.current(store)
        store.inner.update(f"DELETE WHERE {{ GRAPH <{RANKINGS_GRAPH}> {{ ?g <{KG}rankingsVersion> ?v }} }}")
        assert rankings.has_rankings(store) and not rankings.current(store)
        assert queries.run(store, "coattendance", {"limit": 2}).rows == expected[:2]


def test_rankings_out_of_date_after_an_ingest_are_not_used(store_path, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    with Store.open(copy, read_only=True) as store:
        before = queries.run(store, "served_with", {"limit": 3}).rows
    extra = tmp_path / "more.txt"
    extra.write_text("Sáng 3/3/2025, UBND tỉnh Hà Tĩnh tổ chức hội nghị. Dự có ông Trần Văn Kiên, Giám đốc Sở "
                     "Nội vụ tỉnh Hà Tĩnh và ông Lê Văn Hòa, Phó Giám đốc Sở Nội vụ tỉnh Hà Tĩnh.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(copy), "ingest", str(extra)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0 and "out of date" in done.stderr and "kg resolve" in done.stderr
    with Store.open(copy, read_only=True) as store:
        assert rankings.has_rankings(store) and not rankings.current(store)
        first = queries.run(store, "served_with", {"limit": 3}).rows
        whole = queries.run(store, "served_with", {"limit": 0}).rows
    assert first == whole[:3]  # computed at query time, so the new pair is in its place
    assert len(whole) > len(before)
    with Store.open(copy) as store:
        rankings.rebuild(store)
        assert rankings.current(store)
        assert queries.run(store, "served_with", {"limit": 3}).rows == whole[:3]
