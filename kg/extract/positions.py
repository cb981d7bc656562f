"""A title and its context -> the full position phrase, the implicit province filled in.

"Phó Chủ tịch UBND tỉnh" in an article about Lào Cai is "Phó Chủ tịch UBND tỉnh Lào Cai";
"Tỉnh ủy viên" is "Tỉnh ủy viên Lào Cai"; "Giám đốc Sở Y tế" is "Giám đốc Sở Y tế tỉnh Lào Cai".
Units below the province that are named ("Huyện ủy Mộ Đức") keep their own name.
When the article never names its province, "tỉnh" stays bare.
"""

from __future__ import annotations

import re
from collections import Counter

from kg import lexicon
from kg.extract.mentions import Title, _clause_words

_ENDS_WITH_LEVEL = re.compile(r"(?:^|\s)(?:tỉnh|thành phố|TP\.?|Thành phố|Tỉnh)$")
_ENDS_WITH_COMMITTEE = re.compile(r"(?:^|\s)(?:Tỉnh ủy|Thành ủy|Tỉnh đoàn|Thành đoàn)$", re.IGNORECASE)
_BARE_COUNCIL = re.compile(r"^(?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Ủy ban MTTQ|MTTQ|Đoàn ĐBQH|Đoàn đại biểu Quốc hội)$", re.IGNORECASE)
_DEPARTMENT = re.compile(r"(?:^|\s)Sở\s", re.IGNORECASE)
_LOWER_UNIT = re.compile(r"(?:huyện|quận|thị xã|xã(?!\s+hội(?!\w))|phường|thị trấn|Huyện ủy|Quận ủy|Thị ủy)\s+[A-ZĐÀ-Ỹ]", re.IGNORECASE)


def _has_province(org: str) -> bool:
    return any(f in org for f in lexicon.province_forms())


def _is_central(org: str) -> bool:
    if re.match(r"Bộ (?:Tư lệnh|Chỉ huy|chỉ huy|tư lệnh)", org):
        return False  # military commands of a province, not ministries
    return bool(re.search(r"Trung ương|Chính phủ|Quốc hội$|tối cao|TW\b|Bộ Chính trị|Ban Bí thư|Nhà nước", org)) or org.startswith("Bộ ")


_UNIT_NAME = r"([A-ZĐÀ-Ỹ][\wÀ-ỹ'-]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'-]*){0,2})"
_UNIT_MENTION = re.compile(
    r"(?<!\w)(?:(huyện|quận|thị xã|xã(?!\s+hội(?!\w))|phường|thị trấn)|(Huyện|Quận|Thị) ủy)\s+" + _UNIT_NAME
    + r"|(?<!\w)Sở\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+(?:[a-zđà-ỹ]+|và|[A-ZĐÀ-Ỹ][\wÀ-ỹ]*|-|,)){0,7})"
)
# a unit below the province left unnamed, at the end of an organization (a term may follow)
_BARE_UNIT = re.compile(
    r"(?:(?<=^)|(?<=\s))(?:(huyện|quận|thị xã|xã|phường|thị trấn)|(Huyện|Quận|Thị) ủy)(?P<tail>\s+khóa\s+\S+)?$", re.IGNORECASE)
_LEVEL_OF = {"huyện": "huyện", "quận": "quận", "thị": "thị xã"}


def _department_name(words: str) -> str | None:
    """The name after "Sở" up to where the clause goes on ("Y tế đã ...", "Nội vụ, ...")."""
    out = []
    tokens = re.split(r"(\s+|,|;)", words)
    for tok in tokens:
        if tok in (",", ";"):
            break
        w = tok.strip()
        if not w:
            out.append(tok)
            continue
        if w in ("tỉnh", "thành", "TP") or (w != "và" and w in _clause_words()):
            break
        out.append(tok)
    name = "".join(out).strip()
    while name.endswith((" và", " -")):
        name = name.rsplit(" ", 1)[0]
    return name if name and name[0].isupper() else None


