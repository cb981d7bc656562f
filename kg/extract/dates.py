"""Dates as the genre writes them: "ngày 8/2/2023", "sáng 15-3", "ngày 30 tháng 6 năm 2021".

A day and month without a year are completed only from a year the article fixes
(its publication date or another full date in it), never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CUE = r"(?:ngày|Ngày|sáng|Sáng|chiều|Chiều|tối|Tối|trưa|Trưa|đêm|Đêm|hôm|Hôm|từ|Từ|đến|Đến|tới|trước|sau|\()"
_NUMERIC = re.compile(
    r"(?<![\d/.,])(?P<d>\d{1,2})\s?[/\-.]\s?(?P<m>\d{1,2})(?:\s?[/\-.]\s?(?P<y>(?:19|20)\d{2}))?(?![\d/]|[.,]\d|\s?‰|\s?%)"
)
_WORDS = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s+năm\s+(?P<y>(?:19|20)\d{2}))?", re.IGNORECASE
)
# "trong hai ngày 20 và 21/8/2019", "từ ngày 8 - 10/3", "(20 và 21-6)": a range of days takes its first day
_RANGE = re.compile(
    r"(?:ngày\s+|\(\s*)(?P<d>\d{1,2})\s*(?:và|-|–|đến)\s*\d{1,2}\s*[/\-.](?P<m>\d{1,2})(?:\s*[/\-.]\s*(?P<y>(?:19|20)\d{2}))?(?!\d)",
    re.IGNORECASE,
)
_BIRTH = re.compile(r"(?:sinh|sinh ngày|sinh năm|SN)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d/.\-])(?:năm\s+)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: int
    month: int
    year: int | None

    def iso(self, year: int | None = None) -> str | None:
        """ISO date, using ``year`` when the mention has none; None if still unknown."""
        y = self.year or year
        if not y:
            return None
        try:
            return dt.date(y, self.month, self.day).isoformat()
        except ValueError:
            return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Date mentions in ``text[start:end]``; partial dates need a cue word just before."""
    end = len(text) if end is None else end
    out = []
    for rx in (_RANGE, _WORDS, _NUMERIC):
        for m in rx.finditer(text, start, end):
            if _BIRTH.search(text[max(0, m.start() - 12) : m.start()]) or _BIRTH.search(text[max(0, m.start() - 17) : m.start()].replace("ngày", "").rstrip() + " "):
                continue
            day, month = int(m["d"]), int(m["m"])
            year = int(m["y"]) if m["y"] else None
            if not (1 <= day <= 31 and 1 <= month <= 12):
                continue
            if year is None and rx is _NUMERIC:
                before = text[max(0, m.start() - 12) : m.start()]
                if not re.search(_CUE + r"[\s,]*(?:\w+\s)?$", before):
                    continue
            if any(o.start <= m.start() < o.end for o in out):
                continue
            if year and re.search(r"\d+/%d/[A-ZĐ]" % year, text[max(0, m.start() - 40) : m.start()]):
                continue  # the date of a law cited by its number ("Nghị định 108/2014/NĐ-CP ngày 20-11-2014")
            out.append(DateMention(m.start(), m.end(), day, month, year))
    return sorted(out, key=lambda d: d.start)


def publication_date(text: str, published: str | None) -> str | None:
    """The publication date: source metadata first, else a full date in the article's first lines."""
    if published and len(published) >= 10:
        return published[:10]
    head = text[:400]
    for d in find_dates(head):
        if d.year:
            return d.iso()
    return None


def article_year(text: str, published: str | None) -> int | None:
    """The year the article fixes: its publication year, else the only full-date year in it."""
    pub = publication_date(text, published)
    if pub:
        return int(pub[:4])
    years = {d.year for d in find_dates(text) if d.year}

    if len(years) == 1:
        return years.pop()
    return None


def lead_year(text: str, start: int, end: int) -> int | None:
    """The latest "năm YYYY" of a sentence: the year an undated event belongs to."""
    years = [int(y) for y in _YEAR.findall(text, start, end)]
    return max(years) if years else None
