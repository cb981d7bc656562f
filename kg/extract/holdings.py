"""Mentions -> who holds which post: title chains split into one holding each.

Patterns of the genre, all per sentence:
- name first:  "đồng chí X, Ủy viên BTV Tỉnh ủy, Phó Chủ tịch UBND tỉnh"  /  "X - Tỉnh ủy viên, ..."  /  "X (Bí thư ...)"
- title first: "Chủ tịch UBND tỉnh Nguyễn Văn A"  /  "các Phó Chủ tịch UBND tỉnh: A, B"
- by a verb:   "ông X được bầu giữ chức Chủ tịch HĐND tỉnh"  /  "các ông A, B tái cử chức ..."
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from kg import lexicon
from kg.extract.mentions import Name, Title

_CHAIN_GAP = re.compile(r"^\s*(?:,|-|–|và|kiêm|,\s*kiêm|,\s*và)?\s*$")
# "X, <title>", "X (52 tuổi) - <title>", "X, 49 tuổi, <title>"
_NAME_THEN_TITLE = re.compile(r"^\s*(?:\([^()]{0,25}\)\s*)?(?:,\s*(?:sinh năm\s+)?\d{1,4}(?:\s+tuổi)?\s*(?=,))?(?:,|-|–|\(|:)?\s*(?:hiện là|là|nay là)?\s*$")
_LIST_GAP = re.compile(r"^\s*(?:,|và|,\s*và)\s*(?:(?:các\s+)?(?:đồng chí|ông|bà|đ/c|Đ/c)\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A title read as held by a name, with the status words around it.

    ``chain_end`` is where the title chain ends: a province named later in the chain
    ("Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Hà Giang") is the province of all of it.
    """

    name: Name
    title: Title
    status: str  # current / former / starts / ends
    start: int  # evidence span
    end: int
    chain_end: int = 0


def _chains(titles: list[Title], text: str) -> list[list[Title]]:
    chains: list[list[Title]] = []
    for t in titles:
        if chains and _CHAIN_GAP.match(text[chains[-1][-1].end : t.start]):
            chains[-1].append(t)
        else:
            chains.append([t])
    return chains


# "cho đến khi có quyết định nghỉ hưu", "đủ tuổi nghỉ hưu": a retirement to come, not one told
_FUTURE_RETIREMENT = re.compile(r"(?:đến khi|tới khi|đủ tuổi|độ tuổi|tuổi)\s+(?:có\s+)?(?:quyết định\s+)?(?:nghỉ hưu|về hưu)", re.IGNORECASE)
_AGENT = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?,?\s*(?:đã\s+|vừa\s+|sẽ\s+)?(?:trao|công bố|ký|đọc|giao|chủ trì|phát biểu|phê chuẩn|chuẩn y|bổ nhiệm|điều động)(?!\w)", re.IGNORECASE)
_TRANSFER = re.compile(r"(?:được|bị)\s+(?:điều động|luân chuyển|điều chuyển)|chuyển công tác", re.IGNORECASE)
_PROMOTION = re.compile(r"bổ nhiệm|được bầu|bầu giữ|bầu làm|giữ chức|phê chuẩn|chuẩn y|trúng cử|tái cử", re.IGNORECASE)
_MEMBERSHIP = re.compile(r"^(?:Ủy viên|\w+ ủy viên|Đại biểu)", re.IGNORECASE)
# bodies of the centre: a new post outside them (or inside them, from a local post) is a transfer
_CENTRAL_ORG = re.compile(r"^(?:Bộ\s|Chính phủ|Quốc hội|Ủy ban Thường vụ Quốc hội|Văn phòng Chủ tịch nước)|\bTrung ương\b", re.IGNORECASE)


def _central(org: str) -> bool:
    return bool(_CENTRAL_ORG.search(org) or re.search(r"(?<!\w)Bộ\s+[A-ZĐ]", org))


# the party group of an agency goes with the agency's post: "Ủy viên Ban cán sự đảng Bộ Xây dựng"
_AGENCY_GROUP = re.compile(r"^(?:Ban cán sự|Đảng đoàn)", re.IGNORECASE)
_BARE_PARTY = re.compile(r"^(?:Đảng ủy|Đảng đoàn|Ban cán sự đảng|Đảng bộ|Chi bộ)$", re.IGNORECASE)


