"""Text -> Facts: persons, holdings, events, counts and sub-organizations of one article.

Offline and rule-based, driven by the lexicons in ``ontology/lexicon``. The steps, per
sentence: candidate names and titles (:mod:`.mentions`), titles linked to the names that
hold them (:mod:`.holdings`), full position phrases with the implicit province filled
(:mod:`.positions`); then, per article: events, congress results, counts and
sub-organizations (:mod:`.events`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import cache

from kg import lexicon
from kg.extract import events as ev
from kg.extract.dates import article_year, find_dates, lead_year, publication_date
from kg.extract.holdings import Link, link_titles, respective_links
from kg.extract.mentions import Name, Title, find_names, find_titles, parse_org, provinces_in
from kg.extract.positions import fill, nearest_department, units_named
from kg.model import Count, Event, Evidence, Facts, Holding, Person, SubOrg, Text

_STATUS_RANK = {"current": 0, "former": 1, "starts": 2, "ends": 3}
_EXCLUSIVE = re.compile(r"^(?:Bí thư|Chủ tịch|Giám đốc|Tổng giám đốc|Trưởng|Chánh|Viện trưởng|Bộ trưởng|Chủ nhiệm|Hiệu trưởng|Tư lệnh|"
                        r"Chính ủy|Chỉ huy trưởng|Tham mưu trưởng|Vụ trưởng|Cục trưởng|Tổng cục trưởng|Chi cục trưởng|Tổng Bí thư|Thủ tướng)",
                        re.IGNORECASE)


def _evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(start, end, text[start:end])


@cache
def _credit_re() -> re.Pattern:
    markers = lexicon.not_persons()["credit_markers"]
    return re.compile(r"^(?:" + "|".join(re.escape(m) for m in markers) + r")\s*(?:,\s*\w+\s*)?:")


def _credit_line(text: str, start: int, end: int) -> bool:
    """Bylines, photo credits and source lines: their names are authors, not officials."""
    s = text[start:end].strip()
    if _credit_re().match(s) and len(s.split()) <= 10:
        return True  # a longer one is a caption credit followed by the article's text
    if "http" in s and len(s) < 250:
        return True
    return False


_INLINE_CREDIT = re.compile(
    r"(?:^|(?<=[\s(]))(?:Ảnh|ẢNH|Ảnh minh họa|Nguồn|Video|Clip)\s*:\s*(?:(?:báo|Báo|TTXVN|[A-ZĐÀ-Ỹ][\w.'-]*|[\w-]+\.(?:vn|com|net))[ ,]*){0,5}\)?"
)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence without its inline photo credits ("... phát biểu. Ảnh: Nguyễn Khoa Ông X, ...")."""
    out, pos = [], start
    for m in _INLINE_CREDIT.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < end:
        out.append((pos, end))
    return out


_BIRTHPLACE = re.compile(r"(?:quê(?! hương)|quê quán|quê ở|sinh năm \d{4}|sinh ngày [\d/]+|sinh ra)[^.;]{0,25}$", re.IGNORECASE)


