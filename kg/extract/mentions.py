"""Text -> mentions: person names, titles (role + organization) and provinces.

All matching is driven by the lexicons in ``ontology/lexicon``. Positions are absolute
offsets into the normalized text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg import lexicon

_UPPER = "A-ZĐÀ-ỸÂĂÊÔƠƯ"
_WORD = re.compile(r"[^\s,;:()\"“”\[\]!?]+")


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str
    honorific: bool  # introduced by đồng chí / ông / bà ...
    plural: bool = False  # "các ông", "các đồng chí": a list follows


@dataclass(frozen=True)
class Title:
    start: int
    end: int
    role: str
    org: str | None
    former: bool  # "nguyên ..."
    acting: bool = False


@dataclass(frozen=True)
class ProvinceMention:
    start: int
    end: int
    name: str


# --- lexicon-derived patterns -------------------------------------------------------

@cache
def _province_re() -> re.Pattern:
    return re.compile(r"(?<!\w)(" + lexicon.alternation(lexicon.province_forms()) + r")(?!\w)")


@cache
def _role_re() -> re.Pattern:
    roles = lexicon.roles()
    return re.compile(
        r"(?<!\w)(?P<nguyen>(?:[Nn]guyên|NGUYÊN)\s+)?(?P<role>(?:Quyền\s+|QUYỀN\s+)?(?:" + lexicon.alternation(roles["roles"]) + r"))(?!\w)",
        re.IGNORECASE,
    )


@cache
def _org_head_re() -> re.Pattern:
    orgs = lexicon.organizations()
    heads = orgs["heads"] + orgs["levels"] + ("Trung ương",)
    return re.compile(r"(?:" + lexicon.alternation(heads) + r")(?!\w)", re.IGNORECASE)


@cache
def _inner_re() -> re.Pattern:
    orgs = lexicon.organizations()
    return re.compile(r"(?:" + lexicon.alternation(orgs["inner"] + (", Thể thao và Du lịch", "Mặt trận Tổ quốc", "Tổ quốc")) + r")(?!\w)")


@cache
def _honorific_re() -> re.Pattern:
    return re.compile(r"(?<!\w)(?P<h>" + lexicon.alternation(lexicon.honorifics()) + r")\s*:?\s+(?=[" + _UPPER + "])")


@cache
def _place_word_re() -> re.Pattern:
    return re.compile(r"(?:" + lexicon.alternation(lexicon.not_persons()["place_words"]) + r")\s+$")


def _is_title_word(w: str) -> bool:
    """A syllable of a person name: Title-case letters only ("Sơn", "Mửi", "H'Hen")."""
    return bool(w) and w[0].isupper() and (len(w) == 1 or (w[1:].replace("'", "").isalpha() and not w[1:].isupper())) and w.replace("'", "").isalpha()


_FUNCTION_WORDS = frozenset({
    "Theo", "Tại", "Ngày", "Sáng", "Chiều", "Tối", "Trong", "Với", "Về", "Cùng", "Dự", "Và", "Các",
    "Những", "Ông", "Bà", "Đ/c", "TP", "UBND", "HĐND", "Đồng",
})


def _stops_name(text: str, j: int, w: str) -> bool:
    """Whether the word at ``j`` cannot continue a person's name: a title or an organization opens there."""
    if w in _FUNCTION_WORDS:
        return w != "Đồng" or text.startswith("Đồng chí", j)
    if _role_re().match(text, j):
        return True
    hm = _org_head_re().match(text, j)
    return bool(hm and hm.group(0)[0].isupper() and (" " in hm.group(0) or w in ("Sở", "Bộ", "Ban", "Cục", "Vụ", "Viện", "Hội")))


_LEVEL_BEFORE = re.compile(r"(?:thành phố|Thành phố|THÀNH PHỐ|TP\.?|Tp\.?|tỉnh|Tỉnh)\s*$")


@cache
def _not_name_prefix() -> re.Pattern:
    return re.compile(r"(?:" + lexicon.alternation(lexicon.not_persons()["names"]) + r")(?:\s|$)")


@cache
def _COMMA_PROVINCE() -> re.Pattern:
    return re.compile(r"\s*,\s*(?:tỉnh\s+|thành phố\s+)?(?:" + lexicon.alternation(lexicon.province_forms()) + r")\b")


