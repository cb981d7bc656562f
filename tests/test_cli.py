"""The `kg` command end to end: ingest, query, export, stats, validate, remove, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from test_ingest import ARTICLE, PNG, to_cp1258  # noqa: E402

OTHER = (
    "Chiều 5/6/2024, Ông Lê Minh Tuấn, Bí thư Huyện ủy Bảo Thắng chủ trì buổi làm việc "
    "với Đảng ủy xã Phong Niên về công tác phát triển đảng viên."
)
ENGLISH = "The city council met on Monday to discuss the new budget for public parks and libraries."
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SUMMARY = re.compile(r"^(\d+) documents.*?, (\d+) persons, (\d+) holdings, (\d+) events, (\d+) triples in [\d.]+ s"
                     r"(?: \(documents [\d.]+ s(?:, (?:resolution|aggregates) [\d.]+ s)*\))?$")


def run(store: Path, *args: str):
    result = CliRunner().invoke(cli, ["--store", str(store), *map(str, args)])
    return result


def summary(result) -> dict:
    line = result.stdout.strip().splitlines()[-1]
    m = SUMMARY.match(line)
    assert m, line
    return dict(zip(["documents", "persons", "holdings", "events", "triples"], map(int, m.groups())))


def count(store: Path) -> int:
    r = run(store, "query", COUNT_ALL, "--format", "json")
    assert r.exit_code == 0, r.output
    return int(json.loads(r.stdout)[0]["n"])


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


def article(tmp_path, name, data):
    p = tmp_path / "in" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


# -- ingest ------------------------------------------------------------------------------


def test_ingest_one_article_then_unchanged(tmp_path, store):
    p = article(tmp_path, "a.txt", ARTICLE)
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    s = summary(r)
    assert s["documents"] == 1 and s["persons"] >= 2 and s["triples"] > 0
    before = count(store)
    assert before > 0
    again = run(store, "ingest", p)
    assert again.exit_code == 0
    assert summary(again)["documents"] == 0 and "1 unchanged" in again.stdout
    assert count(store) == before
    forced = run(store, "ingest", p, "--force")
    assert summary(forced)["documents"] == 1
    assert count(store) == before  # replaced whole, not duplicated


def test_missing_path_one_line_exit_2(tmp_path, store):
    missing = tmp_path / "khong-co"
    r = run(store, "ingest", missing)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"kg: {missing}: no such file or folder"
    assert "Traceback" not in r.output


def test_empty_file_exit_2(tmp_path, store):
    p = article(tmp_path, "empty.txt", b"")
    r = run(store, "ingest", p)
    assert r.exit_code == 2
    assert f"{p}: empty file" in r.stderr


def test_whitespace_only_exit_2(tmp_path, store):
    p = article(tmp_path, "blank.txt", "  \n\t \n")
    r = run(store, "ingest", p)
    assert r.exit_code == 2 and f"{p}: empty file" in r.stderr


def test_png_exit_2(tmp_path, store):
    p = article(tmp_path, "anh.txt", PNG + b"\x00" * 64)
    r = run(store, "ingest", p)
    assert r.exit_code == 2 and f"{p}: binary file, not an article" in r.stderr


def test_zip_exit_2(tmp_path, store):
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", ARTICLE)
    p = article(tmp_path, "nen.txt", z.read_bytes())
    r = run(store, "ingest", p)
    assert r.exit_code == 2 and "binary file, not an article" in r.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_ingested_and_extracted(tmp_path, store, encoding):
    p = article(tmp_path, "a.txt", ARTICLE.encode(encoding))
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    assert summary(r)["persons"] >= 2


def test_utf16_same_document_as_utf8(tmp_path, store):
    a = article(tmp_path, "a.txt", ARTICLE)
    run(store, "ingest", a)
    b = article(tmp_path, "b.txt", ARTICLE.encode("utf-16-le"))
    r = run(store, "ingest", b)
    assert r.exit_code == 0 and "1 unchanged" in r.stdout


def test_windows_1258_ingested(tmp_path, store):
    p = article(tmp_path, "a.txt", to_cp1258(ARTICLE))
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    assert summary(r)["persons"] >= 2


def test_nfd_text_ingested(tmp_path, store):
    p = article(tmp_path, "a.txt", unicodedata.normalize("NFD", ARTICLE))
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    assert summary(r)["persons"] >= 2
    names = run(store, "export", "--format", "facts")
    assert names.exit_code == 0
    assert "Nguyễn Văn Hùng" in names.stdout  # NFC in the graph
    assert unicodedata.normalize("NFD", "Nguyễn") not in names.stdout


def test_html_ingested(tmp_path, store):
    html = (
        "<html><head><meta name='pubdate' content='2024-03-12'><script>var a='Đồng chí Giả Mạo Tên';</script>"
        "<style>.x{}</style></head><body><p>Đồng chí <b>Nguyễn Văn Hùng</b> &amp; đại biểu dự hội nghị"
        "<div>Đồng chí Trần Thị Mai chủ trì</span></p></div></body>"
    )
    p = article(tmp_path, "bai.html", html)
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    facts = run(store, "export", "--format", "facts").stdout
    assert "Giả Mạo" not in facts and "<b>" not in facts
    assert "Nguyễn Văn Hùng" in facts


def test_non_vietnamese_text_ingests_without_persons(tmp_path, store):
    p = article(tmp_path, "en.txt", ENGLISH)
    r = run(store, "ingest", p)
    assert r.exit_code == 0, r.output
    s = summary(r)
    assert s["documents"] == 1 and s["persons"] == 0


def test_mixed_folder_exit_1_good_ones_stored(tmp_path, store):
    article(tmp_path, "a.txt", ARTICLE)
    article(tmp_path, "sub/b.txt", OTHER.encode("utf-16"))
    bad1 = article(tmp_path, "empty.txt", b"")
    bad2 = article(tmp_path, "sub/anh.txt", PNG)
    article(tmp_path, "sub/ghi-chu.md", "ghi chú")
    r = run(store, "ingest", tmp_path / "in")
    assert r.exit_code == 1, r.output
    assert summary(r)["documents"] == 2
    err = r.stderr.strip().splitlines()
    assert f"{bad1}: empty file" in err
    assert f"{bad2}: binary file, not an article (PNG image)" in err
    assert len(err) == 2
    assert "1 other files skipped" in r.stdout
    facts = run(store, "export", "--format", "facts").stdout.splitlines()
    assert sorted(json.loads(line)["doc"] for line in facts) == ["a.txt", "b.txt"]


def test_failed_ingest_keeps_what_was_stored(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    before = count(store)
    r = run(store, "ingest", article(tmp_path, "x.txt", b""), article(tmp_path, "y.txt", PNG))
    assert r.exit_code == 2
    assert count(store) == before


def test_symlink_loop_does_not_hang(tmp_path, store):
    p = article(tmp_path, "d/a.txt", ARTICLE)
    (p.parent / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    r = run(store, "ingest", tmp_path / "in")
    assert r.exit_code == 0, r.output
    assert summary(r)["documents"] == 1


def test_empty_folder_exit_2(tmp_path, store):
    (tmp_path / "rong").mkdir()
    r = run(store, "ingest", tmp_path / "rong")
    assert r.exit_code == 2 and "no articles found" in r.stderr


def test_jsonl_archive(tmp_path, store):
    lines = [json.dumps({"id": "r1", "text": ARTICLE}, ensure_ascii=False), "{bad", json.dumps({"id": "r2", "text": OTHER}, ensure_ascii=False)]
    p = article(tmp_path, "a.jsonl", "\n".join(lines))
    r = run(store, "ingest", p)
    assert r.exit_code == 1
    assert summary(r)["documents"] == 2
    assert r.stderr.startswith(f"{p}:2: not a JSON object")
    docs = sorted(json.loads(x)["doc"] for x in run(store, "export", "--format", "facts").stdout.splitlines())
    assert docs == ["r1", "r2"]


def test_jobs_gives_same_graph(tmp_path):
    for i in range(6):
        article(tmp_path, f"a{i}.txt", f"{ARTICLE}\nBài số {i}.")
    one, four = tmp_path / "s1", tmp_path / "s4"
    r1 = run(one, "ingest", tmp_path / "in")
    r4 = run(four, "ingest", tmp_path / "in", "--jobs", "3")
    assert r1.exit_code == 0 and r4.exit_code == 0, r4.output
    assert summary(r1) == summary(r4)
    assert count(one) == count(four)


# -- store and read-only commands --------------------------------------------------------


def test_store_path_is_a_file(tmp_path):
    f = tmp_path / "store.txt"
    f.write_text("x")
    for args in (["stats"], ["query", COUNT_ALL], ["ingest", str(f)]):
        r = run(f, *args)
        assert r.exit_code == 2, args
        assert r.stderr.startswith(f"kg: {f}: is a file, not a store folder")
        assert len(r.stderr.strip().splitlines()) == 1


def test_read_only_commands_on_missing_store(tmp_path):
    r = run(tmp_path / "none", "stats")
    assert r.exit_code == 2 and r.stderr.startswith("kg: ") and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none").exists()


def test_malformed_sparql_one_line_exit_2(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    r = run(store, "query", "SELECT ?x WHERE { ?x ?y")
    assert r.exit_code == 2
    assert r.stderr.startswith("kg: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_query_formats_params_and_file(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    # the document's graph (the store also holds the resolution and admin graphs of kg.resolve)
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a kg:Document . ?s ?p ?o } } GROUP BY ?g"
    rows = json.loads(run(store, "query", q, "--format", "json").stdout)
    assert len(rows) == 1
    g, n = rows[0]["g"], int(rows[0]["n"])
    # the parameter is bound, not pasted into the text
    per_doc = "SELECT ?doc (COUNT(*) AS ?n) WHERE { GRAPH ?doc { ?s ?p ?o } } GROUP BY ?doc"
    bound = run(store, "query", per_doc, "--param", f"doc=<{g}>", "--format", "csv")
    assert bound.exit_code == 0, bound.output
    assert bound.stdout.splitlines() == ["doc,n", f"{g},{n}"]
    nothing = run(store, "query", per_doc, "--param", "doc=<https://example.org/none>", "--format", "csv")
    assert nothing.exit_code == 0 and nothing.stdout.splitlines() == ["doc,n"]
    qf = tmp_path / "count.rq"
    qf.write_text(COUNT_ALL)
    table = run(store, "query", qf)
    every = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    total = sum(int(r["n"]) for r in json.loads(run(store, "query", every, "--format", "json").stdout))
    assert table.exit_code == 0 and str(total) in table.stdout and "n" in table.stdout
    bad = run(store, "query", COUNT_ALL, "--param", "oops")
    assert bad.exit_code == 2 and bad.stderr.startswith("kg: oops: --param wants NAME=VALUE")


def test_unknown_export_format(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    r = run(store, "export", "--format", "xml")
    assert r.exit_code == 2
    assert "xml" in r.stderr and "Traceback" not in r.output


def test_export_to_file_and_nquads(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    out = tmp_path / "facts.jsonl"
    r = run(store, "export", "--format", "facts", "--out", out)
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["doc"] == "a.txt"
    nq = run(store, "export", "--format", "nquads")
    assert nq.exit_code == 0
    assert len([x for x in nq.stdout.splitlines() if x.strip()]) == count(store)


def test_stats_and_remove(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE), article(tmp_path, "b.txt", OTHER))
    st = run(store, "stats")
    assert st.exit_code == 0
    numbers = dict(line.split(": ") for line in st.stdout.splitlines())
    triples = numbers.get("triples", numbers.get("quads"))
    assert int(numbers["documents"]) == 2 and int(triples) == count(store)
    r = run(store, "remove", "a.txt")
    assert r.exit_code == 0, r.output
    docs = [json.loads(x)["doc"] for x in run(store, "export", "--format", "facts").stdout.splitlines()]
    assert docs == ["b.txt"]
    missing = run(store, "remove", "a.txt")
    assert missing.exit_code == 2 and missing.stderr.startswith("kg: a.txt: no document")


def test_validate_exit_code(tmp_path, store):
    run(store, "ingest", article(tmp_path, "a.txt", ARTICLE))
    r = run(store, "validate")
    assert r.exit_code in (0, 1)
    assert (r.exit_code == 0) == (r.stdout.strip() == "conforms")


# -- the installed command ---------------------------------------------------------------

KG = HERE.parent / ".venv" / "bin" / "kg"


def test_subprocess_installed_kg(tmp_path):
    assert KG.exists()
    store = tmp_path / "store"
    good = article(tmp_path, "a.txt", ARTICLE)
    article(tmp_path, "bad.txt", b"")
    env = {**os.environ, "KG_STORE": str(store)}
    p = subprocess.run([str(KG), "ingest", str(good.parent)], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 1, p.stderr
    assert p.stderr.strip().endswith("bad.txt: empty file")
    assert SUMMARY.match(p.stdout.strip())
    q = subprocess.run([str(KG), "query", "SELECT ?x WHERE {"], capture_output=True, text=True, env=env, timeout=120)
    assert q.returncode == 2 and q.stderr.startswith("kg: ") and "Traceback" not in q.stderr
    e = subprocess.run([str(KG), "export", "--format", "facts"], capture_output=True, text=True, env=env, timeout=120)
    assert e.returncode == 0 and json.loads(e.stdout.splitlines()[0])["doc"] == "a.txt"
