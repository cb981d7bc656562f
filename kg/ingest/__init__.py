"""Paths -> Documents: files and folders (recursively), HTML and JSON Lines archives.

No NLP happens here: a Document is the decoded text of one article plus its metadata.
Everything streams: folders are walked lazily, JSON Lines archives are read line by line,
and every file is read once.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Đồng chí Nguyễn Văn A dự hội nghị.", encoding="utf-8")
    >>> _ = (d / "notes.md").write_text("skip me")
    >>> [(e.source.endswith("a.txt"), e.document.doc_id) for e in read_paths([d]) if e.document]
    [(True, 'a.txt')]
"""

from __future__ import annotations

import re

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.decode import decode_bytes
from kg.ingest.html import declared_charset, html_to_text, iso_date, published_date
from kg.model import Document

__all__ = ["Entry", "read_paths", "read_file", "read_jsonl_record", "TEXT_SUFFIXES", "MAX_BYTES"]

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES

#: Single articles larger than this are refused (JSON Lines archives are streamed instead).
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One thing found under the given paths: a Document, a failure, or a skipped file.

    Exactly one of ``document``, ``error`` and ``skipped`` is set. ``source`` names the
    file (``file:line`` for a JSON Lines record).
    """

    source: str
    document: Document | None = None
    error: InputError | None = None
    skipped: str | None = None  # why a file was not read (not an article's extension)


def content_hash(text: str) -> str:
    """SHA-256 hex digest of a document's decoded text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Entry]:
    """Walk ``paths`` (files or folders, recursively) and yield one Entry per article.

    A missing path, an unreadable file or a bad JSON Lines record becomes an Entry with an
    ``error``; files with other extensions inside folders are ``skipped``. A file given
    explicitly must have one of the known extensions.
    """
    seen_dirs: set[str] = set()
    for raw in paths:
        path = Path(raw)
        name = str(raw)
        if not os.path.lexists(path):
            yield Entry(name, error=InputError("no such file or folder", source=name))
            continue
        if path.is_dir():
            yield from _walk(path, seen_dirs=seen_dirs)
        elif not path.exists():
            yield Entry(name, error=InputError("broken symbolic link", source=name))
        elif path.suffix.lower() not in SUFFIXES:
            yield Entry(
                name,
                error=InputError(
                    f"unsupported file type {path.suffix or '(none)'!r}; "
                    "give .txt, .html, .htm or .jsonl files or a folder",
                    source=name,
                ),
            )
        else:
            yield from _read_any(path)


