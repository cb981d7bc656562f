"""Document -> Text: Unicode NFC, one tone placement, clean spacing, sentences.

The normalized text is what every Evidence offset points into. Normalization never
depends on what the extractor will look for: it only removes differences of writing
(NFD vs NFC, "uỷ" vs "ủy", word-segmented "Nguyễn_Văn_A", spaces before commas,
non-breaking and zero-width spaces).
"""

from __future__ import annotations

import re
import unicodedata

from kg.lexicon import fold_tones
from kg.model import Document, Span, Text

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SEGMENTED = re.compile(r"(?<=\w)_(?=\w)")  # word-segmented text: "Nguyễn_Văn_A"
_SPACE_BEFORE = re.compile(r" +(?=[,.;:!?%)\]”])")
_SPACE_AFTER = re.compile(r"(?<=[(\[“]) +")
_GLUED_DASH = re.compile(r"(?<=\w)\s?[-–]\s(?=[A-ZĐÀ-Ỹ])|(?<=\w)\s[-–](?=[A-ZĐÀ-Ỹ])")  # "Tồn- Phó" -> "Tồn - Phó"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201f": '"', "\u00ab": '"', "\u00bb": '"'})
# A sentence ends at a newline, or at . ! ? followed by a space and an upper-case letter,
# a digit or a quote.
_SENTENCE_END = re.compile(r"\n+|(?<=[.!?…])\s+(?=[\"“'(]?[A-ZĐÀ-Ỹ0-9])")
_DATE_LINE = re.compile(
    r"(?:ngày\s+)?(\d{1,2})[/\-.](\d{1,2})[/\-.]((?:19|20)\d{2})", re.IGNORECASE
)


def clean(raw: str) -> str:
    """Normalize one string of article text (see module docstring).

    >>> clean("Uỷ ban nhân dân tỉnh Thanh Hoá , khoá XVII")
    'Ủy ban nhân dân tỉnh Thanh Hóa, khóa XVII'
    >>> clean("Nguyễn_Văn_An")
    'Nguyễn Văn An'
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_QUOTES)
    text = _ZERO_WIDTH.sub("", text)
    text = _SEGMENTED.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub("", text)
    text = _SPACE_AFTER.sub("", text)
    text = _GLUED_DASH.sub(" - ", text)
    text = fold_tones(text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans of normalized text."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append(Span(start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return tuple(s for s in spans if text[s.start : s.end].strip())


def normalize(doc: Document) -> Text:
    """The normalized Text of a Document."""
    text = clean(doc.text)
    return Text(doc=doc, text=text, sentences=sentences(text), published=doc.published)