_DOMAIN = re.compile(r"(?<![\w.@/])((?:www\.)?[a-z0-9-]+)\.(?:gov\.vn|org\.vn|com\.vn|vn)(?![\w.])", re.IGNORECASE)
@cache
def _district_re() -> re.Pattern:
    names = sorted(lexicon.districts(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?i:huyện|quận|thị xã|Huyện ủy|Quận ủy|Thị ủy|UBND huyện|HĐND huyện)\s+("
                      + "|".join(re.escape(n) for n in names) + r")(?!\w)")


_FORMER_UNIT = re.compile(r"\s*\(?\s*cũ(?!\w)")


def doc_province(text: str, sentences) -> str | None:
    """The province most of the article is about, or None.

    Mentions are counted (the headline's double); a province named once in passing (a
    birthplace) is not what the article is about, and when several provinces share the
    article about evenly (a round-up of appointments) it is about none of them.
    """
    counts: Counter[str] = Counter()
    headline: set[str] = set()
    for i, sp in enumerate(sentences):
        if _credit_line(text, sp.start, sp.end):
            continue
        for p in provinces_in(text, sp.start, sp.end):
            if _BIRTHPLACE.search(text[max(sp.start, p.start - 40) : p.start]):
                continue  # "quê ...", "sinh năm 1963 tại tỉnh X": a person's origin
            if _FORMER_UNIT.match(text, p.end):
                continue  # "thành phố Nam Định (cũ)", "vùng Nam Định cũ": a unit merged away
            # "tỉnh Quảng Ninh", "UBND tỉnh X": the article speaks of the province's bodies
            admin = re.search(r"(?:tỉnh|thành phố|TP\.?|Tỉnh ủy|Thành ủy|UBND|HĐND)\s*$", text[max(0, p.start - 12) : p.start])
            counts[p.name] += (2 if i == 0 else 1) + (1 if admin else 0)
            if i == 0:
                headline.add(p.name)
    for m in _district_re().finditer(text):
        # "huyện Tủa Chùa", "Quận ủy Thanh Khê": a district belongs to one province
        counts[lexicon.districts()[m.group(1)]] += 1
    for m in _DOMAIN.finditer(text):
        # "(khanhhoa.gov.vn) - ...": a provincial outlet or portal names its province
        host = lexicon.ascii_fold(m.group(1))
        found = {p for key, p in lexicon.province_domains().items() if key in host}
        if len(found) == 1:
            counts[found.pop()] += 1
    if not counts:
        return None
    ranked = counts.most_common()
    best, n = ranked[0]
    if len(ranked) == 1:
        return best  # the only province the article names
    if n < 2:
        return None
    if len(ranked) > 1 and ranked[1][1] >= 0.75 * n and best not in headline:
        return None
    if sum(1 for _, k in ranked if k >= 2) >= 3 and n < 2 * ranked[1][1]:
        return None  # a round-up of several provinces
    return best


def extract(text: Text) -> Facts:
    """Everything this article says about officials, posts, events and counts."""
    t = text.text
    sents = text.sentences
    province = doc_province(t, sents)
    year = article_year(t, text.published)
    pub = publication_date(t, text.published)

    links: list[Link] = []
    names_by_sentence: list[list[Name]] = []
    acting: dict[str, Name] = {}
    for sp in sents:
        if _credit_line(t, sp.start, sp.end):
            names_by_sentence.append([])
            continue
        sentence_names: list[Name] = []
        for start, end in _pieces(t, sp.start, sp.end):
            names = find_names(t, start, end)
            titles = find_titles(t, start, end, names)
            sl = link_titles(t, start, end, names, titles) + respective_links(t, start, end, names)
            links.extend(sl)
            sentence_names.extend(names)
            for link in sl:
                acting.setdefault(link.name.text, link.name)
        names_by_sentence.append(sentence_names)
    # names introduced by đồng chí/ông/bà are persons too; short forms ("ông Sơn") refer back
    full_names = {n for n in acting if len(n.split()) >= 2}
    for names in names_by_sentence:
        for n in names:
            if n.honorific and len(n.text.split()) >= 2 and n.text[0].isupper():
                acting.setdefault(n.text, n)
                full_names.add(n.text)

    def resolve(name: str) -> str | None:
        """A full name of the article, or the one full name that a short form ends ("ông Sơn",
        "bà Kim Ngân" for Nguyễn Thị Kim Ngân) refers to."""
        words = name.split()
        longer = [f for f in full_names if len(f.split()) > len(words) and f.split()[-len(words):] == words]
        if name in full_names and not (len(words) == 2 and len(longer) == 1 and words[0] not in lexicon.surnames()):
            return name
        return longer[0] if len(longer) == 1 else (name if name in full_names else None)

    # holdings
    holdings: dict[tuple[str, str], Holding] = {}
    nguyen: set[tuple[str, str]] = set()  # holdings read from "nguyên <post>"
    roles = lexicon.roles()
    units = units_named(t)
    mentions = Counter(p.name for p in provinces_in(t))
    frequent = {p for p, n in mentions.items() if n >= 2} | ({province} if province else set())
    for link in links:
        person = resolve(link.name.text)
        if not person:
            continue
        role_key = link.title.role.lower()
        if not link.title.org and role_key in roles["ministry"]:
            ministry = _context_ministry(t, sents, link.title.start)
            if ministry:
                link = replace(link, title=replace(link.title, org=ministry))
        if not link.title.org and role_key not in roles["no_org"] and role_key not in roles["member_of"]:
            org = _own_organization(link, links, person, resolve) or _owner_before(t, sents, link.title.start)
            if org:  # "phó chỉ huy trưởng Bộ CHQS tỉnh ... được bổ nhiệm giữ chức chỉ huy trưởng"
                link = replace(link, title=replace(link.title, org=org))
        if not link.title.org and role_key not in roles["no_org"] and role_key not in roles["member_of"]:
            continue  # a role that needs an organization and names none is no post ("Tổ trưởng")
        if link.title.org and re.fullmatch(r"(?:Đảng ủy\s+|Đảng bộ\s+)?(?:sở|[Ss]ở\s+này)", link.title.org):
            named = nearest_department(t, link.title.start)
            if named:  # "phó giám đốc sở này": the department named last before it
                link = replace(link, title=replace(link.title, org=re.sub(r"(?:sở|[Ss]ở\s+này)$", named, link.title.org)))
        elif link.title.org and _BARE_BODY.fullmatch(link.title.org):
            full = _full_name(t, link.title.org)  # "nguyên Giám đốc Bệnh viện": the hospital named before
            if full != link.title.org:
                link = replace(link, title=replace(link.title, org=full))
        ctx_province = _context_province(t, sents, link, province, frequent)
        position, org, org_province = fill(link.title, ctx_province, units)
        h = Holding(
            person=person, position=position, role=link.title.role, organization=org,
            status=link.status, evidence=_evidence(t, link.start, link.end), province=org_province,
        )
        key = (person, position.lower())
        if link.title.former:
            nguyen.add(key)
        old = holdings.get(key)
        if old is None or _STATUS_RANK[h.status] > _STATUS_RANK[old.status]:
            holdings[key] = h
    holdings = _left_posts(t, _succession(_drop_subsumed(holdings)), nguyen)

    # events
    found = ev.cues(t, sents)
    kinds = ev.split_by_date(t, sents, ev.main_kinds(t, sents, found))
    lead = [i for i in ev.lead_indices(t, sents) if not ev.is_dateline(t, sents[i])]
    event_list: list[Event] = []
    chairs_at = _chairs(t, sents, names_by_sentence, resolve)
    persons_in_doc = _ordered_persons(links, names_by_sentence, resolve, full_names)
    main_date = None
    for kind, kind_cues, is_main in kinds:
        cue = kind_cues[0]
        sp = sents[cue.sentence]
        # the cue's own sentence, else a time that opens one of the lead sentences ("Sáng 8/2, ...")
        dates = find_dates(t, sp.start, sp.end) or [
            d for i in lead for d in find_dates(t, sents[i].start, min(sents[i].end, sents[i].start + 60))]
        date = dates[0].iso(year or lead_year(t, sp.start, sp.end)) if dates else None
        if not date and pub and any(_TODAY.search(t, sents[i].start, sents[i].end) for i in [cue.sentence, *lead]):
            date = pub  # "Sáng nay, ...": the day of publication
        term = size = delegates = None
        if kind == "congress":
            term, size, delegates = ev.congress_results(t)
        own_sentences = {c.sentence for c in kind_cues}
        same_kind = sorted(min(c.sentence for c in cs) for k, cs, _ in kinds if k == kind)
        if len(same_kind) > 1:
            # a round-up: each dated part of the article is an event with the people named in it
            begin = min(own_sentences)
            stop = next((b for b in same_kind if b > begin), len(sents))
            in_part = {resolve(n.text) for i in range(begin, stop) for n in names_by_sentence[i]}
            taking_part = [p for p in persons_in_doc if p in in_part]
            chair_names = {p for i, ps in chairs_at.items() if begin <= i < stop for p in ps}
            if is_main:
                main_date = date
        elif is_main:
            main_date = date
            taking_part = persons_in_doc
            others = {c.sentence for k, cs, m in kinds if not m for c in cs}
            chair_names = {p for i, ps in chairs_at.items() if i not in others or i in own_sentences for p in ps}
        else:
            chair_names = {p for i, ps in chairs_at.items() if i in own_sentences for p in ps}
            # a secondary event: the people named in its own sentences
            named = {resolve(n.text) for c in kind_cues for n in names_by_sentence[c.sentence]}
            taking_part = [p for p in persons_in_doc if p in named]
            if not taking_part:
                continue
            own = [d for c in kind_cues for d in find_dates(t, sents[c.sentence].start, sents[c.sentence].end)]
            in_headline = any(c.sentence == 0 for c in kind_cues)
            same_day = any(re.search(r"cùng ngày|trong ngày", t[sents[c.sentence].start : sents[c.sentence].end], re.IGNORECASE) for c in kind_cues)
            date = own[0].iso(year or lead_year(t, sp.start, sp.end)) if own else (main_date if in_headline or same_day else None)
        chair = tuple(p for p in taking_part if p in chair_names)
        participants = tuple(p for p in taking_part if p not in chair_names)
        organizer = _organizer(t, cue, kind)
        elected = tuple(h.person for h in holdings.values() if h.status == "starts") if kind == "congress" else ()
        event_list.append(Event(
            kind=kind, evidence=_evidence(t, sp.start, sp.end), date=date, organizer=organizer,
            chair=chair, participants=participants, term=term, committee_size=size,
            delegates=delegates, elected=tuple(dict.fromkeys(elected)), label=t[cue.start:cue.end],
        ))
    doc_date = main_date or pub

    # counts and sub-organizations
    main_org = _main_party_org(t, sents, event_list)
    count_list: list[Count] = []
    suborgs: list[SubOrg] = []
    for sp in sents:
        for what, value, s, e in ev.counts(t, sp.start, sp.end):
            org = _count_org(t, sp.start, s, what, main_org)
            if not org:
                continue
            dates = [d for d in find_dates(t, sp.start, sp.end) if d.start < s]
            date = (dates[-1].iso(year) if dates else None) or doc_date
            count_list.append(Count(org=_fill_org(_full_name(t, org), province, units), what=what, value=value,
                                    evidence=_evidence(t, sp.start, sp.end), date=date))
        parent = ev.parent_org(t, sp.start, sp.end)
        if parent and main_org:
            if parent[3]:  # "Là một trong ... trực thuộc Y, Đảng bộ X ...": the child follows
                child = _subject_org(t, parent[2], sp.end, first=True) or main_org
            else:
                child = _subject_org(t, sp.start, parent[1]) or main_org
            suborgs.append(SubOrg(child=_fill_org(child, province), parent=_fill_org(parent[0], province),
                                  evidence=_evidence(t, sp.start, sp.end)))
    if any(e.kind == "congress" for e in event_list) and main_org:
        higher = ev.higher_congress_org(t)
        if higher and higher[0].lower() != main_org.lower():
            suborgs.append(SubOrg(child=_fill_org(main_org, province), parent=_fill_org(higher[0], province),
                                  evidence=_evidence(t, higher[1], higher[2])))

    persons = []
    for name in persons_in_doc:
        hs = [h for h in holdings.values() if h.person == name]
        provs = Counter(h.province for h in hs if h.province)
        central = any(_is_central_holding(h) for h in hs)
        n = acting.get(name)
        persons.append(Person(
            name=name, evidence=_evidence(t, n.start, n.end) if n else _evidence(t, 0, 0),
            # the province of the person's posts; the article's only for someone with no post
            province=provs.most_common(1)[0][0] if provs else (province if not hs else None),
            central=central,
        ))
    return Facts(
        doc=text.doc, text=t, province=province, date=doc_date, persons=tuple(persons),
        holdings=tuple(holdings.values()), events=tuple(event_list),
        counts=tuple(_dedupe_counts(count_list)), suborgs=tuple(_dedupe_suborgs(suborgs)),
    )


def _context_province(t: str, sents, link: Link, province: str | None, frequent: set[str]) -> str | None:
    """The province an implicit "tỉnh" refers to at a title.

    Named later in the same title chain, else the last one named before it in its
    sentence, else in the two sentences before (a report on several provinces moves
    from one to the next), else the article's province.
    """
    chain = provinces_in(t, link.title.start, link.chain_end or link.title.end)
    if chain:
        return chain[-1].name
    i = next((k for k, sp in enumerate(sents) if sp.start <= link.title.start < sp.end), len(sents) - 1)
    # a province named once in passing ("Bệnh viện Chợ Rẫy (Thành phố Hồ Chí Minh)") sets no context
    here = [p for p in provinces_in(t, sents[i].start, link.title.start) if p.name in frequent]
    if here:
        return here[-1].name
    for k in (i - 1, i - 2):
        if k >= 0:
            prev = [p for p in provinces_in(t, sents[k].start, sents[k].end) if p.name in frequent]
            if prev:
                return prev[-1].name
    return province


@cache
def _ministry_re() -> re.Pattern:
    """A ministry's name, with the spellings of its separators ("và"/"&", "-"/",") let loose."""
    def pattern(name: str) -> str:
        parts = re.split(r"\s*(?:\s-\s|,\s|\svà\s|&|-)\s*", name)
        return r"\s*(?:-|–|,|và|&)?\s*".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)
    names = sorted(lexicon.organizations()["ministries"], key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(pattern(n) for n in names) + r")(?!\w)", re.IGNORECASE)


