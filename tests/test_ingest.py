"""kg.ingest: paths -> Documents, encodings, HTML, JSON Lines, and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import MAX_BYTES, read_file, read_jsonl, read_paths
from kg.ingest.decode import decode_bytes
from kg.ingest.html import html_to_text, published_date

ARTICLE = (
    "Sáng 12/3/2024, Đồng chí Nguyễn Văn Hùng, Ủy viên Ban Thường vụ Tỉnh ủy, "
    "Phó Chủ tịch Ủy ban nhân dân tỉnh Lào Cai dự hội nghị tổng kết công tác đảng năm 2023 "
    "của Đảng bộ Sở Y tế.\nĐồng chí Trần Thị Mai, Bí thư Đảng ủy Sở Y tế chủ trì hội nghị."
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def to_cp1258(text: str) -> bytes:
    """Encode like Windows-1258 editors do: base letters precomposed, tone marks combining."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            merged = unicodedata.normalize("NFC", base + mark)
            if len(merged) == 1:
                try:
                    merged.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base, marks = merged, marks[:i] + marks[i + 1 :]
                break
        out.append(base + "".join(marks))
    return "".join(out).encode("cp1258")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


def errors_of(paths) -> list[str]:
    return [str(e.error) for e in read_paths(paths) if e.error]


# -- encodings ---------------------------------------------------------------------------


def test_utf8_document_fields(tmp_path):
    p = write(tmp_path, "004_abc.txt", ARTICLE)
    doc = read_file(p)
    assert doc.doc_id == "004_abc.txt"
    assert doc.text == ARTICLE
    assert doc.content_hash == hashlib.sha256(ARTICLE.encode()).hexdigest()
    assert doc.source == str(p)


def test_utf8_bom_and_crlf_are_removed(tmp_path):
    p = write(tmp_path, "a.txt", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    assert read_file(p).text == ARTICLE


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_with_and_without_bom(tmp_path, encoding):
    p = write(tmp_path, "a.txt", ARTICLE.encode(encoding))
    doc = read_file(p)
    assert doc.text == ARTICLE
    # Same text, same hash, whatever the encoding on disk.
    assert doc.content_hash == hashlib.sha256(ARTICLE.encode()).hexdigest()


def test_windows_1258(tmp_path):
    raw = to_cp1258(ARTICLE)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = read_file(write(tmp_path, "a.txt", raw))
    assert nfc(doc.text) == ARTICLE


def test_nfd_text_is_kept_for_normalize(tmp_path):
    text = unicodedata.normalize("NFD", ARTICLE)
    doc = read_file(write(tmp_path, "a.txt", text))
    assert doc.text == text  # ingest decodes; normalization is kg.normalize's job
    assert nfc(doc.text) == ARTICLE


def test_latin1_non_vietnamese_text_decodes(tmp_path):
    text = "Le conseil municipal s'est réuni à Genève pour débattre du budget élevé de l'année."
    doc = read_file(write(tmp_path, "fr.txt", text.encode("latin-1")))
    assert "Genève" in doc.text and "débattre" in doc.text


def test_undecodable_bytes(tmp_path):
    raw = bytes(range(0x80, 0x100)) * 20 + b"\x01\x02\x03" * 50
    with pytest.raises(InputError, match="binary|cannot decode"):
        read_file(write(tmp_path, "a.txt", raw))


# -- bad inputs --------------------------------------------------------------------------


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match="empty file") as exc:
        read_file(write(tmp_path, "empty.txt", b""))
    assert "empty.txt" in str(exc.value)


def test_whitespace_only_file(tmp_path):
    with pytest.raises(InputError, match="empty file"):
        read_file(write(tmp_path, "blank.txt", " \n\t\r\n   \n"))


def test_whitespace_only_utf16(tmp_path):
    with pytest.raises(InputError, match="empty file"):
        read_file(write(tmp_path, "blank.txt", "  \n \n".encode("utf-16")))


def test_png_renamed_txt_is_binary(tmp_path):
    with pytest.raises(InputError, match="binary file, not an article"):
        read_file(write(tmp_path, "photo.txt", PNG + os.urandom(200)))


def test_zip_renamed_txt_is_binary(tmp_path):
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", ARTICLE)
    with pytest.raises(InputError, match="binary file, not an article"):
        read_file(write(tmp_path, "archive.txt", z.read_bytes()))


