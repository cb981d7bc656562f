"""A title and its context -> the full position phrase, the implicit province filled in.

"Phó Chủ tịch UBND tỉnh" in an article about Lào Cai is "Phó Chủ tịch UBND tỉnh Lào Cai";
"Tỉnh ủy viên" is "Tỉnh ủy viên Lào Cai"; "Giám đốc Sở Y tế" is "Giám đốc Sở Y tế tỉnh Lào Cai".
Units below the province that are named ("Huyện ủy Mộ Đức") keep their own name.
When the article never names its province, "tỉnh" stays bare.
"""

from __future__ import annotations

import re

from kg import lexicon
from kg.extract.mentions import Title

_ENDS_WITH_LEVEL = re.compile(r"(?:^|\s)(?:tỉnh|thành phố|TP\.?|Thành phố|Tỉnh)$")
_ENDS_WITH_COMMITTEE = re.compile(r"(?:^|\s)(?:Tỉnh ủy|Thành ủy)$", re.IGNORECASE)
_BARE_COUNCIL = re.compile(r"^(?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Ủy ban MTTQ|MTTQ|Đoàn ĐBQH|Đoàn đại biểu Quốc hội)$", re.IGNORECASE)
_DEPARTMENT = re.compile(r"(?:^|\s)Sở\s", re.IGNORECASE)
_LOWER_UNIT = re.compile(r"(?:huyện|quận|thị xã|xã|phường|thị trấn|Huyện ủy|Quận ủy|Thị ủy)\s+[A-ZĐÀ-Ỹ]", re.IGNORECASE)


def _has_province(org: str) -> bool:
    return any(f in org for f in lexicon.province_forms())


def _is_central(org: str) -> bool:
    return bool(re.search(r"Trung ương|Chính phủ|Quốc hội$|tối cao|TW\b|Bộ Chính trị|Ban Bí thư|Nhà nước", org)) or org.startswith("Bộ ")


def fill(title: Title, province: str | None) -> tuple[str, str | None, str | None]:
    """(position phrase, organization with province, province of the organization)."""
    role, org = title.role, title.org
    member_of = lexicon.roles()["member_of"].get(role.lower())
    if member_of:
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