def _share_orgs(chain: list[Title]) -> list[Title]:
    """Titles of a chain that name no organization take the next one's.

    "Phó Chủ tịch, Tổng Thư ký Hội Luật gia Việt Nam" -> both in the Hội; "Bí thư Đảng ủy,
    Giám đốc Sở Y tế" -> "Bí thư Đảng ủy Sở Y tế".
    """
    roles = lexicon.roles()
    out = list(chain)
    for i in range(len(out) - 2, -1, -1):
        t, nxt = out[i], out[i + 1]
        if not nxt.org or _BARE_PARTY.match(nxt.org):
            continue
        if t.org is None and t.role.lower() not in roles["no_org"] and t.role.lower() not in roles["member_of"]:
            out[i] = replace(t, org=_shared_org(t.role, nxt.org))
        elif t.org and _BARE_PARTY.match(t.org):
            state = _STATE_LEVEL.search(nxt.org)
            if state and t.org.lower().startswith("đảng ủy"):
                # "Bí thư Đảng ủy, Chủ tịch HĐND xã X" -> the party committee of that level
                committee = _LEVEL_COMMITTEE[state.group(1).lower()]
                out[i] = replace(t, org=f"{committee}{state.group(2)}")
            else:
                out[i] = replace(t, org=f"{t.org} {nxt.org}")
    return out


_PARTY_ROLE = re.compile(r"^(?:Phó\s+)?Bí thư|^Ủy viên Ban (?:Thường vụ|Chấp hành)", re.IGNORECASE)
_STATE_LEVEL = re.compile(r"(?:Ủy ban nhân dân|UBND|Hội đồng nhân dân|HĐND)\s+(tỉnh|thành phố|TP\.?|huyện|quận|thị xã|xã|phường|thị trấn)\b(.*)$", re.IGNORECASE)
_COMMITTEE_TAIL = re.compile(r"((?:Tỉnh|Thành|Huyện|Quận|Thị|Đảng) ủy.*)$", re.IGNORECASE)
_LEVEL_COMMITTEE = {"tỉnh": "Tỉnh ủy", "thành phố": "Thành ủy", "tp": "Thành ủy", "tp.": "Thành ủy", "huyện": "Huyện ủy",
                    "quận": "Quận ủy", "thị xã": "Thị ủy", "xã": "Đảng ủy xã", "phường": "Đảng ủy phường", "thị trấn": "Đảng ủy thị trấn"}


def _shared_org(role: str, org: str) -> str:
    """The organization a role with none takes from the next title of its chain.

    Party posts take the party committee: "Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo
    Thành ủy" -> "Ban Thường vụ Thành ủy"; "Phó Bí thư, Chủ tịch UBND tỉnh" -> "Phó Bí thư Tỉnh ủy".
    """
    if not _PARTY_ROLE.match(role):
        return org
    tail = _COMMITTEE_TAIL.search(org)
    if tail:
        return tail.group(1)
    state = _STATE_LEVEL.search(org)
    if state:
        return f"{_LEVEL_COMMITTEE[state.group(1).lower()]}{state.group(2)}"
    return org


def _lists(names: list[Name], text: str) -> list[list[Name]]:
    groups: list[list[Name]] = []
    for n in names:
        if groups and _LIST_GAP.match(text[groups[-1][-1].end : n.start]):
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


@cache
def _ranks_re() -> str:
    """Optional ranks before a name ("Đại tá", "PGS.TS"), as a regex fragment."""
    alt = "|".join(re.escape(r) for r in sorted(lexicon.ranks(), key=len, reverse=True))
    return r"(?:(?:" + alt + r")\.?\s+)*"


@cache
def _verb_re(phrases: tuple[str, ...]) -> re.Pattern:
    alt = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alt + r")(?:\s+(?:chức danh|chức vụ|chức|vụ|vị trí|làm|là))?"
                      r"(?:\s+(?:\d+|các|hai|ba|bốn|năm)(?:\s+(?:vị|đồng chí|người|ông|bà))?)?\s*:?\s*$", re.IGNORECASE)


