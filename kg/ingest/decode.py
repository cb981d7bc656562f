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

CANNOT_DECODE = "cannot decode: not UTF-8/UTF-16/Windows-1258/TCVN3 text; save it as UTF-8"
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
    ``declared`` charset (e.g. from an HTML meta tag), Windows-1258 or TCVN3 (whichever
    reads as Vietnamese syllables), a refusal of VNI (detected, not decoded), then
    charset-normalizer's best guess when the result reads as text.

    Raises
    ------
    InputError
        "binary file, not an article", "empty file", "legacy Vietnamese encoding (VNI)
        ..." or "cannot decode: ...".
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
    # Legacy single-byte Vietnamese: Windows-1258 and TCVN3 (ABC) overlap, so both are
    # decoded and the one whose words read as Vietnamese syllables wins.
    best, best_score = "", 0.0
    for decoder in (_decode_cp1258, decode_tcvn3):
        text = decoder(data)
        if _plausible(text) and _vietnamese_ratio(text) >= 0.15:
            score = _syllable_score(text)
            if score > best_score:
                best, best_score = text, score
    if best and best_score >= 0.6:
        return best
    if _looks_like_vni(data):
        raise InputError(LEGACY_VNI, source=source)
    return _guess(data, source=source)


def _decode_cp1258(data: bytes) -> str:
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        return ""


#: TCVN3 (TCVN 5712:1993 "ABC"): lower-case letters, and the upper-case letters without a
#: tone mark; the upper-case toned letters lived in separate fonts and read as lower case.
_TCVN3_LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_BYTES = bytes.fromhex(
    "b5 b8 b6 b7 b9  a8 bb be bc bd c6  a9 c7 ca c8 c9 cb  ae"  # a ă â đ
    "cc d0 ce cf d1  aa d2 d5 d3 d4 d6"  # e ê
    "d7 dd d8 dc de"  # i
    "df e3 e1 e2 e4  ab e5 e8 e6 e7 e9  ac ea ed eb ec ee"  # o ô ơ
    "ef f3 f1 f2 f4  ad f5 f8 f6 f7 f9"  # u ư
    "fa fd fb fc fe"  # y
    "a1 a2 a7 a3 a4 a5 a6"  # Ă Â Đ Ê Ô Ơ Ư
)
assert len(_TCVN3_BYTES) == len(_TCVN3_LETTERS)
_TCVN3 = {b: ch for b, ch in zip(_TCVN3_BYTES, _TCVN3_LETTERS)}

LEGACY_VNI = ("legacy Vietnamese encoding (VNI) is not supported; convert the file to UTF-8 "
              "(e.g. with Unikey's converter)")


def decode_tcvn3(data: bytes) -> str:
    """Decode TCVN3 (ABC) bytes; bytes outside its letter table read as Windows-1252.

    >>> decode_tcvn3(b"\\xa7\\xb6ng \\xf1y")
    'Đảng ủy'
    """
    return "".join(_TCVN3.get(b) or bytes([b]).decode("cp1252", errors="replace") for b in data)


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: Vowel groups of Vietnamese syllables (tone marks removed), longest first.
_NUCLEI = sorted(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô "
    "uơ ưa ưi ươ ưu uy yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu".split(), key=len, reverse=True)
_SYLLABLE = re.compile(
    "(?:b|ch?|d|đ|gh?|gi|h|kh?|l|m|ngh?|nh?|ph?|qu|r|s|th?|tr|v|x)?"
    f"(?:{'|'.join(_NUCLEI)})(?:ch?|m|ng?|nh|p|t)?")


def _syllable_score(text: str) -> float:
    """Share of the words with a non-ASCII letter that are well-formed Vietnamese syllables
    (onset, one to three vowels, coda; at most one tone mark)."""
    words = [w.strip(".,;:!?()[]\"'“”‘’-–…/\u00ad") for w in unicodedata.normalize("NFC", text).lower().split()]
    words = [w for w in words if w and not w.isascii()]
    if not words:
        return 0.0
    good = 0
    for w in words:
        marks = unicodedata.normalize("NFD", w)
        toneless = unicodedata.normalize("NFC", "".join(c for c in marks if c not in _TONES))
        tones = len(marks) - len("".join(c for c in marks if c not in _TONES))
        good += tones <= 1 and _SYLLABLE.fullmatch(toneless) is not None
    return good / len(words)


#: VNI-Windows writes a Vietnamese letter as an ASCII vowel followed by a mark byte, which
#: reads in Windows-1252 as a vowel followed by an accented letter ("Vieät", "chaøo").
_VNI_PAIR = re.compile("[aeiouyAEIOUY][\u00c0-\u00c6\u00c8-\u00cf\u00d2-\u00d6\u00d8-\u00dc"
                       "\u00e0-\u00e6\u00e8-\u00ef\u00f2-\u00f6\u00f8-\u00fc]")


def _looks_like_vni(data: bytes) -> bool:
    text = data.decode("cp1252", errors="replace")
    words = text.split()
    if len(words) < 3:
        return False
    hits = sum(1 for w in words if _VNI_PAIR.search(w) or w[:1] in ("\u00d1", "\u00f1"))
    return hits / len(words) >= 0.15


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