def _ministries(t: str, start: int, end: int) -> list[str]:
    return [m.group(0) for m in _ministry_re().finditer(t, start, end)]


_HAS = re.compile(r"\s+(?:hiện nay\s+|hiện\s+|hiện tại\s+)?(?:có|gồm)\s")


def _owner_before(t: str, sents, pos: int) -> str | None:
    """The body that a bare role belongs to when the sentence says it has it: "UBND tỉnh Thái
    Bình hiện có chủ tịch là ông A và ba phó chủ tịch: ..." -> UBND tỉnh Thái Bình."""
    i = next((k for k, sp in enumerate(sents) if sp.start <= pos < sp.end), None)
    if i is None:
        return None
    start = sents[i].start
    for m in reversed(list(_HAS.finditer(t, start, pos))):
        between = t[m.end() : pos]
        if len(between) > 80 or re.search(r"[.;]|(?<!\w)(?:làm|giữ|được|bầu|cử)(?!\w)", between):
            return None  # "... gồm A, phó trưởng phòng, làm trưởng đoàn": not the body's own post
        for h in _ORG_HEAD.finditer(t, start, m.start()):
            org, e = parse_org(t, h.start(), m.start() + 1)
            if org and e >= m.start() - 1:
                return org
        return None
    return None


_ORG_HEAD = re.compile(r"(?<!\w)(?:UBND|HĐND|Ủy ban|Hội đồng|Sở|Ban|Đảng ủy|Đảng bộ|Tỉnh ủy|Thành ủy|Huyện ủy|Bộ|Cục|Tổng cục|Vụ|Trung tâm|Bệnh viện|Công an)(?!\w)")


