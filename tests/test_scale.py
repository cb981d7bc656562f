"""Scale: parallel ingest, incremental re-ingest, N-Quads shards (local and Dask), bulk load."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import pipeline
from kg.cli import cli
from kg.errors import InputError, UsageError
from kg.ingest import read_paths
from kg.scale import extract_shards, load_shards, units
from kg.store import Store

STAMP = "2024-05-01T00:00:00Z"  # canonical form (the store keeps xsd:dateTime canonical)
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
DOC_NS = "https://w3id.org/kg-vn/doc/"


def doc_quads(store: Store) -> set[ox.Quad]:
    """The quads of the documents' graphs (what extraction wrote)."""
    return {q for q in store.inner if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(DOC_NS)}


def reference(paths, tmp_path) -> set[ox.Quad]:
    """One process, one document at a time: the quads every other route must reproduce."""
    quads: set[ox.Quad] = set()
    for entry in read_paths(paths):
        if entry.document is not None:
            result = pipeline.process(entry.document, ingested_at=STAMP)
            if result.problem is None:
                quads.update(result.quads)
    return quads


@pytest.fixture
def corpus(tmp_path) -> Path:
    """The sample articles as one JSON Lines archive (ids, dates, urls) plus loose files."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = []
    for i, path in enumerate(sorted(SAMPLES.glob("*.txt"))):
        record = {"id": f"r{i}", "text": path.read_text(encoding="utf-8"), "date": "2024-03-0%d" % (i % 9 + 1),
                  "url": f"https://example.org/{i}"}
        lines.append(json.dumps(record, ensure_ascii=False))
    (folder / "archive.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in sorted(SAMPLES.glob("*.htm*")):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_jobs_gives_the_same_quads_as_one_process(corpus, tmp_path):
    with Store.open(tmp_path / "one") as one, Store.open(tmp_path / "two") as two:
        r1 = pipeline.ingest([corpus], store=one, ingested_at=STAMP, batch_size=1)
        r2 = pipeline.ingest([corpus], store=two, ingested_at=STAMP, jobs=2, batch_size=3)
        assert r1.documents == r2.documents == len(list(read_paths([corpus])))
        assert r1.triples == r2.triples
        assert doc_quads(one) == doc_quads(two) == reference([corpus], tmp_path)


def test_jsonl_records_keep_id_date_and_url(corpus, tmp_path):
    with Store.open(tmp_path / "s") as store:
        pipeline.ingest([corpus / "archive.jsonl"], store=store)
        rows = store.query(
            "SELECT ?file ?url ?pub WHERE { GRAPH ?g { ?g kg:fileName ?file ; kg:sourceUrl ?url ; kg:published ?pub } } "
            "ORDER BY ?file").rows
    assert rows[0] == ("r0", "https://example.org/0", "2024-03-01")
    assert len(rows) == len(list(SAMPLES.glob("*.txt")))


def test_unchanged_is_skipped_and_an_edited_document_replaces_its_older_version(tmp_path):
    text = sorted(SAMPLES.glob("*.txt"))[0].read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text + "\nBài khác.", encoding="utf-8")
    with Store.open(tmp_path / "s") as store:
        first = pipeline.ingest([folder], store=store)
        again = pipeline.ingest([folder], store=store)
        assert (first.documents, again.documents, again.unchanged) == (2, 0, 2)
        before = {d["file"]: d["iri"] for d in store.documents()}
        (folder / "a.txt").write_text(text + "\nĐã sửa.", encoding="utf-8")
        edited = pipeline.ingest([folder], store=store)
        after = {d["file"]: d["iri"] for d in store.documents()}
        assert (edited.documents, edited.unchanged) == (1, 1)
        assert sorted(after) == ["a.txt", "b.txt"] and after["b.txt"] == before["b.txt"]
        assert after["a.txt"] != before["a.txt"]
        assert not store.inner.contains_named_graph(ox.NamedNode(before["a.txt"]))


def test_a_batch_is_one_transaction(tmp_path):
    g1, g2 = DOC_NS + "1" * 64, DOC_NS + "2" * 64
    q = ox.Quad(ox.NamedNode(g1), ox.NamedNode("https://schema.org/name"), ox.Literal("x"))

    def broken():
        yield q
        raise RuntimeError("extraction died half-way")

    with Store.open(tmp_path / "s") as store:
        with pytest.raises(RuntimeError):
            store.put_documents([(g1, [q]), (g2, broken())])
        assert len(store.inner) == 0
        store.put_documents([(g1, [q])])
        store.put_documents([(g2, [q])], drop=[g1])  # replacing: drop and insert together
        assert {x.graph_name.value for x in store.inner} == {g2}


def test_units_split_archives_at_line_boundaries(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": f"Bài {i}"}) + "\n" for i in range(10)))
    parts = list(units([path], shard_size=3))
    assert [(u[3], u[4] - u[3] > 0, u[5]) for u in parts][0] == (0, True, 1)
    assert [u[5] for u in parts] == [1, 4, 7, 10]
    assert parts[-1][4] == path.stat().st_size


def test_shards_then_bulk_load_equal_the_pipeline(corpus, tmp_path):
    report = extract_shards([corpus], tmp_path / "shards", jobs=2, shard_size=3, ingested_at=STAMP)
    shards = sorted((tmp_path / "shards").glob("part-*.nq"))
    assert report.shards == len(shards) >= 3 and not list((tmp_path / "shards").glob("*.tmp"))
    with Store.open(tmp_path / "s") as store:
        loaded = load_shards(tmp_path / "shards", store=store)
        assert loaded.shards == len(shards) and loaded.quads == report.triples
        assert doc_quads(store) == reference([corpus], tmp_path)
    with pytest.raises(UsageError):
        extract_shards([corpus], tmp_path / "shards")  # never mixes two runs' shards


def test_bad_shard_is_an_input_error(tmp_path):
    (tmp_path / "shards").mkdir()
    (tmp_path / "shards" / "part-00000.nq").write_text("<a> <b> .\n")
    with Store.open(tmp_path / "s") as store, pytest.raises(InputError):
        load_shards(tmp_path / "shards", store=store)


def test_dask_local_cluster_gives_the_same_store(corpus, tmp_path):
    pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        report = extract_shards([corpus], tmp_path / "dask", scheduler=cluster.scheduler_address,
                                shard_size=2, ingested_at=STAMP)
    local = extract_shards([corpus], tmp_path / "local", shard_size=2, ingested_at=STAMP)
    assert (report.documents, report.triples, report.shards) == (local.documents, local.triples, local.shards)
    with Store.open(tmp_path / "a") as a, Store.open(tmp_path / "b") as b:
        load_shards(tmp_path / "dask", store=a)
        load_shards(tmp_path / "local", store=b)
        assert set(a.inner) == set(b.inner) == reference([corpus], tmp_path)


def test_cli_extract_and_load(corpus, tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["extract", str(corpus), "--out", str(tmp_path / "sh"), "--ingested-at", STAMP, "-j", "2"])
    assert r.exit_code == 0, r.output
    assert " shards in " in r.stdout
    r = runner.invoke(cli, ["--store", str(tmp_path / "s"), "load", str(tmp_path / "sh")])
    assert r.exit_code == 0 and "quads/s" in r.stdout, r.output
    r = runner.invoke(cli, ["--store", str(tmp_path / "s"), "load", str(tmp_path / "nothing")])
    assert r.exit_code == 2 and r.stderr.startswith("kg: ")
    with Store.open(tmp_path / "s", read_only=True) as store:
        assert doc_quads(store) == reference([corpus], tmp_path)