def nearest_department(text: str, pos: int) -> str | None:
    """"Sở X" named last before ``pos`` ("Sở Nông nghiệp ... có 5 phó giám đốc sở"), or None."""
    last = None
    for m in _UNIT_MENTION.finditer(text, max(0, pos - 600), pos):
        if m.group(4):
            name = _department_name(m.group(4))
            if name:
                last = name
    return f"Sở {last}" if last else None


def units_named(text: str) -> dict[str, str]:
    """The district-level unit and the department the article names most: what a bare
    "Huyện ủy", "UBND huyện" or "Sở" later in it refers to."""
    seen: dict[str, Counter] = {k: Counter() for k in ("huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "sở")}
    for m in _UNIT_MENTION.finditer(text):
        if m.group(4):
            name = _department_name(m.group(4))
            if name:
                seen["sở"][name] += 1
            continue
        level = (m.group(1) or _LEVEL_OF[m.group(2).lower()]).lower()
        # a ward or commune may carry an old province's name ("phường Nam Định" since 2025)
        seen[level][m.group(3)] += 1
    return {k: c.most_common(1)[0][0] for k, c in seen.items() if c}


def fill(title: Title, province: str | None, units: dict[str, str] | None = None) -> tuple[str, str | None, str | None]:
    """(position phrase, organization with province, province of the organization)."""
    role, org = title.role, title.org
    units = units or {}
    if org:
        # a bare unit the article has named before: "Huyện ủy" -> "Huyện ủy Quỳ Hợp", "Sở" -> "Sở Y tế"
        bare = _BARE_UNIT.search(org)
        if bare:
            level = (bare.group(1) or _LEVEL_OF[bare.group(2).lower()]).lower()
            if units.get(level):
                tail = bare.group("tail") or ""
                org = f"{org[: len(org) - len(tail)]} {units[level]}{tail}"
        elif re.fullmatch(r"(?:Đảng ủy\s+|Đảng bộ\s+)?Sở", org) and units.get("sở"):
            org = f"{org} {units['sở']}"
    member_of = lexicon.roles()["member_of"].get(role.lower())
    if member_of:
        district = _LEVEL_OF.get(member_of.split()[0].lower())
        if not org and district and units.get(district):
            # "Huyện ủy viên" in an article about one district: that district's committee
            return f"{role} {units[district]}", f"{member_of} {units[district]}", None
        if org and _has_province(org):
            return f"{role} {org}", f"{member_of} {org}", _province_in(org)
        if province:
            return f"{role} {province}", f"{member_of} {province}", province
        return role, member_of, None
    if not org:
        return role, None, None
    if _has_province(org):
        return f"{role} {org}", org, _province_in(org)
    if _is_central(org) or _LOWER_UNIT.search(org) or not province:
        return f"{role} {org}", org, None
    city = lexicon.provinces().get(province)
    unit = "thành phố" if city and city.city else "tỉnh"
    filled = None
    term = re.search(r"\s+khóa\s+\S+$", org)
    if term and (_ENDS_WITH_LEVEL.search(org[: term.start()]) or _ENDS_WITH_COMMITTEE.search(org[: term.start()])):
        filled = f"{org[: term.start()]} {province}{org[term.start():]}"
    elif _ENDS_WITH_LEVEL.search(org) or _ENDS_WITH_COMMITTEE.search(org):
        filled = f"{org} {province}"
    elif _BARE_COUNCIL.match(org):
        filled = f"{org} {unit} {province}"
    elif _DEPARTMENT.search(" " + org) or re.search(r"các cơ quan tỉnh|tỉnh$", org):
        filled = f"{org} {unit} {province}"
    if filled:
        return f"{role} {filled}", filled, province
    return f"{role} {org}", org, None


def _province_in(org: str) -> str | None:
    forms = lexicon.province_forms()
    best = None
    for f, name in forms.items():
        i = org.find(f)
        if i >= 0 and (best is None or i > best[0]):
            best = (i, name)
    return best[1] if best else None