def _bare_role(role: str) -> str:
    return re.sub(r"^(?:phó|quyền|tân|nguyên)\s+", "", role.lower())


def _own_organization(link: Link, links: list[Link], person: str, resolve) -> str | None:
    """The organization of a role written bare, from the same person's post of the same rank
    ladder in the article: a deputy promoted to head ("Phó Giám đốc Sở Y tế X ... giữ chức Giám
    đốc"), an acting head confirmed ("Quyền Cục trưởng Cục Y ... Cục trưởng")."""
    bare = _bare_role(link.title.role)
    own = [other for other in links if other is not link and other.title.org and _bare_role(other.title.role) == bare
           and resolve(other.name.text) == person]
    if not own:
        return None
    before = [o for o in own if o.title.start < link.title.start]
    return (before[-1] if before else own[0]).title.org


def _context_ministry(t: str, sents, pos: int) -> str | None:
    """The ministry a bare "Thứ trưởng" belongs to: the last one named before it in its sentence,
    else the only one the article names."""
    i = next((k for k, sp in enumerate(sents) if sp.start <= pos < sp.end), None)
    if i is not None:
        here = _ministries(t, sents[i].start, pos)
        if here:
            return here[-1]
    named = {re.sub(r"\W+", " ", m.lower()): m for m in _ministries(t, 0, len(t))}
    return next(iter(named.values())) if len(named) == 1 else None


