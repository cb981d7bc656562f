"""Events, congress results, counts and sub-organizations of one article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg import lexicon
from kg.extract.dates import find_dates
from kg.extract.mentions import parse_org


@dataclass(frozen=True)
class EventCue:
    kind: str
    start: int
    end: int
    sentence: int  # index of the sentence


def _phrase_re(phrases) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + lexicon.alternation(phrases) + r")(?!\w)", re.IGNORECASE)


_KIND_RES: dict[str, re.Pattern] = {}


def kind_res() -> dict[str, re.Pattern]:
    if not _KIND_RES:
        for kind, phrases in lexicon.event_kinds().items():
            _KIND_RES[kind] = _phrase_re(phrases)
    return _KIND_RES


_APPOINT_STRONG = re.compile(
    r"(?:trao|công bố|nhận|trao các|công bố các)\s+(?:các\s+)?quyết định|quyết định\s+(?:điều động|bổ nhiệm|chuẩn y)|được\s+(?:điều động|bổ nhiệm)|bổ nhiệm\s+(?:lại\s+)?(?:ông|bà|đồng chí)",
    re.IGNORECASE,
)
_DISCIPLINE = re.compile(r"kỷ luật|cảnh cáo|khiển trách|cách chức|khai trừ|kết luận thanh tra|Thanh tra[^.]{0,40}kết luận", re.IGNORECASE)
_WORKING = re.compile(r"làm việc", re.IGNORECASE)


# a cue that names another event or a place: "tiếp xúc cử tri trước kỳ họp", "tại Trung tâm Hội nghị"
_ELSEWHERE = re.compile(r"(?:(?<!\w)(?:trước|sau|chuẩn bị cho|phục vụ|chào mừng)\s+(?:các\s+)?|(?:Trung tâm|Cung|Hội trường|Nhà|Khách sạn|Phòng)\s+)$", re.IGNORECASE)


def cues(text: str, sentences) -> list[EventCue]:
    """Event cues per sentence, one per kind and sentence."""
    out = []
    for i, sp in enumerate(sentences):
        for kind, rx in kind_res().items():
            m = next((m for m in rx.finditer(text, sp.start, sp.end) if not _ELSEWHERE.search(text, max(sp.start, m.start() - 25), m.start())), None)
            if not m:
                continue
            if kind == "appointment" and not _APPOINT_STRONG.search(text, sp.start, sp.end):
                continue
            if kind == "visit" and not re.search(r"(?<!\w)(?:thăm|khảo sát|chúc Tết|thị sát)(?!\w)|(?:đi|đến|về)\s+kiểm tra|kiểm tra\s+(?:tình hình|công tác|tiến độ|thực tế|thực địa|hiện trường|công trình|việc)", text[sp.start:sp.end], re.IGNORECASE):
                continue
            if kind == "election" and not re.search(r"(?:được|tín nhiệm|đã|tiến hành)\s+bầu|bầu\s+(?:bổ sung|giữ chức|làm|ông|bà|đồng chí)|kiện toàn\s+(?:chức danh|chức vụ|nhân sự\s+(?:Ban|Ủy ban|Thường trực))|trúng cử|tái cử|tái đắc cử", text[sp.start:sp.end], re.IGNORECASE):
                continue
            if kind == "congress" and re.search(r"(?:nghị quyết|văn kiện|chuẩn bị|tiến tới|hướng tới|chào mừng|đại biểu(?: chính thức)?(?: đi)? dự)\s+$", text[max(0, m.start() - 30):m.start()], re.IGNORECASE):
                continue
            if kind == "congress" and re.search(r"đại hội đồng|đại hội thể dục|đại hội thi đua|đại hội Đảng toàn quốc|Đại hội XIII|Đại hội XIV|đại hội cấp trên", text[m.start():m.end() + 12], re.IGNORECASE):
                continue
            if kind == "ceremony" and not re.search(r"(?<!\w)lễ\s+[a-zđà-ỹ]", text[sp.start:sp.end], re.IGNORECASE):
                continue
            out.append(EventCue(kind, m.start(), m.end(), i))
    return out


_STRONG = {
    "meeting": re.compile(r"(?:kỳ|kì|phiên)\s+họp|họp\s+kỳ", re.IGNORECASE),
    "working_session": re.compile(r"(?:chủ trì|có)\s+buổi làm việc|buổi làm việc\s+(?:với|tại)", re.IGNORECASE),
}


def headline_index(text: str, sentences) -> int:
    """The headline: the first line of at least six words (a page's menu lines come before it)."""
    for i, sp in enumerate(sentences[:15]):
        if sum(1 for w in text[sp.start : sp.end].split() if w.isalpha()) >= 6:
            return i
    return 0


_DATELINE_WORDS = re.compile(
    r"(?:thứ\s+\w+|chủ nhật|ngày đăng|cập nhật|đăng lúc|đăng ngày|gmt[+\-]?\d*|lượt xem|\d+[/:\-.]\d+(?:[/:\-.]\d+)?|[|:,()+\-])",
    re.IGNORECASE,
)


def is_dateline(text: str, sp) -> bool:
    """A line that only gives when the article was published ("Thứ Tư, 15/07/2020 | 19:45")."""
    rest = _DATELINE_WORDS.sub(" ", text[sp.start : sp.end])
    return len(rest.split()) <= 2 and bool(re.search(r"\d", text[sp.start : sp.end]))


def lead_indices(text: str, sentences, n: int = 3) -> list[int]:
    """The headline and the first ``n`` sentences after it that are not datelines or bylines."""
    if not sentences:
        return []
    first = headline_index(text, sentences)
    out = [first]
    for i in range(first + 1, min(len(sentences), first + 12)):
        if len(out) > n:
            break
        sp = sentences[i]
        if is_dateline(text, sp) or len(text[sp.start : sp.end].split()) <= 3:
            continue
        out.append(i)
    return out


def main_kinds(text: str, sentences, found: list[EventCue]) -> list[tuple[str, list[EventCue], bool]]:
    """The events the article reports: (kind, its cues, is it the main event), main first.

    The headline and the lead decide the main event: the first kind in FORMAT.md's
    precedence that they announce (a disciplinary decision announced there is "other").
    Other kinds are kept as events of their own when the headline announces them too
    ("thăm, làm việc"), or when their sentences name the people taking part in them.
    """
    order = list(lexicon.event_kinds())
    lead_idx = lead_indices(text, sentences)
    if not lead_idx:
        return []
    first = lead_idx[0]
    lead = [c for c in found if c.sentence in lead_idx]
    pool = lead or found
    if not pool:
        return []
    lead_end = sentences[lead_idx[-1]].end
    if any(c.kind == "other" for c in pool) and _DISCIPLINE.search(text[:lead_end]):
        main = "other"
    elif lead:
        main = min(lead, key=lambda c: (order.index(c.kind), c.sentence)).kind
    else:
        main = min(found, key=lambda c: (c.sentence, order.index(c.kind))).kind  # the first one told
    by_kind: dict[str, list[EventCue]] = {}
    for c in found:
        by_kind.setdefault(c.kind, []).append(c)
    council = re.search(r"HĐND|Hội đồng nhân dân|kỳ họp", text[:lead_end])
    if main == "election" and council and "meeting" in by_kind:
        main = "meeting"  # a people's council electing its officers does so in a session
    out = [(main, by_kind[main], True)]
    headline = {c.kind for c in found if c.sentence == first}
    for kind in order:
        if kind == main or kind not in by_kind:
            continue
        if kind == "election" and (main == "meeting" and council or main == "congress"):
            continue  # a council's session or a congress elects: the election is part of it
        if kind in headline:
            out.append((kind, by_kind[kind], False))
        elif kind in ("meeting", "working_session"):
            # a session held during another event (a kỳ họp that decides a discipline), a
            # working session after a visit: only when told as such
            strong = [c for c in by_kind[kind] if _STRONG[kind].search(text, sentences[c.sentence].start, sentences[c.sentence].end)]
            if strong:
                out.append((kind, strong, False))
        else:
            # "Trước đó, ngày 10/8, đoàn đã đi khảo sát ...": told as a happening of its own day
            dated = [c for c in by_kind[kind] if _opens_with_date(text, sentences[c.sentence])]
            if dated and kind not in ("election", "other"):
                out.append((kind, dated, False))
    return out


def _opens_with_date(text: str, sp) -> bool:
    head = text[sp.start : min(sp.end, sp.start + 45)]
    return bool(re.match(r"\s*(?:Trước đó|Sau đó|Tiếp đó|Cũng trong|Trong)[^,]{0,20},\s*(?:sáng|chiều|tối|trưa)?\s*"
                         r"(?:(?:ngày\s+)?\d{1,2}[/-]\d{1,2}|cùng ngày)", head, re.IGNORECASE))


def split_by_date(text: str, sentences, kinds):
    """A round-up ("Tuyên Quang: Sáng 14/8, ... Gia Lai: Ngày 13/8, ...") tells one event per
    date: the main kind's cues that open with different dates become events of their own."""
    if not kinds:
        return kinds
    kind, cues_, is_main = kinds[0]
    dated: dict[tuple, list[EventCue]] = {}
    for c in cues_:
        sp = sentences[c.sentence]
        opening = [d for d in find_dates(text, sp.start, min(sp.end, sp.start + 40))]
        if opening:
            dated.setdefault((opening[0].day, opening[0].month), []).append(c)
    if len(dated) < 2:
        return kinds
    groups = sorted(dated.values(), key=lambda cs: cs[0].sentence)
    out = [(kind, groups[0], True)] + [(kind, g, False) for g in groups[1:]]
    return out + kinds[1:]


_TERM = re.compile(r"nhiệm kỳ\s+((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", re.IGNORECASE)
_SIZE = re.compile(
    r"(?:Ban Chấp hành|BCH)[^.;]{0,80}?(?:gồm|có)\s+(\d{1,3})\s+(?:đồng chí|ủy viên|thành viên)"
    r"|bầu\s+(\d{1,3})\s+(?:đồng chí|ủy viên)\s+(?:vào|tham gia)\s+(?:Ban Chấp hành|BCH)",
    re.IGNORECASE,
)
_DELEGATES = re.compile(
    r"(?:bầu|bầu ra|chọn)\s+(?:đoàn\s+)?(\d{1,3})\s+đại biểu(?:\s+chính thức)?(?:\s+và\s+\d+\s+đại biểu dự khuyết)?\s+(?:đi\s+)?dự\s+Đại hội",
    re.IGNORECASE,
)


def congress_results(text: str) -> tuple[str | None, int | None, int | None]:
    """(term, committee size, delegates) stated in the article."""
    terms = [(int(a), int(b)) for a, b in _TERM.findall(text) if int(b) - int(a) in (4, 5)]
    term = "%d-%d" % max(terms) if terms else None
    size = next((int(a or b) for a, b in _SIZE.findall(text)), None)
    delegates = next((int(d) for d in _DELEGATES.findall(text)), None)
    return term, size, delegates


def higher_congress_org(text: str) -> tuple[str, int, int] | None:
    """The organization of the higher-level congress that delegates are elected to."""
    m = _DELEGATES.search(text)
    if not m:
        return None
    j = m.end()
    jm = re.compile(r"\s*(?:đại biểu\s+)?", re.IGNORECASE).match(text, j)
    j = jm.end() if jm else j
    org, e = parse_org(text, j, min(len(text), j + 120))
    if org:
        org = re.sub(r"\s+(?:lần thứ|khóa)\s+[IVXLC\d]+.*$", "", org)
    return (org, m.start(), e) if org else None


_COUNTS = {
    "party_members": re.compile(
        r"(?:tổng số|có|gồm|với|toàn Đảng bộ có|hiện có|là|,|và)\s+(?:tổng số\s+)?(\d{1,3}(?:\.\d{3})*|\d+)\s+đảng viên(?=\s*(?:[,.;:)]|$|sinh hoạt|trong đó|thuộc|ở|tại|của|đang|và|với))",
        re.IGNORECASE,
    ),
    "party_cells": re.compile(
        r"(?:có|gồm|với|tại|sinh hoạt tại|sinh hoạt ở|ở|,)\s+(\d{1,3})\s+(?:chi bộ|tổ chức cơ sở đảng|chi, đảng bộ|chi bộ, đảng bộ|chi bộ và đảng bộ|đảng bộ bộ phận)(?:\s+trực thuộc|\s+cơ sở|,|\s)",
        re.IGNORECASE,
    ),
    "staff": re.compile(
        r"(?:có|gồm|tổng số|với|quản lý|,|và)\s+(\d{1,3}(?:\.\d{3})*|\d+)\s+(?:cán bộ, công chức, viên chức|công chức, viên chức|cán bộ, viên chức|cán bộ, nhân viên|viên chức|người lao động)",
        re.IGNORECASE,
    ),
    "units": re.compile(r"(?:có|gồm|với|,)\s+(\d{1,3})\s+(?:đơn vị trực thuộc|đơn vị sự nghiệp|đơn vị|khoa, phòng|khoa phòng|phòng, khoa|phòng, ban|phòng ban)(?!\s+(?:đạt|hoàn thành))", re.IGNORECASE),
}


_LIST_OPEN = re.compile(r"(?<!\w)(?:có|gồm|với)\s+(?:\w+\s+){0,2}\d", re.IGNORECASE)
_MAKE_UP = re.compile(r"\d\s+(?:đảng bộ|chi bộ|tổ chức cơ sở đảng|giường|khoa|phòng|đơn vị)", re.IGNORECASE)
_NOT_MAKE_UP = re.compile(r"kiểm tra|kỷ luật|vi phạm|kết nạp|khen thưởng|xử lý|trong đó", re.IGNORECASE)


def _list_item(text: str, start: int, end: int) -> bool:
    """A list of what an organization is made of, opened by "có"/"gồm" ("có 13 đảng bộ trực
    thuộc, 441 tổ chức cơ sở đảng và ..."), not a list of people checked or disciplined."""
    return bool(_LIST_OPEN.search(text, start, end) and _MAKE_UP.search(text, start, end)
                and not _NOT_MAKE_UP.search(text, start, end))


def counts(text: str, start: int, end: int) -> list[tuple[str, int, int, int]]:
    """(what, value, start, end) of the counts stated in a sentence."""
    out = []
    for what, rx in _COUNTS.items():
        for m in rx.finditer(text, start, end):
            before = text[max(start, m.start(1) - 8) : m.start(1)]
            if re.search(r"\d/\s*$", before):
                continue
            value = int(m.group(1).replace(".", ""))
            if what == "units" and "hơn" in m.group(0):
                continue
            if m.group(0)[0] in ",vV" and not _list_item(text, max(start, m.start() - 80), m.start()):
                continue  # ", 441 tổ chức cơ sở đảng" counts only inside a list of an organization's make-up
            out.append((what, value, m.start(), m.end()))
    return out


_SUB = re.compile(r"(?:là\s+)?(?:tổ chức cơ sở đảng\s+|đảng bộ cơ sở\s+|đơn vị\s+)?trực thuộc\s+", re.IGNORECASE)


def parent_org(text: str, start: int, end: int) -> tuple[str, int, int, bool] | None:
    """The organization a sentence says something is directly under ("X là tổ chức cơ sở
    đảng trực thuộc Y"): (parent, start, end, the child comes after it). Only when an
    organization stands right before it, or the sentence opens with "Là ... trực thuộc Y, X"."""
    m = _SUB.search(text, start, end)
    if not m:
        return None
    before = text[max(start, m.start() - 60) : m.start()]
    fronted = bool(re.match(r"\s*Là\s", text[start : start + 6]))
    if re.search(r"(?<!số )(?<!\w)\d+(?!\w)|chi bộ\s*$|đơn vị\s*$|các\s*$|[,;]\s*$", before) and not fronted:
        return None
    if not fronted and not re.search(
            r"(?:Đảng bộ|Đảng ủy|Chi bộ|Sở|Ban|Trung tâm|Văn phòng|Phòng|Bệnh viện|Trường|Chi cục|Cục)\s+[^,;]{1,45}$", before):
        return None
    org, e = parse_org(text, m.end(), end)
    return (org, m.start(), e, fronted) if org else None