def provinces_in(text: str, start: int = 0, end: int | None = None) -> list[ProvinceMention]:
    """Province mentions in ``text[start:end]``; a name that is also a person's or a
    slogan's ("Hồ Chí Minh") needs "thành phố" before it."""
    end = len(text) if end is None else end
    return [p for p in _all_provinces(text) if p.start >= start and p.end <= end]


_LAST: list = [None, ()]  # the last text's province mentions: extraction asks many times per text


_UNIT_BEFORE = re.compile(r"(?<!\w)(?:phường|xã|thị trấn|huyện|quận|thị xã|đặc khu)\s+$", re.IGNORECASE)


def _all_provinces(text: str) -> tuple[ProvinceMention, ...]:
    if _LAST[0] is text:
        return _LAST[1]
    forms = lexicon.province_forms()
    needs_level = lexicon.provinces_needing_level()
    out = []
    for m in _province_re().finditer(text):
        form = " ".join(m.group(1).split())
        if form in needs_level and not _LEVEL_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        if _UNIT_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "phường Nam Định", "thị xã Quảng Trị": a unit named after a province
        out.append(ProvinceMention(m.start(), m.end(), forms[form]))
    _LAST[0], _LAST[1] = text, tuple(out)
    return _LAST[1]


# --- names ----------------------------------------------------------------------------

def _name_run(text: str, pos: int, end: int, *, need_surname: bool) -> tuple[int, str] | None:
    """The person name starting at ``pos``: 2-4 Title-case syllables (1 allowed after an honorific)."""
    words, j = [], pos
    while j < end and len(words) < 5:
        m = _WORD.match(text, j)
        if not m:
            break
        w = m.group(0).rstrip(".")
        if not _is_title_word(w) or (words and _stops_name(text, m.start(), w)):
            break
        words.append(w)
        j = m.start() + len(w)
        if j < end and text[j] == " " and j + 1 < end and text[j + 1].isupper():
            j += 1
        else:
            break
    if not words:
        return None
    if need_surname and (words[0] not in lexicon.surnames() or len(words) < 2):
        return None
    if len(words) > 4:
        words = words[:4]
    name = " ".join(words)
    return pos + len(name), name


def find_names(text: str, start: int, end: int) -> list[Name]:
    """Candidate person names in ``text[start:end]``: after an honorific, or surname-led runs."""
    out: list[Name] = []
    taken = set()
    not_names = set(lexicon.not_persons()["names"])
    province_spans = [(p.start, p.end) for p in provinces_in(text, start, end)]

    def blocked(s: int, e: int, name: str) -> bool:
        if name in not_names or _not_name_prefix().match(name):
            return True
        if any(ps <= s < pe for ps, pe in province_spans) or name in lexicon.province_forms():
            return True  # "Phú Yên", "Hà Giang": a place, not a person
        before = text[max(start, s - 25) : s]
        if _place_word_re().search(before):
            return True
        # "(Cao Lộc, Lạng Sơn)": a district named with its province is a place
        after = text[e : e + 30]
        if _COMMA_PROVINCE().match(after):
            return True
        # after a unit word a short run is the unit's name ("huyện Đồng Xuân"), a long one a person
        if _LEVEL_BEFORE_NAME.search(before) and len(name.split()) <= 2:
            return True
        return False

    for m in _honorific_re().finditer(text, start, end):
        run = _name_run(text, m.end(), end, need_surname=False)
        if not run:
            continue
        e, name = run
        if blocked(m.end(), e, name) and name in not_names:
            continue
        h = m.group("h").lower()
        out.append(Name(m.end(), e, name, honorific=True, plural=h.startswith("các")))
        taken.update(range(m.start(), e))
    surnames = lexicon.surnames()
    for m in re.finditer(r"(?<![\w'])[" + _UPPER + r"][\w']*", text[start:end]):
        s = start + m.start()
        if s in taken or m.group(0) not in surnames:
            continue
        # a surname-led run right after a lone Title-case word is the tail of a name whose
        # family name we do not know ("Cầm Văn Thượng"): the whole name is not taken apart
        prev = re.search(r"(^|[^\w'])([\w']+)\s$", text[max(start, s - 25) : s])
        if prev and _is_title_word(prev.group(2)) and prev.group(2) not in _FUNCTION_WORDS \
                and not any(ps <= s - 2 < pe for ps, pe in province_spans) \
                and not _stops_name(text, s - len(prev.group(2)) - 1, prev.group(2)) \
                and not _org_head_re().match(text, s - len(prev.group(2)) - 1):
            before_prev = text[max(start, s - 40) : s - len(prev.group(2)) - 1]
            if not re.search(r"[\w']*[A-ZĐÀ-Ỹ][\w']*\s*$", before_prev) or re.search(r"(?:ông|bà|đồng chí|Ông|Bà|Đồng chí)\s*$", before_prev):
                continue
        run = _name_run(text, s, end, need_surname=True)
        if not run:
            continue
        e, name = run
        if blocked(s, e, name):
            continue
        out.append(Name(s, e, name, honorific=False))
        taken.update(range(s, e))
    return sorted(out, key=lambda n: n.start)


