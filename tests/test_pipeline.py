"""kg.pipeline: one document in whole or not at all, failures reported, progress, skipping."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kg.pipeline as pipeline  # noqa: E402
from kg.errors import InputError  # noqa: E402
from kg.store import Store  # noqa: E402
from test_ingest import ARTICLE  # noqa: E402


def test_failing_document_is_reported_and_others_continue(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(ARTICLE + "\nHỏng.", encoding="utf-8")
    (tmp_path / "in" / "c.txt").write_text(ARTICLE + "\nLỗi lạ.", encoding="utf-8")
    real = pipeline.extract

    def flaky(text):
        if text.text.endswith("Hỏng."):
            raise InputError("nothing to extract")
        if text.text.endswith("Lỗi lạ."):
            raise ZeroDivisionError("division by zero")
        return real(text)

    monkeypatch.setattr(pipeline, "extract", flaky)
    seen = []
    with Store.open(tmp_path / "store") as store:
        report = pipeline.ingest([tmp_path / "in"], store=store, progress=lambda s, src: seen.append((s, Path(src).name)))
        docs = [d["file"] for d in store.documents()]
    assert report.documents == 1 and docs == ["a.txt"]
    problems = dict((Path(s).name, p) for s, p in report.failed)
    assert problems["b.txt"] == "nothing to extract"
    assert problems["c.txt"].startswith("internal error (ZeroDivisionError: division by zero)")
    assert seen == [("ingested", "a.txt"), ("failed", "b.txt"), ("failed", "c.txt")]
    assert report.usable and "1 documents (2 failed)" in report.summary()


def test_duplicate_content_in_one_run_is_stored_once(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "copy.txt"):
        (tmp_path / "in" / name).write_text(ARTICLE, encoding="utf-8")
    with Store.open(tmp_path / "store") as store:
        report = pipeline.ingest([tmp_path / "in"], store=store)
        assert len(store.documents()) == 1
    assert (report.documents, report.unchanged) == (1, 1)