def _ordered_persons(links, names_by_sentence, resolve, full_names) -> list[str]:
    out: dict[str, None] = {}
    for names in names_by_sentence:
        for n in names:
            p = resolve(n.text)
            if p and p in full_names:
                out.setdefault(p)
    return list(out)


# chairing an event: the chair word before the event, a list of chairs, or at a clause's end
_CHAIRS_EVENT = re.compile(
    r"\s*(?:$|[.;,:)]|và\s|(?:\S+\s+){0,2}?(?:hội nghị|đại hội|kỳ họp|kì họp|phiên họp|buổi|phiên|lễ|cuộc|hội thảo|tọa đàm|"
    r"chương trình|sinh hoạt|có|gồm|là|của))",
    re.IGNORECASE,
)
_TODAY = re.compile(r"(?<!\w)(?:sáng|chiều|tối|trưa|hôm)\s+nay(?!\w)", re.IGNORECASE)
_CO_CHAIR_BEFORE = re.compile(r"(?:đồng|cùng)\s*$", re.IGNORECASE)
_CO_CHAIR_AFTER = re.compile(r"\s*(?:[^\s:;,.]+\s+){0,3}?(?:có|gồm|là)\s", re.IGNORECASE)
_PRESIDIUM = re.compile(r"Đoàn Chủ tịch|Đoàn chủ tịch|Chủ tọa đoàn|Chủ tịch đoàn", re.IGNORECASE)