# --- titles ----------------------------------------------------------------------------

def _is_name_start(text: str, j: int, end: int) -> bool:
    m = _WORD.match(text, j)
    if not m or m.group(0) not in lexicon.surnames():
        return False
    if _province_re().match(text, j):
        return False
    run = _name_run(text, j, end, need_surname=True)
    if not run:
        return False
    name = run[1]
    return not any(name.startswith(n) for n in lexicon.not_persons()["names"])


_LEVEL_BEFORE_NAME = re.compile(
    r"(?:thành phố|huyện|quận|thị xã|xã|phường|thị trấn|Huyện ủy|Quận ủy|Thị ủy|Thành ủy|TP\.?)\s+$",
    re.IGNORECASE,
)
_LEVEL_WORDS = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "tp", "tp.",
                "huyện ủy", "quận ủy", "thị ủy", "thành ủy", "đảng ủy xã", "đảng ủy phường"}


_DESCRIPTIVE_HEAD = re.compile(r"(?:Phòng|Cục|Chi cục|Trung tâm|Vụ|Viện|Trường|Bệnh viện|Công ty|Văn phòng|Ban quản lý|Ban Quản lý)\s", re.IGNORECASE)


@cache
def _clause_words() -> frozenset[str]:
    return frozenset(lexicon.organizations()["clause_words"])
_DANGLING = {"và", "các", "cấp", "số", "của", "khối", "-", "–", "cơ quan"}


