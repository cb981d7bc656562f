"""Bytes -> text: BOM sniffing, UTF-16 without BOM, strict UTF-8, then a checked guess.

Nothing here knows about files; callers pass the bytes and a ``source`` name for messages.

Examples
--------
>>> decode_bytes("Đồng chí".encode("utf-16"), source="a.txt")
'Đồng chí'
>>> import unicodedata
>>> unicodedata.normalize("NFC", decode_bytes(b"\\xd0a\\xd2ng u\\xd2y", source="a.txt"))  # Windows-1258
'Đảng ủy'
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from kg.errors import InputError

#: File signatures of common binary formats that are never articles.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Letters only Vietnamese uses among Latin scripts (lower case; text is case-folded first).
_VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")

CANNOT_DECODE = "cannot decode: not UTF-8/UTF-16/Windows-1258 text; save it as UTF-8"
BINARY = "binary file, not an article"


def _sniff_binary(data: bytes, *, source: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{BINARY} ({what})", source=source)


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order suggested by where NUL bytes fall, or None."""
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # Mostly-ASCII or Vietnamese text in UTF-16: the high byte of many code units is 0,
    # the low byte almost never is.
    if odd >= 0.2 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.2 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _plausible(text: str) -> bool:
    """True when ``text`` looks like written text: few control or unassigned characters."""
    if not text:
        return False
    bad = 0
    for ch in text:
        if ch in "\n\r\t\f":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cn", "Co", "Cs") or ch == "\ufffd":
            bad += 1
    return bad <= max(2, len(text) // 200)


def _vietnamese_ratio(text: str) -> float:
    """Share of words that contain a letter only Vietnamese uses (after NFC)."""
    words = unicodedata.normalize("NFC", text).lower().split()
    if not words:
        return 0.0
    hits = sum(1 for w in words if any(c in _VIETNAMESE for c in w))
    return hits / len(words)


def _finish(text: str) -> str:
    """Drop a leading BOM character and unify line ends."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode_bytes(data: bytes, *, source: str, declared: str | None = None) -> str:
    """Decode an article's bytes to text.

    Order: binary signatures, BOM, UTF-16 without BOM (by NUL patterns), strict UTF-8,
    ``declared`` charset (e.g. from an HTML meta tag), Windows-1258 when the result reads
    as Vietnamese, then charset-normalizer's best guess when the result reads as text.

    Raises
    ------
    InputError
        "binary file, not an article", "empty file" or "cannot decode: ...".
    """
    _sniff_binary(data, source=source)
    text = _decode(data, source=source, declared=declared)
    text = _finish(text)
    if not text.strip():
        raise InputError("empty file", source=source)
    return text


def _decode(data: bytes, *, source: str, declared: str | None) -> str:
    if not data.strip():
        raise InputError("empty file", source=source)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise InputError(f"{CANNOT_DECODE} (bad {encoding} after its BOM)", source=source) from None
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise InputError(BINARY, source=source)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise InputError(BINARY, source=source) from None
        if not _plausible(text):
            raise InputError(BINARY, source=source)
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            text = ""
        if _plausible(text):
            return text
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if _plausible(text) and _vietnamese_ratio(text) >= 0.15:
        return text
    return _guess(data, source=source)


def _guess(data: bytes, *, source: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise InputError(CANNOT_DECODE, source=source)
    try:
        text = data.decode(best.encoding)
    except (LookupError, UnicodeDecodeError):
        raise InputError(CANNOT_DECODE, source=source) from None
    if not _plausible(text) or not re.search(r"\w{2,}", text):
        raise InputError(CANNOT_DECODE, source=source)
    return text