@cache
def _chair_re() -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in lexicon.statuses()["chair"]) + r")(?!\w)", re.IGNORECASE)


def _chairs(t, sents, names_by_sentence, resolve) -> dict[int, set[str]]:
    """Who chairs, per sentence: "X chủ trì", "dưới sự chủ trì của X", "A và B đồng chủ trì",
    "cùng chủ trì có các đồng chí: A, B", "Đoàn Chủ tịch gồm các đồng chí: A, B và C điều hành"."""
    out: dict[int, set[str]] = {}
    for i, (sp, names) in enumerate(zip(sents, names_by_sentence)):
        for m in _chair_re().finditer(t, sp.start, sp.end):
            if not names or not _CHAIRS_EVENT.match(t, m.end()):
                continue  # "chủ trì, phối hợp với ...", "giai đoạn điều hành dự án": not chairing
            before = [n for n in names if n.end <= m.start()]
            after = [n for n in names if n.start >= m.end()]
            prefix = t[max(sp.start, m.start() - 12) : m.start()]
            if after and _CO_CHAIR_AFTER.match(t, m.end()):
                pool = after  # "cùng chủ trì có các đồng chí: A, B", "Chủ tọa kỳ họp gồm các đồng chí: A; B và C"
            elif _CO_CHAIR_BEFORE.search(prefix) or _PRESIDIUM.search(t, sp.start, m.start()):
                pool = before  # "A và B đồng chủ trì", "Đoàn Chủ tịch gồm ...: A, B và C điều hành"
            elif re.search(r"(?:sự|dưới sự)\s*$", prefix):
                pool = after[:1]  # "dưới sự chủ trì của X"
            elif any(re.search(r"(?<!\w)do\s+(?:các\s+)?(?:ông|bà|đồng chí|đ/c)?\s*$", t[max(sp.start, n.start - 16) : n.start]) for n in before):
                # "... do ông X, <titles> chủ trì"; "do các đồng chí A, <titles> và B, <titles> điều hành": all
                first = [n for n in before if re.search(r"(?<!\w)do\s+(?:các\s+)?(?:ông|bà|đồng chí|đ/c)?\s*$", t[max(sp.start, n.start - 16) : n.start])][-1]
                rest = [n for n in before if n.start > first.start]
                plural = re.search(r"(?<!\w)do\s+các\s", t[max(sp.start, first.start - 20) : first.start])
                pool = [first] + (rest if plural or all(re.search(r"(?:^|\s)và\s", t[a.end : b.start])
                                                        for a, b in zip([first] + rest, rest)) and rest else [])
            elif before and not re.search(r"(?:và|cùng)\s", t[before[0].end : m.start()]):
                pool = before[:1]  # "X, <titles> chủ trì": the holder opens the sentence
            else:
                pool = before[-1:]
            for cand in pool:
                p = resolve(cand.text)
                if p:
                    out.setdefault(i, set()).add(p)
    return out


def _organizer(t: str, cue, kind: str) -> str | None:
    if kind == "congress":
        m = re.compile(r"[Đđ]ại hội\s+(?:đại biểu\s+)?", re.IGNORECASE).match(t, cue.start)
        if m:
            org, _ = parse_org(t, m.end(), min(len(t), m.end() + 120))
            if org:
                return re.sub(r"\s+(?:lần thứ|khóa)\s+[IVXLC\d]+.*$", "", org)
    return None


_PARTY_ORG = re.compile(r"(?:Đảng bộ|Đảng ủy|Chi bộ)\s+(?=[A-ZĐÀ-Ỹ]|(?:tỉnh|huyện|quận|thị xã|xã|phường|thành phố)\b)")


def _main_party_org(t: str, sents, event_list) -> str | None:
    """The party organization the article is about: the congress's, else the first one the
    headline and lead name, else the one it names most."""
    for e in event_list:
        if e.kind == "congress" and e.organizer and e.organizer.lower().startswith(("đảng bộ", "đảng ủy")):
            return e.organizer
    counts: Counter[str] = Counter()
    first_in_lead = None
    lead_end = sents[min(len(sents), 3) - 1].end if sents else 0
    for m in _PARTY_ORG.finditer(t):
        org, _ = parse_org(t, m.start(), min(len(t), m.start() + 100))
        if org and len(org.split()) > 2:
            org = "Đảng bộ " + org.split(None, 2)[2] if org.lower().startswith("đảng ủy") else org
            counts[org] += 1
            if m.start() < lead_end and first_in_lead is None:
                first_in_lead = org
    return first_in_lead or (counts.most_common(1)[0][0] if counts else None)