def _verb_before(text: str, start: int, end: int, phrases) -> str | None:
    """The status phrase that ends right before ``end`` (within the gap from ``start``)."""
    m = _verb_re(tuple(phrases)).search(text, start, end)
    if not m:
        return None
    found = m.group(1).lower()
    return next((p for p in phrases if p.lower() == found), m.group(1))


def _listed_under(text: str, start: int, pos: int, phrases) -> bool:
    """The name at ``pos`` is an item of a list opened by a colon after one of ``phrases``
    ("các đồng chí được nghỉ hưu theo chế độ từ ngày 1/7 gồm: đồng chí A, <posts>; đồng chí B, ...")."""
    colon = text.rfind(":", start, pos)
    if colon < 0 or "." in text[colon:pos]:
        return False
    return _has_any(_FUTURE_RETIREMENT.sub(" ", text[max(start, colon - 90) : colon]), phrases)


_DELEGATED_BY = re.compile(r"(?:ủy quyền|ủy nhiệm|thừa lệnh|thay mặt)\s+(?:của\s+)?$", re.IGNORECASE)


def _delegators_apart(chains: list[list[Title]], text: str) -> list[list[Title]]:
    """"Thừa ủy quyền của Thủ tướng Chính phủ, Thứ trưởng Bộ Nội vụ X": the one who delegates is
    not one of X's posts; the title after "ủy quyền của" stands alone."""
    out = []
    for chain in chains:
        if len(chain) > 1 and _DELEGATED_BY.search(text[max(0, chain[0].start - 20) : chain[0].start]):
            out.extend([[chain[0]], chain[1:]])
        else:
            out.append(chain)
    return out