def _walk(top: Path, *, seen_dirs: set[str]) -> Iterator[Entry]:
    """Files under ``top`` in sorted order; each real folder is visited once (symlink loops)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            real = os.path.realpath(folder)
        except OSError as exc:
            yield Entry(str(folder), error=InputError(f"cannot resolve folder: {exc.strerror}", source=str(folder)))
            continue
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(str(folder), error=InputError(f"cannot list folder: {exc.strerror}", source=str(folder)))
            continue
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows symlinks
                is_file = entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                subdirs.append(path)
            elif entry.name.startswith("."):
                yield Entry(entry.path, skipped="hidden file")
            elif not is_file:
                if entry.is_symlink():
                    yield Entry(entry.path, error=InputError("broken symbolic link", source=entry.path))
                else:
                    yield Entry(entry.path, skipped="not a regular file")
            elif path.suffix.lower() in SUFFIXES:
                yield from _read_any(path)
            else:
                yield Entry(entry.path, skipped=f"extension {path.suffix or '(none)'}")
        stack.extend(reversed(subdirs))


def _read_any(path: Path) -> Iterator[Entry]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from read_jsonl(path)
        return
    try:
        yield Entry(str(path), document=read_file(path))
    except InputError as exc:
        yield Entry(str(path), error=exc)


def _read_bytes(path: Path) -> bytes:
    source = str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(f"too large ({size / 1048576:.0f} MB); split it into articles", source=source)
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("file vanished while reading", source=source) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    if len(data) > MAX_BYTES:
        raise InputError(f"too large (over {MAX_BYTES // 1048576} MB); split it into articles", source=source)
    return data


def read_file(path: str | os.PathLike) -> Document:
    """Read one ``.txt`` / ``.html`` / ``.htm`` article.

    Raises
    ------
    InputError
        unreadable, vanished, too large, binary, empty or undecodable file.
    """
    path = Path(path)
    source = str(path)
    data = _read_bytes(path)
    published = None
    if path.suffix.lower() in HTML_SUFFIXES:
        html = decode_bytes(data, source=source, declared=declared_charset(data))
        published = published_date(html)
        text = html_to_text(html)
        if not text.strip():
            raise InputError("empty file (no visible text in the HTML)", source=source)
    else:
        text = decode_bytes(data, source=source)
    meta = sidecar_metadata(path)
    return Document(
        doc_id=path.name,
        text=text,
        content_hash=content_hash(text),
        source=source,
        url=meta.get("url"),
        published=published or meta.get("date"),
    )


SIDECAR_SUFFIXES = (".src", ".meta")
_YEAR_ONLY = re.compile(r"^\s*((?:19|20)\d{2})\b(?!\s*[-/.]\s*\d)")


def sidecar_metadata(path: Path) -> dict[str, str]:
    """Publication metadata from a sidecar note beside an article (``X.src`` or ``X.meta`` for ``X.txt``).

    The note holds ``key: value`` lines; ``date`` gives the publication date (an ISO or
    day/month/year date, or only a year, kept as "YYYY"), ``url`` the address. A missing
    or unreadable note gives nothing: the article stands on its own.
    """
    for suffix in SIDECAR_SUFFIXES:
        note = path.with_suffix(suffix)
        try:
            lines = note.read_text(encoding="utf-8", errors="replace").splitlines()[:50]
        except OSError:
            continue
        meta: dict[str, str] = {}
        for line in lines:
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if not sep or key not in ("date", "url") or key in meta:
                continue
            value = value.strip()
            if key == "url" and value.startswith(("http://", "https://")):
                meta["url"] = value.split()[0]
            elif key == "date":
                year = _YEAR_ONLY.match(value)
                date = None if year else iso_date(value)
                if date:
                    meta["date"] = date
        return meta
    return {}


def read_jsonl(path: str | os.PathLike) -> Iterator[Entry]:
    """Yield one Entry per line of a JSON Lines archive, reading one line at a time.

    Each line is an object with ``text`` and optionally ``id``, ``date`` (or
    ``published``), ``url`` and ``source``. Blank lines are ignored.
    """
    path = Path(path)
    name = str(path)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        yield Entry(name, error=InputError("file vanished while reading", source=name))
        return
    except OSError as exc:
        yield Entry(name, error=InputError(f"cannot read: {exc.strerror or exc}", source=name))
        return
    with fh:
        lineno = 0
        while True:
            try:
                line = fh.readline(MAX_BYTES + 1)
            except OSError as exc:
                yield Entry(name, error=InputError(f"cannot read: {exc.strerror or exc}", source=name))
                return
            if not line:
                break
            lineno += 1
            where = f"{name}:{lineno}"
            if len(line) > MAX_BYTES:
                yield Entry(where, error=InputError("record too large; split it", source=where))
                # Skip the rest of this overlong line without holding it in memory.
                while line and not line.endswith(b"\n"):
                    line = fh.readline(1 << 20)
                continue
            if not line.strip():
                continue
            try:
                yield Entry(where, document=_record(line, path=path, lineno=lineno))
            except InputError as exc:
                yield Entry(where, error=exc)


def _record(line: bytes, *, path: Path, lineno: int) -> Document:
    where = f"{path}:{lineno}"
    if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8; JSON Lines archives must be UTF-8", source=where) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not a JSON object ({exc.msg})", source=where) from None
    if not isinstance(obj, dict):
        raise InputError("not a JSON object", source=where)
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError('no "text" string in the record', source=where)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty text", source=where)
    doc_id = obj.get("id")
    doc_id = str(doc_id) if doc_id not in (None, "") else f"{path.name}:{lineno}"
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    published = None
    for key in ("date", "published", "published_time"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            published = iso_date(value)
            break
    source = obj.get("source") if isinstance(obj.get("source"), str) else (url or where)
    return Document(
        doc_id=doc_id,
        text=text,
        content_hash=content_hash(text),
        source=source,
        url=url,
        published=published,
    )


def read_jsonl_record(line: bytes, *, path: str | os.PathLike, lineno: int) -> Document:
    """One JSON Lines record (line ``lineno`` of ``path``) as a Document, exactly as
    :func:`read_jsonl` reads it; lets a worker read its own byte range of a large archive.

    Raises
    ------
    InputError
        the line is not a UTF-8 JSON object with a non-empty ``text``.
    """
    return _record(line, path=Path(path), lineno=lineno)