def test_nul_bytes_in_non_utf16_data_is_binary(tmp_path):
    raw = b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 64
    with pytest.raises(InputError, match="binary file"):
        read_file(write(tmp_path, "a.txt", raw[2:]))  # no BOM at the start
    with pytest.raises(InputError, match="binary file"):
        read_file(write(tmp_path, "b.txt", ARTICLE.encode() + b"\x00" * 3 + os.urandom(64).replace(b"\x00", b"")))


def test_missing_path_is_reported_by_name(tmp_path):
    missing = tmp_path / "khong-co.txt"
    errs = errors_of([missing])
    assert errs == [f"{missing}: no such file or folder"]


def test_unsupported_explicit_file(tmp_path):
    p = write(tmp_path, "photo.png", PNG)
    errs = errors_of([p])
    assert len(errs) == 1 and "unsupported file type '.png'" in errs[0]


def test_too_large_file(tmp_path, monkeypatch):
    import kg.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_BYTES", 1000)
    p = write(tmp_path, "big.txt", "a" * 5000)
    with pytest.raises(InputError, match="too large"):
        ingest.read_file(p)
    assert MAX_BYTES == 50 * 1024 * 1024


def test_unreadable_file(tmp_path, monkeypatch):
    import kg.ingest as ingest

    p = write(tmp_path, "a.txt", ARTICLE)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(ingest, "open", denied, raising=False)
    with pytest.raises(InputError) as exc:
        ingest.read_file(p)
    assert str(exc.value) == f"{p}: cannot read: Permission denied"


def test_file_vanishing_mid_ingest(tmp_path):
    a = write(tmp_path, "d/a.txt", ARTICLE)
    b = write(tmp_path, "d/b.txt", ARTICLE + " Thêm.")
    it = read_paths([tmp_path / "d"])
    first = next(it)
    assert first.document is not None and first.document.doc_id == "a.txt"
    b.unlink()  # vanishes after the folder was listed
    second = next(it)
    assert second.error is not None
    assert str(second.error) == f"{b}: file vanished while reading"
    assert a.exists()


# -- folders -----------------------------------------------------------------------------


def test_folder_recursive_mixed(tmp_path):
    write(tmp_path, "d/a.txt", ARTICLE)
    write(tmp_path, "d/sub/b.html", f"<html><body><p>{ARTICLE}</p></body></html>")
    write(tmp_path, "d/sub/c.HTM", "<p>Đồng chí Lê Văn Nam dự lễ khánh thành.</p>")
    write(tmp_path, "d/sub/photo.png", PNG)
    write(tmp_path, "d/readme.md", "x")
    write(tmp_path, "d/empty.txt", "")
    entries = list(read_paths([tmp_path / "d"]))
    docs = sorted(e.document.doc_id for e in entries if e.document)
    assert docs == ["a.txt", "b.html", "c.HTM"]
    assert sorted(Path(e.source).name for e in entries if e.skipped) == ["photo.png", "readme.md"]
    assert [Path(e.source).name for e in entries if e.error] == ["empty.txt"]