def _subject_org(t: str, start: int, end: int, *, first: bool = False) -> str | None:
    """The party organization a clause speaks of: the last one named before ``end``, or with
    ``first`` the sentence's subject ("Đảng bộ xã X, trực thuộc Đảng bộ tỉnh Y, hiện có ...")."""
    found = list(_PARTY_ORG.finditer(t, start, end))
    if first:
        # the parent an organization is said to be under is not the one the clause speaks of
        own = [m for m in found if not re.search(r"(?:trực thuộc|thuộc|của|với)\s*$", t[max(start, m.start() - 12) : m.start()])]
        found = own or found
    if not found:
        return None
    m = found[0] if first else found[-1]
    org, _ = parse_org(t, m.start(), end)
    return org


def _count_org(t: str, start: int, pos: int, what: str, main_org: str | None) -> str | None:
    if what in ("party_members", "party_cells"):
        org = _subject_org(t, start, pos, first=True)
        # "Đảng bộ Khối có ...": a bare head is the organization the article is about
        return main_org if not org or _PARTY_HEAD.fullmatch(org + " ") else org
    m = None
    for m in re.finditer(r"(?:Sở|Bệnh viện|Trung tâm|Ban|Công an|Ủy ban|UBND)\s+(?=[A-ZĐÀ-Ỹ])", t[start:pos]):
        pass
    if m:
        org, _ = parse_org(t, start + m.start(), pos)
        if org:
            return org
    if main_org:
        return re.sub(r"^(?:Đảng bộ|Đảng ủy)\s+", "", main_org)
    return None


# bodies often named again by their kind alone ("Giám đốc Bệnh viện", "Bí thư Đảng ủy Khối")
_BARE_BODY = re.compile(r"(?:Đảng ủy\s+|Đảng bộ\s+)?(?:Bệnh viện|Trung tâm|Trường|Tổng công ty|Viện|Khối|Cục|Chi cục|Tổng cục|Liên minh|Ngân hàng|Nhà máy|Học viện)",
                        re.IGNORECASE)
_LEVEL_ONLY = re.compile(r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)", re.IGNORECASE)
_PARTY_HEAD = re.compile(r"^(?:Đảng bộ|Đảng ủy)\s+", re.IGNORECASE)


def _full_name(t: str, org: str) -> str:
    """An organization written short ("Đảng bộ Khối", "Đảng ủy bệnh viện") under the full name
    the article gives it elsewhere ("Đảng ủy Khối Doanh nghiệp tỉnh Bình Phước")."""
    head = _PARTY_HEAD.match(org)
    rest = org[head.end():] if head else org
    if not rest or any(c.isupper() for c in rest[1:]) or len(rest.split()) > 3 or _LEVEL_ONLY.fullmatch(rest):
        return org  # already a proper name, not a short form, or a level that the province fills
    found: Counter[str] = Counter()
    for m in re.finditer(r"(?<!\w)" + re.escape(rest) + r"(?!\w)", t, re.IGNORECASE):
        full, _ = parse_org(t, m.start(), min(len(t), m.start() + 120))
        full = re.sub(r"\s+(?:khóa|nhiệm kỳ)\s+\S+$", "", full or "", flags=re.IGNORECASE)
        extra = full[len(rest):].split()
        if len(extra) >= 2 and full.lower().startswith(rest.lower()) and any(c.isupper() for c in full[len(rest):]) \
                and not re.fullmatch(r"[A-ZĐ]\.?", extra[-1]) and extra[0] not in ("TNHH", "MTV", "Cổ", "CP"):
            found[full] += 1
    if not found:
        return org
    best = max(found, key=lambda f: (found[f], len(f)))
    return (head.group(0) if head else "") + best


def _fill_org(org: str, province: str | None, units: dict | None = None) -> str:
    if org.lower().startswith("đảng ủy "):
        org = "Đảng bộ " + org[8:]
    _, filled, _ = fill(Title(0, 0, "X", org, False), province, units)
    return filled or org