def link_titles(text: str, start: int, end: int, names: list[Name], titles: list[Title]) -> list[Link]:
    """Which name holds which title in the sentence ``text[start:end]``."""
    st = lexicon.statuses()
    links: list[Link] = []
    groups = _lists(names, text)
    group_of = {id(n): g for g in groups for n in g}
    chains = [_share_orgs(c) for c in _delegators_apart(_chains(titles, text), text)]

    def status_of(t: Title, default: str = "current") -> str:
        return "former" if t.former else default

    for chain in chains:
        cs, ce = chain[0].start, chain[-1].end
        holders: list[Name] = []
        # name first: "X, <chain>" -- unless a name follows the chain at once ("A, Thủ tướng B")
        before = [n for n in names if n.end <= cs]
        after_now = [n for n in names if n.start >= ce and re.fullmatch(r"\s*", text[ce : n.start])]
        if before and _NAME_THEN_TITLE.match(text[before[-1].end : cs]) and not after_now:
            holders = [before[-1]]
            pair = group_of[id(before[-1])]
            if len(pair) == 2 and re.fullmatch(r"\s*và\s*(?:(?:ông|bà|đồng chí)\s+)?", text[pair[0].end : pair[1].start], re.IGNORECASE):
                holders = list(pair)  # "A và B, Phó Chủ tịch HĐND tỉnh": both
        elif re.search(r"(?:các|Các)\s+$", text[max(start, cs - 5) : cs]) and text[ce : ce + 2].strip().startswith(":"):
            # "các Ủy viên Bộ Chính trị: Chủ tịch nước A, Thủ tướng B; ...": every name up to ";"
            stop = text.find(";", ce, end)
            holders = [n for n in names if n.start > ce and (stop < 0 or n.start < stop)]
        else:
            # title first: "<chain> X" or "<chain>: A, B"
            after = [n for n in names if n.start >= ce]
            if after:
                gap = text[ce : after[0].start]
                if re.fullmatch(r"\s*(?:,\s*)?(?:là\s+)?(?:(?:các\s+)?(?:đồng chí|ông|bà|đ/c)\s*)?" + _ranks_re(), gap, re.IGNORECASE):
                    holders = [after[0]]
                elif re.fullmatch(r"\s*(?:\w+\s+){0,4}?(?:gồm|là|gồm có)?\s*(?:các\s+)?(?:đồng chí|ông|bà|ông,\s*bà|ông bà)?\s*:\s*(?:(?:đồng chí|ông|bà)\s+)?", gap, re.IGNORECASE) \
                        or re.fullmatch(r"\s*(?:\w+\s+){0,5}?(?:gồm|là|gồm có)\s+(?:các\s+)?(?:đồng chí|ông|bà|ông,\s*bà|ông bà)\s*:?\s*", gap, re.IGNORECASE):
                    holders = list(group_of[id(after[0])])
        verb_holders: list[Name] = []
        verb = None
        after = [n for n in names if n.start >= ce]
        to_after = bool(after) and bool(re.fullmatch(
            r"\s*(?:\S+\s+){0,3}?(?:đối với|cho)\s+(?:các\s+)?(?:ông|bà|đồng chí|đ/c)?\s*" + _ranks_re(),
            text[ce : after[0].start], re.IGNORECASE))
        if not holders and not to_after:
            # "X được bầu giữ chức <chain>"; the holders are the nearest name list before
            if before:
                verb = _verb_before(text, before[-1].end, cs, st["holds"]) or _verb_before(text, before[-1].end, cs, st["past"]) \
                    or _verb_before(text, before[-1].end, cs, st["ends"]) or _verb_before(text, before[-1].end, cs, st["starts"])
                if verb:
                    verb_holders = list(group_of[id(before[-1])])
        if not holders and not verb_holders:
            # "miễn nhiệm chức danh <chain> đối với ông Y"
            verb = _verb_before(text, before[-1].end if before else start, cs, st["ends"]) or _verb_before(
                text, before[-1].end if before else start, cs, st["starts"])
            if verb and to_after:
                verb_holders = list(group_of[id(after[0])])
        if not holders and not verb_holders:
            continue
        if verb_holders:
            status = "current" if verb in st["holds"] else "former" if verb in st["past"] else "ends" if verb in st["ends"] else "starts"
            for n in verb_holders:
                for t in chain:
                    links.append(Link(n, t, "former" if t.former else status, min(n.start, t.start), max(n.end, t.end), ce))
            # "..., thay ông A, B nghỉ hưu": the ones replaced leave the same post
            if status == "starts":
                tm = re.compile(r"\s*,?\s*(?:để\s+)?thay(?:\s+thế)?\s+(?:cho\s+)?(?:các\s+)?(?:ông|bà|đồng chí)?\s*$")
                after = [n for n in names if n.start >= ce]
                if after and tm.fullmatch(text[ce : after[0].start]):
                    for n in group_of[id(after[0])]:
                        for t in chain:  # the one replaced held the post itself, not "Quyền ..."
                            held = replace(t, role=re.sub(r"^Quyền\s+", "", t.role, flags=re.IGNORECASE), acting=False)
                            links.append(Link(n, held, "ends", n.start, n.end, ce))
            continue
        # "phê chuẩn 5 Phó Chủ tịch ...: A, B", "Các phó chủ tịch khóa mới được thông qua gồm A và B"
        listed_new = bool(holders) and holders[0].start >= ce and (
            len(holders) > 1 or re.search(r":|gồm", text[ce : holders[0].start])) and (
            _verb_before(text, before[-1].end if before else start, cs, st["starts"])
            or _has_any(text[ce : holders[0].start], st["starts"] + ("khóa mới", "tân"))
        )
        # "trong thời gian giữ cương vị <chain>, bà X ...": posts held in the past
        held_before = bool(holders) and holders[0].start >= ce and bool(
            _verb_before(text, before[-1].end if before else start, cs, st["past"]))
        for n in holders:
            # the holder's own clause: from a little before the name and its titles to the next name
            nxt = [m for m in names if m.start >= max(ce, n.end)]
            clause_end = nxt[0].start if nxt else end
            new_post = next((t2 for t2 in titles if max(ce, n.end) <= t2.start < clause_end
                             and _verb_before(text, max(ce, n.end), t2.start, st["starts"])
                             and not _verb_before(text, max(ce, n.end), t2.start, st["holds"])), None)
            lead_in = text[max(start, min(n.start, cs) - 60) : min(n.start, cs)]
            clause = lead_in + text[min(n.start, cs) : new_post.start if new_post else clause_end]
            moves = _has_any(clause, st["moves"] + st["ends"])
            # "X (bên trái) trao quyết định nghỉ hưu cho Y": X hands the decision over, Y is moved
            agent = bool(_AGENT.match(text, max(n.end, ce)))
            if agent:
                moves = False
            # "trao quyết định nghỉ hưu cho X - <titles>", "X - <titles> đã về nghỉ hưu": the posts end
            semi = text.find(";", max(n.end, ce), clause_end)
            own_end = semi if semi >= 0 else clause_end
            retires = _has_any(_FUTURE_RETIREMENT.sub(" ", lead_in[-40:]), st["retire"]) or (not new_post and not agent and _has_any(
                _FUTURE_RETIREMENT.sub(" ", text[max(n.end, ce) : own_end]), st["retire"])) or _listed_under(text, start, n.start, st["retire"])
            for t in chain:
                status = status_of(t, "former" if held_before else "current")
                if status == "current" and listed_new:
                    status = "starts"
                # moved to a new post: the executive posts of the chain end, memberships
                # (Ủy viên Trung ương, Tỉnh ủy viên...) go on
                relocated = bool(new_post and t.org and new_post.org) and _central(t.org) != _central(new_post.org)
                # retiring leaves every post but a seat in the National Assembly; moving leaves the
                # executive posts and the agency's party group, memberships of a committee go on
                if status == "current" and (new_post and (moves or relocated) or retires) and (
                        not _MEMBERSHIP.match(t.role) or _AGENCY_GROUP.match(t.org or "")
                        or retires and not new_post and not t.role.lower().startswith("đại biểu")):
                    status = "ends"
                # promoted from one state post to another (FORMAT: a promotion ends the old post);
                # party posts are held together with state posts and go on
                elif status == "current" and not agent and _TRANSFER.search(text, max(n.end, ce), own_end) \
                        and not _MEMBERSHIP.match(t.role):
                    status = "ends"  # "X, <post>, được điều động đến nhận công tác tại ...": moved out
                elif status == "current" and not agent and new_post and _PROMOTION.search(text, max(ce, n.end), new_post.start) \
                        and not _MEMBERSHIP.match(t.role) and not _PARTY_ROLE.match(t.role) \
                        and not _PARTY_ROLE.match(new_post.role) and (t.org or "").lower() != (new_post.org or "").lower():
                    status = "ends"
                # "nguyên X" with a retirement or a transfer reported: the post ends here
                if status == "former" and (moves or retires or new_post and _has_any(text[start:end], st["moves"])):
                    status = "ends"
                links.append(Link(n, t, status, min(n.start, t.start), max(n.end, t.end), ce))
    return links