def parse_org(text: str, pos: int, end: int, *, role_end_word: str | None = None) -> tuple[str | None, int]:
    """The organization phrase that starts at ``pos`` (after a role), and where it ends."""
    j = pos
    while j < end and text[j] == " ":
        j += 1
    if j >= end:
        return None, pos
    head_ok = bool(_org_head_re().match(text, j))
    first = _WORD.match(text, j)
    if not head_ok and first and re.fullmatch(r"[A-ZĐ][A-ZĐ&\-.]{1,}", first.group(0)):
        head_ok = True  # an abbreviation: UBND, VKSNDTC, ĐBQH
    if not head_ok:
        return None, pos
    words: list[tuple[int, int]] = []  # spans of consumed words/phrases
    prev_level = False
    prev_cap = False
    hm = _org_head_re().match(text, j)
    descriptive = bool(_DESCRIPTIVE_HEAD.match(text, j))
    run_lower = 0
    words_since_cap = False
    if hm:
        words.append((j, hm.end()))
        prev_level = hm.group(0).lower() in _LEVEL_WORDS
        prev_cap = " " not in hm.group(0)
        j = hm.end()
    while j < end:
        # joiners inside a name: "Tài nguyên - Môi trường", "Lao động - Thương binh"
        if words and text.startswith((" - ", " – "), j):
            k = j + 3
            if k < end and text[k].isupper() and not _role_re().match(text, k) and not _is_name_start(text, k, end):
                j = k
                continue
            break
        if text[j] == " ":
            j += 1
            continue
        if text[j] in ",.;:()\n\"“”":
            im = _inner_re().match(text, j)
            if im and im.group(0).startswith(","):
                words.append((j, im.end()))
                j = im.end()
                continue
            break
        hm = _org_head_re().match(text, j)
        if hm and " " in hm.group(0):
            words.append((j, hm.end()))
            prev_level = hm.group(0).lower() in _LEVEL_WORDS
            j = hm.end()
            continue
        pm = _province_re().match(text, j)
        if pm:
            words.append((j, pm.end()))
            j = pm.end()
            prev_level = False
            # a province closes the name; only its term may follow ("... tỉnh Hà Giang khóa IV")
            km = re.compile(r"\s+khóa\s+([IVXLC]+|\d+)(?!\w)", re.I).match(text, j)
            if km:
                words.append((j, km.end()))
                j = km.end()
            break
        im = _inner_re().match(text, j)
        if im and im.group(0) == "và":
            # "Kế hoạch và Đầu tư" goes on; "... và bà X", "... và các đồng chí" does not
            k = im.end() + 1
            if not (k < end and text[k].isupper() and not _honorific_re().match(text, k) and not _is_name_start(text, k, end)):
                break
        if im:
            words.append((j, im.end()))
            prev_level = im.group(0).lower() in _LEVEL_WORDS
            prev_cap = False
            j = im.end()
            continue
        wm = _WORD.match(text, j)
        if not wm:
            break
        w = wm.group(0)
        if w.endswith(".") and w not in ("TP.", "Tp."):
            w = w[:-1]
        if w.isdigit() and words and _numbered_re().search(text, words[0][0], words[-1][1]):
            words.append((j, j + len(w)))  # "Quân khu 4", "Sư đoàn 312": the number is the name
            prev_level = prev_cap = False
            j += len(w)
            continue
        low = w.lower()
        if low in ("khóa", "khoá"):
            km = re.compile(r"khóa\s+([IVXLC]+|\d+)(?!\w)", re.I).match(text, j)
            if km:
                words.append((j, km.end()))
                j = km.end()
                continue
            break
        if low == "xã" and re.match(r"xã\s+hội(?!\w)", text[j : j + 12], re.IGNORECASE):
            k = j + len(re.match(r"xã\s+hội", text[j : j + 12], re.IGNORECASE).group(0))
            words.append((j, k))  # "Lao động - Thương binh và Xã hội": society, not a commune
            prev_level = False
            prev_cap = True
            j = k
            continue
        if low in _LEVEL_WORDS:
            words.append((j, j + len(w)))
            prev_level = True
            j += len(w)
            continue
        if w[0].islower() and (prev_cap or (descriptive and run_lower < 4 and words_since_cap and not prev_level)) \
                and low not in _clause_words() and w.isalpha():
            words.append((j, j + len(w)))
            prev_cap = False
            run_lower += 1
            j += len(w)
            continue
        run_lower = 0
        prev_cap = False
        if w[0].isupper() or w[0].isdigit() and prev_level:
            if words and _role_re().match(text, j) and w[0].isupper() and not prev_level:
                rm = _role_re().match(text, j)
                if rm and rm.group("role")[0].isupper() and not _org_head_re().match(text, j):
                    break
            if _is_name_start(text, j, end):
                run = _name_run(text, j, end, need_surname=True)
                if not prev_level or (run and len(run[1].split()) >= 3):
                    break
            words.append((j, j + len(w)))
            prev_level = False
            prev_cap = w[0].isupper() and (len(w) == 1 or not w.isupper()) and w.isalpha()
            words_since_cap = words_since_cap or (prev_cap and len(words) > 1)
            j += len(w)
            continue
        break
    while words and text[words[-1][0] : words[-1][1]].lower() in _DANGLING:
        words.pop()
    if not words:
        return None, pos
    s, e = words[0][0], words[-1][1]
    return text[s:e], e


@cache
def _numbered_re() -> re.Pattern:
    heads = lexicon.organizations()["numbered_heads"]
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(h) for h in heads) + r")$", re.IGNORECASE)