def _is_central_holding(h: Holding) -> bool:
    central_roles = lexicon.roles()["central"]
    return h.role.lower() in central_roles or bool(h.organization and re.search(r"Trung ương|Chính phủ|Bộ Chính trị", h.organization))


def _same_body(a: str, b: str) -> bool:
    """One organization, one name possibly completed ("Vụ Tổ chức cán bộ" and "Vụ Tổ chức cán bộ Bộ Y tế")."""
    a, b = a.lower(), b.lower()
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def _succession(holdings: dict) -> dict:
    """Someone who starts an exclusive post ends the one who held it; a deputy promoted ends the deputy post."""
    out = dict(holdings)
    starts = [h for h in holdings.values() if h.status == "starts" and _EXCLUSIVE.match(h.role)]
    for s in starts:
        for key, h in holdings.items():
            if h.status != "current":
                continue
            if h.person != s.person and h.position.lower() == s.position.lower():
                out[key] = _with_status(h, "ends")
            elif h.person == s.person and h.organization and s.organization and _same_body(h.organization, s.organization) \
                    and h.role.lower() == ("phó " + s.role).lower():
                out[key] = _with_status(h, "ends")
    return out


@cache
def _leaving_re() -> tuple[re.Pattern, re.Pattern]:
    st = lexicon.statuses()
    verbs = "|".join(re.escape(v) for v in sorted(set(st["moves"] + st["retire"] + ("thay", "thay thế", "thay cho")), key=len, reverse=True))
    before = re.compile(r"(?<!\w)(?:" + verbs + r")\s+(?:các\s+)?(?:(?:ông|bà|đồng chí|đ/c)\s+)?$", re.IGNORECASE)
    after = re.compile(r"^[^.;]{0,60}?(?<!\w)(?:được|vừa|đã)\s+(?:[^.;,]{0,30}?\s)?(?:" + verbs + r")(?!\w)", re.IGNORECASE)
    return before, after


def _left_posts(text: str, holdings: dict, nguyen: set) -> dict:
    """FORMAT: a transfer or retirement reported anywhere in the article ends the post that the
    article calls "nguyên X" ("thay cho ông A, người vừa được điều động..." with "nguyên Bí thư
    A" in a caption); "nguyên X" with no change reported stays ``former``."""
    before, after = _leaving_re()
    moved: set[str] = set()
    for person in {p for p, _ in nguyen}:
        for m in re.finditer(r"(?<!\w)" + re.escape(person) + r"(?!\w)", text):
            if before.search(text, max(0, m.start() - 40), m.start()) or after.match(text[m.end() : m.end() + 120]):
                moved.add(person)
                break
    out = dict(holdings)
    for key in nguyen:
        h = out.get(key)
        if h is not None and h.status == "former" and h.person in moved:
            out[key] = _with_status(h, "ends")
    return out


def _drop_subsumed(holdings: dict) -> dict:
    """One holding per post: "Phó Bí thư Tỉnh ủy X" goes when "Phó Bí thư Thường trực Tỉnh ủy X"
    is there, "Chủ tịch UBND tỉnh X" when "Chủ tịch UBND tỉnh X khóa XVI" is."""
    def bare(h):
        return re.sub(r"\s+khóa\s+\S+$", "", h.position).lower()

    out = dict(holdings)
    items = list(holdings.items())
    for key, h in items:
        for key2, h2 in items:
            if key == key2 or h.person != h2.person or key2 not in out or key not in out:
                continue
            same_org = (h.organization or "").lower() == (h2.organization or "").lower()
            longer_role = h2.role.lower().startswith(h.role.lower() + " ") and h2.role.lower().endswith("thường trực")
            if (same_org and longer_role) or (bare(h) == bare(h2) and len(h.position) < len(h2.position)):
                if h.status == "current" or h.status == h2.status:
                    del out[key]
    return out


def _with_status(h: Holding, status: str) -> Holding:
    return replace(h, status=status)


def _dedupe_counts(counts: list[Count]) -> list[Count]:
    seen, out = set(), []
    for c in counts:
        k = (c.org.lower(), c.what, c.value)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _dedupe_suborgs(subs: list[SubOrg]) -> list[SubOrg]:
    seen, out = set(), []
    for s in subs:
        k = (s.child.lower(), s.parent.lower())
        if k not in seen and s.child.lower() != s.parent.lower():
            seen.add(k)
            out.append(s)
    return out