_RESPECTIVELY = re.compile(
    r"lần lượt\s+(?:được\s+)?(?:bổ nhiệm\s+)?(?:giữ chức(?: vụ)?|làm|là)\s+(?P<role>[^,;.]{2,30}?)\s+(?:các\s+)?"
    r"(?P<head>Sở|Ban|Phòng|Bộ|Cục|Vụ|Trung tâm|Huyện ủy|Quận ủy)\s+(?P<list>[^.;]+)",
    re.IGNORECASE,
)


def respective_links(text: str, start: int, end: int, names: list[Name]) -> list[Link]:
    """ "Các ông A, B và bà C lần lượt giữ chức giám đốc các Sở Tư pháp, Xây dựng và Tài chính":
    one post each, in order, when the lists are as long as each other."""
    m = _RESPECTIVELY.search(text, start, end)
    if not m:
        return []
    groups = _lists([n for n in names if n.end <= m.start()], text)
    if not groups:
        return []
    group = groups[-1]
    items = [i.strip() for i in re.split(r",\s*", m.group("list")) if i.strip()]
    if len(items) == len(group) - 1 and " và " in items[-1]:
        items[-1:] = [x.strip() for x in items[-1].rsplit(" và ", 1)]
    if len(items) != len(group) or any(not i[0].isupper() for i in items):
        return []
    role = m.group("role").strip()
    role = role[0].upper() + role[1:]
    out = []
    for n, item in zip(group, items):
        t = Title(m.start("list"), m.end("list"), role, f"{m.group('head')} {item}", former=False)
        out.append(Link(n, t, "starts", n.start, m.end(), m.end()))
    return out


def _has_any(text: str, phrases) -> bool:
    return bool(_any_re(tuple(phrases)).search(text))


@cache
def _any_re(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", re.IGNORECASE)
