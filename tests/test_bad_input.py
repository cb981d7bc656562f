"""Bad input through the real `kg` command: one test per case (issue 7).

Each case runs against a store that already holds one article and checks: the exit code;
exactly one line on stderr that names the file or argument and the problem (none for the
inputs that are fine); no traceback; and that the stored article is still there, whole.

Set ``KG_RELIABILITY_TABLE=FILE`` to write the table of cases (case, exit code, message)
that notes/reliability.md shows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from test_ingest import ARTICLE, PNG, to_cp1258  # noqa: E402

KG = HERE.parent / ".venv" / "bin" / "kg"
OTHER = (
    "Chiều 5/6/2024, ông Lê Minh Tuấn, Bí thư Huyện ủy Bảo Thắng chủ trì buổi làm việc "
    "với Đảng ủy xã Phong Niên về công tác phát triển đảng viên."
)
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
TABLE: dict[str, tuple[int, str]] = {}  # case -> (exit code, stderr line) for notes/reliability.md


# -- legacy Vietnamese encodings (test data only) ---------------------------------------

_TCVN3_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_TCVN3_CODES = bytes.fromhex(
    "b5b8b6b7b9 a8bbbebcbdc6 a9c7cac8c9cb ae ccd0cecfd1 aad2d5d3d4d6 d7ddd8dcde dfe3e1e2e4"
    "abe5e8e6e7e9 aceaedebecee eff3f1f2f4 adf5f8f6f7f9 fafdfbfcfe")
_TCVN3_UPPER = dict(zip("ĂÂĐÊÔƠƯ", bytes.fromhex("a1a2a7a3a4a5a6")))


def to_tcvn3(text: str) -> bytes:
    """TCVN3 (ABC) as old editors wrote it: upper-case toned letters fall back to lower case."""
    table = dict(zip(_TCVN3_LOWER, _TCVN3_CODES)) | _TCVN3_UPPER
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        code = table.get(ch, table.get(ch.lower()))
        out += bytes([code]) if code is not None else ch.encode("ascii")
    return bytes(out)


# VNI-Windows: an ASCII base letter followed by one mark byte (lower-case marks shown).
_VNI_TONE = {"\u0301": 0xF9, "\u0300": 0xF8, "\u0309": 0xFB, "\u0303": 0xF5, "\u0323": 0xEF}
_VNI_HAT = {None: 0xE2, "\u0301": 0xE1, "\u0300": 0xE0, "\u0309": 0xE5, "\u0303": 0xE3, "\u0323": 0xE4}
_VNI_BREVE = {None: 0xEA, "\u0301": 0xE9, "\u0300": 0xE8, "\u0309": 0xFA, "\u0303": 0xFC, "\u0323": 0xEB}


_VNI_I = {"\u0301": 0xED, "\u0300": 0xEC, "\u0309": 0xE6, "\u0303": 0xF3, "\u0323": 0xF2}


def to_vni(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out += ch.encode("ascii")
            continue
        if ch in "đĐ":
            out.append(0xF1 if ch == "đ" else 0xD1)
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        case = -0x20 if base.isupper() else 0
        shape = next((m for m in marks if m in "\u0302\u0306\u031b"), None)
        tone = next((m for m in marks if m in _VNI_TONE), None)
        if base in "iI" and tone:  # one byte for the whole letter
            out.append(_VNI_I[tone] + case)
        elif shape == "\u031b":  # horn: ơ and ư are one byte, the tone follows
            out.append((0xF4 if base in "oO" else 0xF6) + case)
            if tone:
                out.append(_VNI_TONE[tone] + case)
        elif shape in ("\u0302", "\u0306"):
            out += base.encode("ascii")
            out.append((_VNI_HAT if shape == "\u0302" else _VNI_BREVE)[tone] + case)
        else:
            out += base.encode("ascii")
            if tone:
                out.append(_VNI_TONE[tone] + case)
    return bytes(out)


# -- helpers -----------------------------------------------------------------------------


def run(store: Path, *args) -> object:
    return CliRunner().invoke(cli, ["--store", str(store), *map(str, args)])


def count(store: Path) -> int:
    r = run(store, "query", COUNT_ALL, "--format", "json")
    assert r.exit_code == 0, r.output
    return int(json.loads(r.stdout)[0]["n"])


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / "in" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


@pytest.fixture
def seeded(tmp_path):
    """A store holding one article; yields (store path, quads in it)."""
    store = tmp_path / "store"
    seed = tmp_path / "seed" / "seed.txt"
    seed.parent.mkdir()
    seed.write_text(OTHER, encoding="utf-8")
    r = run(store, "ingest", seed)
    assert r.exit_code == 0, r.output
    return store, count(store)


@pytest.fixture(scope="module", autouse=True)
def _write_table():
    yield
    target = os.environ.get("KG_RELIABILITY_TABLE")
    if target and TABLE:
        lines = ["| case | exit code | message on stderr |", "| --- | --- | --- |"]
        for case, (code, message) in sorted(TABLE.items()):
            shown = message.replace("|", "\\|") or "(none)"
            lines.append(f"| {case} | {code} | {shown} |")
        Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(case: str, result, *, code: int, message: str | None, names: str | None = None) -> str:
    """Exit ``code``; for an error exactly one stderr line matching ``message`` (a regex)
    that names ``names``; never a traceback. Returns the line."""
    err = result.stderr.strip().splitlines()
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, (result.exit_code, result.output)
    if message is None:
        assert err == [], err
        line = ""
    else:
        assert len(err) == 1, err
        line = err[0]
        assert re.search(message, line), line
        if names is not None:
            assert names in line, line
    TABLE[case] = (code, _generic(line))
    return line


def _generic(line: str) -> str:
    """The stderr line with temporary paths shortened, for the notes table."""
    return re.sub(r"\S*/pytest-\d+/[^/\s]+/", "", line)


def intact(store: Path, before: int, *, grown: bool = False) -> None:
    """Nothing stored was lost: the seeded article is still there and counts did not drop."""
    now = count(store)
    assert now >= before if grown else now == before
    docs = run(store, "export", "--format", "facts")
    assert "seed.txt" in docs.stdout


# -- input files -------------------------------------------------------------------------


BAD_FILES = {
    # case id: (file name, content, exit code, problem regex)
    "empty-file": ("empty.txt", b"", 2, r"empty file$"),
    "whitespace-only": ("blank.txt", b" \n\t\r\n  \n", 2, r"empty file$"),
    "whitespace-only-utf16": ("blank16.txt", " \n \n".encode("utf-16"), 2, r"empty file$"),
    "png-renamed-txt": ("anh.txt", PNG + b"\x00" * 64, 2, r"binary file, not an article \(PNG image\)$"),
    "pdf-renamed-txt": ("van-ban.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", 2, r"binary file, not an article \(PDF document\)$"),
    "nul-bytes": ("nul.txt", b"abc\x00\x01\x02\x00\xff" * 100, 2, r"binary file, not an article$"),
    "undecodable-bytes": ("rac.txt", bytes(range(0x80, 0x100)) * 20 + b"\x01\x02\x03" * 50, 2,
                          r"binary file|cannot decode"),
    "vni-encoding": ("vni.txt", to_vni(ARTICLE), 2, r"legacy Vietnamese encoding \(VNI\) is not supported; convert"),
    "html-without-text": ("trong.html", "<html><head><script>var x=1;</script><style>p{}</style></head><body>"
                          "<div> </div></body></html>", 2, r"empty file \(no visible text in the HTML\)$"),
    "unsupported-extension": ("anh.png", PNG, 2, r"unsupported file type '\.png'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file(tmp_path, seeded, case):
    store, before = seeded
    name, data, code, problem = BAD_FILES[case]
    p = write(tmp_path, name, data)
    r = run(store, "ingest", p)
    check(case, r, code=code, message=rf"^{re.escape(str(p))}: {problem}", names=str(p))
    intact(store, before)


def test_zip_archive(tmp_path, seeded):
    store, before = seeded
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", ARTICLE)
    p = write(tmp_path, "nen.txt", z.read_bytes())
    r = run(store, "ingest", p)
    check("zip-renamed-txt", r, code=2, message=r"binary file, not an article \(ZIP archive\)$", names=str(p))
    intact(store, before)


GOOD_FILES = {
    # case id: (file name, content) -- decoded and ingested, the persons found
    "utf16-with-bom": ("bom.txt", ARTICLE.encode("utf-16")),
    "utf16-le-without-bom": ("le.txt", ARTICLE.encode("utf-16-le")),
    "utf16-be-without-bom": ("be.txt", ARTICLE.encode("utf-16-be")),
    "utf8-with-bom-crlf": ("crlf.txt", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8")),
    "windows-1258": ("cp1258.txt", to_cp1258(ARTICLE)),
    "tcvn3-encoding": ("tcvn3.txt", to_tcvn3(ARTICLE)),
    "nfd-text": ("nfd.txt", unicodedata.normalize("NFD", ARTICLE).encode("utf-8")),
    "html-scripts-styles-entities-broken-tags": ("bai.html", (
        "<html><head><meta charset='utf-8'><script>var s = 'Đồng chí Giả Mạo Tên dự';</script>"
        "<style>.x { content: 'Đồng chí Kiểu Dáng'; }</style></head><body><p>Sáng 12/3/2024, "
        "Đồng chí <b>Nguyễn Văn Hùng</b>, Ủy viên Ban Thường vụ Tỉnh ủy &amp; Phó Chủ tịch Ủy ban nhân dân "
        "tỉnh Lào Cai dự hội nghị<div>Đồng chí Trần Thị Mai, Bí thư Đảng ủy Sở Y tế chủ trì &#273;&#7841;i "
        "h&ocirc;i</span></p></div><p><i>không đóng<td>ô lạc</body>")),
}


@pytest.mark.parametrize("case", sorted(GOOD_FILES))
def test_decodable_file(tmp_path, seeded, case):
    store, before = seeded
    name, data = GOOD_FILES[case]
    r = run(store, "ingest", write(tmp_path, name, data))
    check(case, r, code=0, message=None)
    intact(store, before, grown=True)
    facts = [json.loads(x) for x in run(store, "export", "--format", "facts").stdout.splitlines()]
    (mine,) = [f for f in facts if f["doc"] == name]
    assert "Nguyễn Văn Hùng" in mine["persons"] and "Trần Thị Mai" in mine["persons"]
    assert not any("Giả Mạo" in p or "Kiểu Dáng" in p for p in mine["persons"])


def test_non_vietnamese_text(tmp_path, seeded):
    store, before = seeded
    p = write(tmp_path, "en.txt", "The city council met on Monday to discuss the budget for public parks, "
              "said Mayor John Smith, chairman of the council.")
    r = run(store, "ingest", p)
    check("non-vietnamese-text", r, code=0, message=None)
    assert "1 documents" in r.stdout and " 0 persons" in r.stdout
    intact(store, before, grown=True)


def test_hundred_megabyte_file_refused_fast(tmp_path, seeded):
    store, before = seeded
    p = tmp_path / "in" / "big.txt"
    p.parent.mkdir()
    with open(p, "wb") as fh:  # sparse: 100 MB without writing them
        fh.write("Đồng chí Nguyễn Văn A ".encode("utf-8"))
        fh.truncate(100 * 1024 * 1024)
    start = time.monotonic()
    r = run(store, "ingest", p)
    assert time.monotonic() - start < 10
    check("file-of-100-MB", r, code=2, message=r"too large \(100 MB\); split it into articles$", names=str(p))
    intact(store, before)


def test_extremely_long_line(tmp_path, seeded):
    store, before = seeded
    line = (ARTICLE.replace("\n", " ") + " ") * 600  # one line of ~150k characters, no break
    assert "\n" not in line and len(line) > 100_000
    start = time.monotonic()
    r = run(store, "ingest", write(tmp_path, "dong-dai.txt", line))
    assert time.monotonic() - start < 60
    check("extremely-long-line", r, code=0, message=None)
    assert "1 documents" in r.stdout
    intact(store, before, grown=True)


def test_missing_path(tmp_path, seeded):
    store, before = seeded
    missing = tmp_path / "khong-co.txt"
    r = run(store, "ingest", missing)
    check("missing-path", r, code=2, message=r"^kg: .*: no such file or folder$", names=str(missing))
    intact(store, before)


def test_unreadable_file(tmp_path, seeded, monkeypatch):
    store, before = seeded
    p = write(tmp_path, "khoa.txt", ARTICLE)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        import builtins

        import kg.ingest

        real_open = builtins.open

        def denied(path, *args, **kwargs):
            if str(path) == str(p):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(kg.ingest, "open", denied, raising=False)
    else:
        p.chmod(0)
    r = run(store, "ingest", p)
    check("unreadable-file", r, code=2, message=r": cannot read: Permission denied$", names=str(p))
    intact(store, before)


def test_file_disappears_mid_ingest(tmp_path, seeded, monkeypatch):
    store, before = seeded
    write(tmp_path, "a.txt", ARTICLE)
    b = write(tmp_path, "b.txt", OTHER + " Bài khác.")
    import kg.pipeline

    real = kg.pipeline.read_paths

    def vanishing(paths):
        for i, entry in enumerate(real(paths)):
            yield entry
            if i == 0:
                b.unlink()  # listed with the folder, gone before it is read

    monkeypatch.setattr(kg.pipeline, "read_paths", vanishing)
    r = run(store, "ingest", tmp_path / "in")
    check("file-vanishes-mid-ingest", r, code=1, message=r": file vanished while reading$", names=str(b))
    assert "1 documents (1 failed)" in r.stdout
    intact(store, before, grown=True)


def test_mixed_folder(tmp_path, seeded):
    """Good files go in, each bad one is one line, exit 1."""
    store, before = seeded
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "sub/b.txt", OTHER.replace("Lê Minh Tuấn", "Hà Văn Khánh").encode("utf-16"))
    bad = [write(tmp_path, "empty.txt", b""), write(tmp_path, "sub/anh.txt", PNG),
           write(tmp_path, "sub/vni.txt", to_vni(ARTICLE))]
    r = run(store, "ingest", tmp_path / "in")
    assert r.exit_code == 1 and "Traceback" not in r.output
    err = r.stderr.strip().splitlines()
    assert sorted(line.split(": ")[0] for line in err) == sorted(map(str, bad))
    assert "2 documents (3 failed)" in r.stdout
    TABLE["folder-with-good-and-bad-files"] = (1, "<file>: <problem> (one line per bad file)")
    intact(store, before, grown=True)


def test_symlink_loop(tmp_path, seeded):
    store, before = seeded
    a = write(tmp_path, "d/a.txt", ARTICLE)
    (a.parent / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    (a.parent / "self").symlink_to(".", target_is_directory=True)
    r = run(store, "ingest", tmp_path / "in")
    check("symlink-loop", r, code=0, message=None)
    assert r.stdout.startswith("1 documents")
    intact(store, before, grown=True)


def test_broken_symlink(tmp_path, seeded):
    store, before = seeded
    write(tmp_path, "a.txt", ARTICLE)
    link = tmp_path / "in" / "gone.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    r = run(store, "ingest", tmp_path / "in")
    check("broken-symlink-in-folder", r, code=1, message=r": broken symbolic link$", names=str(link))
    intact(store, before, grown=True)


def test_jsonl_bad_record(tmp_path, seeded):
    store, before = seeded
    lines = [json.dumps({"id": "r1", "text": ARTICLE}, ensure_ascii=False), "{hỏng", json.dumps({"id": "r3"})]
    p = write(tmp_path, "a.jsonl", "\n".join(lines))
    r = run(store, "ingest", p)
    assert r.exit_code == 1 and "Traceback" not in r.output
    err = r.stderr.strip().splitlines()
    assert err == [f"{p}:2: not a JSON object (Expecting property name enclosed in double quotes)",
                   f'{p}:3: no "text" string in the record']
    TABLE["jsonl-bad-records"] = (1, "a.jsonl:2: not a JSON object (...)")
    intact(store, before, grown=True)


def test_empty_folder(tmp_path, seeded):
    store, before = seeded
    (tmp_path / "rong").mkdir()
    r = run(store, "ingest", tmp_path / "rong")
    check("empty-folder", r, code=2, message=r"^kg: no articles found")
    intact(store, before)


def test_nothing_usable_creates_no_store(tmp_path):
    store = tmp_path / "new-store"
    p = write(tmp_path, "empty.txt", b"")
    r = run(store, "ingest", p)
    check("nothing-usable-new-store", r, code=2, message=r"empty file$", names=str(p))
    assert not store.exists()


# -- queries and parameters --------------------------------------------------------------


def test_malformed_sparql(seeded):
    store, before = seeded
    r = run(store, "query", "SELECT ?x WHERE { ?x ?y")
    check("malformed-sparql", r, code=2, message=r"^kg: malformed SPARQL: ")
    intact(store, before)


def test_sparql_update_is_refused_by_query(seeded):
    store, before = seeded
    r = run(store, "query", "PREFIX kg: <https://w3id.org/kg-vn/ontology#>\nDROP ALL")
    check("update-given-to-query", r, code=2, message=r"^kg: this is a SPARQL update; queries here only read")
    intact(store, before)


def test_query_file_not_utf8(tmp_path, seeded):
    store, before = seeded
    q = tmp_path / "q" / "bad.rq"
    q.parent.mkdir()
    q.write_bytes(b"SELECT \xff\xfe ?x")
    r = run(store, "query", q)
    check("query-file-not-utf8", r, code=2, message=r"query file is not UTF-8 text", names=str(q))
    intact(store, before)


def test_query_with_millions_of_rows_is_capped(seeded):
    store, before = seeded
    assert before ** 3 > 1_000_000
    cross = "SELECT * WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } GRAPH ?g3 { ?h ?i ?j } }"
    start = time.monotonic()
    r = run(store, "query", cross, "--format", "csv")
    assert time.monotonic() - start < 60
    check("query-with-millions-of-rows", r, code=0,
          message=r"^kg: showing the first 10000 rows; more were left out \(use --limit N, 0 for all\)$")
    assert len(r.stdout.splitlines()) == 10_001  # header + the cap
    small = run(store, "query", cross, "--format", "json", "--limit", "3")
    assert small.exit_code == 0 and len(json.loads(small.stdout)) == 3
    assert "first 3 rows" in small.stderr
    intact(store, before)


PARAMS = {
    # case id: (query, --param value, exit code, message regex)
    "param-without-equals": (COUNT_ALL, "oops", 2, r"^kg: oops: --param wants NAME=VALUE$"),
    "param-empty-name": (COUNT_ALL, "=x", 2, r"^kg: =x: --param wants NAME=VALUE$"),
    "param-bad-iri": ("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g=<not an iri>", 2, r"bad IRI in --param"),
    "param-not-in-select": ("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", "o=1", 2, r"^kg: cannot run query: "),
}


@pytest.mark.parametrize("case", sorted(PARAMS))
def test_bad_param(seeded, case):
    store, before = seeded
    query, value, code, message = PARAMS[case]
    r = run(store, "query", query, "--param", value)
    check(case, r, code=code, message=message)
    intact(store, before)


@pytest.mark.parametrize("evil", [
    'Lê Minh Tuấn" } } UNION { GRAPH ?g { ?p ?x ?name } } #',
    "Lê Minh Tuấn' } ; DROP ALL ; #",
    "{ ?p ?q ?r }",
    "<https://w3id.org/kg-vn/person/x> ?p ?o } #",
])
def test_hostile_param_cannot_change_the_query(seeded, evil):
    store, before = seeded
    q = "SELECT ?p ?name WHERE { GRAPH ?g { ?p kg:name ?name } }"
    good = run(store, "query", q, "--param", "name=Lê Minh Tuấn", "--format", "json")
    assert good.exit_code == 0 and len(json.loads(good.stdout)) >= 1
    r = run(store, "query", q, "--param", f"name={evil}", "--format", "json")
    assert r.exit_code in (0, 2) and "Traceback" not in r.output
    if r.exit_code == 0:
        assert json.loads(r.stdout) == []
    else:  # "<...> ?p ?o } #" is read as an IRI, and refused as one
        assert len(r.stderr.strip().splitlines()) == 1
    TABLE["param-with-quotes-or-braces"] = (0, "(none; bound as a literal, matches nothing)")
    intact(store, before)


def test_unknown_export_format(seeded):
    store, before = seeded
    r = run(store, "export", "--format", "xml")
    check("unknown-export-format", r, code=2, message=r"^kg: export: Invalid value for '--format': 'xml' is not one of")
    intact(store, before)


def test_bad_option_value(tmp_path, seeded):
    store, before = seeded
    r = run(store, "ingest", "--jobs", "0", write(tmp_path, "a.txt", ARTICLE))
    check("bad-option-value", r, code=2, message=r"^kg: ingest: Invalid value for '--jobs'")
    intact(store, before)


def test_remove_unknown_document(seeded):
    store, before = seeded
    r = run(store, "remove", "khong-co.txt")
    check("remove-unknown-document", r, code=2, message=r"^kg: khong-co.txt: no document with this id")
    intact(store, before)


# -- the store ---------------------------------------------------------------------------


def test_store_path_is_a_file(tmp_path):
    f = tmp_path / "store.txt"
    f.write_text("giữ nguyên")
    r = run(f, "ingest", write(tmp_path, "a.txt", ARTICLE))
    check("store-path-is-a-file", r, code=2, message=r"is a file, not a store folder", names=str(f))
    assert f.read_text() == "giữ nguyên"


def test_store_folder_of_something_else(tmp_path):
    other = tmp_path / "tai-lieu"
    other.mkdir()
    (other / "ghi-chu.md").write_text("x")
    r = run(other, "ingest", write(tmp_path, "a.txt", ARTICLE))
    check("store-is-another-folder", r, code=2, message=r"is a non-empty folder that is not a kg store", names=str(other))
    assert [p.name for p in other.iterdir()] == ["ghi-chu.md"]


def test_missing_store_for_reading(tmp_path):
    r = run(tmp_path / "none", "stats")
    check("missing-store-for-reading", r, code=2, message=r"no store here; run `kg ingest` first")
    assert not (tmp_path / "none").exists()


def test_store_cannot_be_created(tmp_path):
    target = Path("/proc/kg-store-here")  # not writable, even by root
    r = run(target, "ingest", write(tmp_path, "a.txt", ARTICLE))
    check("store-not-writable", r, code=2, message=r"cannot write here \(.*\); check the path and its permissions",
          names=str(target))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_store_folder(tmp_path, seeded):
    store, before = seeded
    for p in [store, *store.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        r = run(store, "ingest", write(tmp_path, "a.txt", ARTICLE))
        assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    finally:
        for p in [store, *store.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    intact(store, before)


def _hold_lock(store: Path) -> subprocess.Popen:
    code = ("import sys, time\nfrom kg.store import Store\n"
            f"s = Store.open({str(store)!r})\nprint('locked', flush=True)\ntime.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_store_locked_by_another_process(tmp_path, seeded):
    store, before = seeded
    holder = _hold_lock(store)
    try:
        start = time.monotonic()
        r = run(store, "ingest", write(tmp_path, "a.txt", ARTICLE))
        waited = time.monotonic() - start
        check("store-locked-by-another-writer", r, code=2,
              message=r"is in use by another kg process \(waited 2 s\); wait for it to finish$", names=str(store))
        assert waited >= 1.5  # it waited for the lock before giving up
        reading = run(store, "query", COUNT_ALL, "--format", "json")  # readers do not need the lock
        assert reading.exit_code == 0 and int(json.loads(reading.stdout)[0]["n"]) == before
    finally:
        holder.kill()
        holder.wait()
    intact(store, before)


def test_corrupted_store(tmp_path, seeded):
    store, before = seeded
    data = store / "oxigraph"
    damaged = {}
    for f in data.iterdir():
        if f.is_file() and f.name.startswith(("CURRENT", "MANIFEST")):
            f.write_bytes(b"\x00garbage\xff")
            damaged[f.name] = f.read_bytes()
    assert damaged
    for args in (["stats"], ["query", COUNT_ALL], ["ingest", str(write(tmp_path, "a.txt", ARTICLE))]):
        r = run(store, *args)
        check("corrupted-store", r, code=2, message=r"cannot open store data \(.*\); if it is damaged, move it away",
              names=str(store))
    # nothing was "repaired" away: the damaged files are as they were
    assert {name: (data / name).read_bytes() for name in damaged} == damaged


# -- the installed command: nothing reaches stderr but the one line ------------------------


SUBPROCESS_CASES = {
    "empty-file": lambda tmp: ["ingest", str(write(tmp, "empty.txt", b""))],
    "malformed-sparql": lambda tmp: ["query", "SELECT ?x WHERE {"],
    "bad-param": lambda tmp: ["query", COUNT_ALL, "--param", "oops"],
    "unknown-export-format": lambda tmp: ["export", "--format", "xml"],
    "vni-encoding": lambda tmp: ["ingest", str(write(tmp, "vni.txt", to_vni(ARTICLE)))],
}


@pytest.mark.parametrize("case", sorted(SUBPROCESS_CASES))
def test_installed_kg_prints_one_line(tmp_path, seeded, case):
    store, before = seeded
    args = SUBPROCESS_CASES[case](tmp_path)
    p = subprocess.run([str(KG), "--store", str(store), *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    intact(store, before)