def test_symlink_loop_terminates(tmp_path):
    d = tmp_path / "d"
    write(tmp_path, "d/sub/a.txt", ARTICLE)
    (d / "sub" / "loop").symlink_to(d, target_is_directory=True)
    (d / "self").symlink_to(".", target_is_directory=True)
    (d / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    entries = list(read_paths([d]))
    docs = [e.document.doc_id for e in entries if e.document]
    assert docs == ["a.txt"]
    assert [str(e.error) for e in entries if e.error] == [f"{d / 'broken.txt'}: broken symbolic link"]


# -- HTML --------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Hội nghị - Báo tỉnh</title>
<meta property="article:published_time" content="2024-03-12T08:30:00+07:00">
<style>p { color: red }</style><script>var x = "<p>Không phải bài</p>";</script>
</head><body>
<noscript>Bật JavaScript</noscript><template><p>mẫu</p></template>
<h1>Hội nghị tổng kết công tác đảng</h1>
<div class="content"><p>Đồng chí <b>Nguyễn Văn Hùng</b>, Phó Chủ tịch UBND tỉnh &amp; các đại biểu&nbsp;dự hội nghị.
<p>Đồng chí Trần Thị Mai, Bí thư Đảng ủy, chủ trì <i>hội nghị<br>tại Hội trường &quot;A&quot;
<div><span>Tổng kết: &#272;ảng bộ có 230 đảng viên</div></body></html>"""


def test_html_text_blocks_entities_scripts(tmp_path):
    doc = read_file(write(tmp_path, "bai.html", HTML))
    lines = doc.text.split("\n")
    assert lines[0] == "Hội nghị tổng kết công tác đảng"
    assert "Đồng chí Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh & các đại biểu dự hội nghị." in lines
    assert "tại Hội trường \"A\"" in lines
    assert "Tổng kết: Đảng bộ có 230 đảng viên" in lines
    for gone in ("color", "var x", "Không phải bài", "JavaScript", "mẫu", "<"):
        assert gone not in doc.text
    assert doc.published == "2024-03-12"
    assert doc.content_hash == hashlib.sha256(doc.text.encode()).hexdigest()


@pytest.mark.parametrize(
    "meta,expected",
    [
        ('<meta name="pubdate" content="2023-02-08">', "2023-02-08"),
        ('<meta name="date" content="08/02/2023">', "2023-02-08"),
        ('<meta itemprop="datePublished" content="2023-2-8T10:00">', "2023-02-08"),
        ('<meta name="description" content="2023-02-08">', None),
    ],
)
def test_html_date_meta(meta, expected):
    assert published_date(f"<html><head>{meta}</head><body>x</body></html>") == expected


def test_html_declared_windows_1258(tmp_path):
    html = '<html><head><meta charset="windows-1258"></head><body><p>' + ARTICLE + "</p></body></html>"
    doc = read_file(write(tmp_path, "a.htm", to_cp1258(html)))
    assert nfc(doc.text) == ARTICLE.replace("\n", " ")


def test_html_without_visible_text_is_empty(tmp_path):
    with pytest.raises(InputError, match="empty file"):
        read_file(write(tmp_path, "a.html", "<html><body><script>x()</script> </body></html>"))


def test_deeply_nested_broken_html():
    html = "<div>" * 5000 + "Đồng chí <b>Lê Văn Nam" + "</span>" * 100
    assert html_to_text(html) == "Đồng chí Lê Văn Nam"


# -- JSON Lines --------------------------------------------------------------------------


def test_jsonl_records(tmp_path):
    lines = [
        json.dumps({"id": "u1", "text": ARTICLE, "source": "demo:1", "date": "2024-03-12"}, ensure_ascii=False),
        "",
        json.dumps({"text": "Đồng chí Lê Văn Nam dự lễ.", "url": "https://example.vn/a"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "u4", "text": "   "}),
        json.dumps(["a"]),
    ]
    p = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n")
    entries = list(read_jsonl(p))
    docs = [e.document for e in entries if e.document]
    assert [d.doc_id for d in docs] == ["u1", "a.jsonl:3"]
    assert docs[0].published == "2024-03-12" and docs[0].source == "demo:1"
    assert docs[1].url == "https://example.vn/a" and docs[1].source == "https://example.vn/a"
    errs = [str(e.error) for e in entries if e.error]
    assert errs[0].startswith(f"{p}:4: not a JSON object")
    assert errs[1] == f"{p}:5: empty text"
    assert errs[2] == f"{p}:6: not a JSON object"


def test_jsonl_real_archive_streams():
    path = Path("/work/shared/corpus/unlabeled/articles.jsonl")
    if not path.exists():
        pytest.skip("shared corpus not available")
    it = read_paths([path])
    first = next(it)
    assert first.document is not None and first.document.doc_id
    assert first.document.text.strip()
    n = 1 + sum(1 for e in it if e.document)
    assert n > 100


def test_html_page_furniture_is_dropped_and_the_article_kept():
    body = "".join(f"<p>Đoạn {i}: Sáng 2/3, UBND tỉnh Gia Lai tổ chức hội nghị công bố quyết định bổ nhiệm cán bộ.</p>" for i in range(4))
    html = ("<html><body><div class='top-bar'>Thứ Hai, ngày 03/03/2025</div><ul class='nav'><li>Trang chủ</li></ul>"
            "<div id='breadcrumb'>Tin tức » Chính trị</div><div id='content'><div class='article'>"
            "<h1>Bổ nhiệm Giám đốc Sở Y tế</h1><div class='sapo'>(gialai.gov.vn) - Lời dẫn của bài báo.</div>"
            f"<div class='body'>{body}</div></div><div class='related'><a>Phó Chủ tịch tỉnh thăm xã</a></div></div>"
            "<div id='footer'><p>Chịu trách nhiệm chính: Ông Trần Văn A</p></div></body></html>")
    text = html_to_text(html)
    assert text.startswith("Bổ nhiệm Giám đốc Sở Y tế\n(gialai.gov.vn) - Lời dẫn")
    for furniture in ("Thứ Hai, ngày 03/03/2025", "Trang chủ", "Tin tức » Chính trị", "thăm xã", "Trần Văn A"):
        assert furniture not in text
    assert text.count("Đoạn") == 4