def find_titles(text: str, start: int, end: int, names: list[Name]) -> list[Title]:
    """Titles in ``text[start:end]``: a role from the lexicon and the organization after it."""
    name_spans = [(n.start, n.end) for n in names]
    out: list[Title] = []
    roles = lexicon.roles()
    for m in _role_re().finditer(text, start, end):
        rs = m.start("role")
        if any(s <= rs < e for s, e in name_spans):
            continue
        if out and rs < out[-1].end:
            continue
        role = m.group("role")
        if not role[0].isupper():
            before = text[max(start, m.start() - 12) : m.start()]
            if not re.search(r"(?:chức|chức vụ|danh|làm|là|nguyên|các|,|kiêm|giao|-|–|\(|(?<!\w)có|(?<!\w)(?:hai|ba|bốn|năm|sáu|bảy|\d+))\s*$", before, re.IGNORECASE):
                continue
        # the organization ends where the next name starts
        limit = min([s for s, _ in name_spans if s > m.end()] + [end])
        role_key = re.sub(r"\s+", " ", role).lower()
        org, e = None, m.end()
        words = role.split()
        if role_key not in roles["no_org"]:
            if words[-1].lower() in ("ban", "đoàn", "phòng") and len(words) > 1 and words[-2].lower() in ("trưởng", "phó"):
                # "Trưởng Ban Tổ chức ..." : "Ban" opens the organization
                cut = m.start("role") + len(role) - len(words[-1])
                org, e2 = parse_org(text, cut, limit)
                if org and len(org) > len(words[-1]):
                    role = role[: len(role) - len(words[-1])].rstrip()
                    e = e2
                else:
                    org = None
            else:
                org, e = parse_org(text, m.end(), limit)
                e = e if org else m.end()
        if org is None and role_key in roles["no_org"]:
            km = re.compile(r"\s+khóa\s+([IVXLC]+|\d+)(?!\w)", re.I).match(text, e)
            if km:
                role, e = text[m.start("role") : km.end()], km.end()
        acting = role.lower().startswith("quyền")
        out.append(Title(m.start(), e, role, org, former=bool(m.group("nguyen")), acting=acting))
    return _joined_committees(text, start, end, out) if re.search(r"(?:tham gia|vào) (?:Ban Chấp hành|BCH)", text[start:end], re.IGNORECASE) else out


_JOINS = re.compile(
    r"(?<!\w)(?:tham gia|vào)\s+(?P<bch>Ban Chấp hành|BCH)(?:\s*(?:,|và)\s*(?P<btv>Ban Thường vụ|BTV))?(?!\w)",
    re.IGNORECASE,
)
_COMMITTEE = re.compile(r"^(?:Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|Đảng ủy|Đảng bộ)\b.*", re.IGNORECASE)
_PARTY_LEVEL = {"tỉnh": "tỉnh", "thành": "thành phố", "huyện": "huyện", "quận": "quận", "thị": "thị xã"}


def _joined_committees(text: str, start: int, end: int, titles: list[Title]) -> list[Title]:
    """"tham gia Ban Chấp hành, Ban Thường vụ [Tỉnh ủy] và giữ chức Phó Bí thư Tỉnh ủy X": membership
    of the executive and standing committees of the party committee named there or in the post that
    follows (the usual wording of a party appointment)."""
    out = list(titles)
    for m in _JOINS.finditer(text, start, end):
        if any(t.start < m.end() and m.start("bch") < t.end for t in titles):
            continue
        last = "btv" if m.group("btv") else "bch"
        named, e = parse_org(text, m.start(last), end)
        committee = named[len(m.group(last)):].strip() if named else ""
        if committee and not _COMMITTEE.match(committee):
            continue  # "tham gia Ban Chấp hành Hội Nông dân": not a party committee
        nxt = next((t for t in titles if t.start >= m.end() and t.org and _COMMITTEE.match(t.org)), None)
        if nxt is not None and nxt.start - m.end() <= 40 + len(committee) and (
                not committee or nxt.org.lower().startswith(committee.lower() + " ")):
            committee = nxt.org  # "tham gia BCH, BTV Quận ủy, giữ chức Bí thư Quận ủy Thanh Khê"
        if not committee:
            continue
        cm = re.match(r"(Tỉnh|Thành|Huyện|Quận|Thị) ủy\b(.*)$", committee, re.IGNORECASE)
        party = f"Đảng bộ {_PARTY_LEVEL[cm.group(1).lower()]}{cm.group(2)}" if cm else committee
        out.append(Title(m.start("bch"), m.end("bch") if m.group("btv") else max(e, m.end()), "Ủy viên",
                         f"Ban Chấp hành {party}", former=False, acting=False))
        if m.group("btv"):
            out.append(Title(m.start("btv"), max(e, m.end()), "Ủy viên", f"Ban Thường vụ {committee}", former=False, acting=False))
    return sorted(out, key=lambda t: t.start)
