"""Entities across documents: one IRI per real person, tenures, administrative units.

Documents' graphs stay a pure function of their document: a person there has a base IRI
from its name and scope (``kg.ids.person_iri``). This store-level step reads every
*mention* (document + base person IRI) with SPARQL, blocks mentions by name key, and
clusters each block by context:

- ``shared_province``: both hold posts in organizations of the same province (a mention
  with posts in two provinces -- a career move stated in one article -- links both);
- ``shared_organization``: both hold posts in the same organization that has no province;
- ``central_post``: both hold national posts and neither names a province; such a group
  joins the one provincial cluster that also holds a national post, if there is one;
- ``document_province``: a mention with no posts of its own joins the single cluster of
  its name in the province its article is about (or the other such mentions there);
- ``same_post``: the same role once its place is dropped ("Giám đốc Sở Tài chính"): a
  mention whose posts name no place joins the one person holding that role; for a name that
  is not common, two persons holding one role in different places join (a move, or a post
  the extractor misplaced) unless their posts conflict in time;
- ``only_person``: what is still unplaced joins the only person of its name who holds a
  post anywhere in the store, when there is exactly one and the article is not about a
  province where that person holds no post;
- ``rare_name``: a name expected to have almost no namesakes in the store
  (:func:`expected_namesakes`, below :data:`RARE_NAME`) is one person: its clusters join
  unless they hold current posts in two provinces less than a year apart;
- ``judgement``: a user's merge from ``judgements.jsonl``.

Anything else stays apart: namesakes of a common name in different provinces, or with posts
that share nothing, are different people until an article links them. Organizations named
only by their kind ("Ủy ban", "Đảng ủy", "HĐQT") are no evidence. A user's ``split`` is a
cannot-link: no join may put its two sides together.

The result is written into ONE named graph, :data:`kg.vocab.RESOLUTION_GRAPH`: per mention
``kg:resolvedTo`` its entity, ``owl:sameAs`` from a base IRI to its entity when all its
mentions agree, one ``kg:JoinRecord`` per join (reason, detail, the holdings it rests on),
and the tenures: a resolved person's holdings of one post merged across documents, with
first/last attested dates and the explicit start (elected, appointed) and end (retired,
moved) the articles state. The 2025 reorganization of provinces is written into
:data:`kg.vocab.ADMIN_GRAPH`: each unit merged or renamed ``kg:succeededBy`` its successor
from ``kg:changeDate``, and so are the organizations of the merged provinces.

How it is written (embedded store). Every node of the resolution graph belongs to one name
block (a mention, its entity, the entity's tenures, the joins, the base IRI's
``owl:sameAs``: a base IRI is minted from the name key), so blocks are clustered and written
independently, in batches of about :data:`BATCH_MENTIONS` mentions: each batch is ONE
transaction that deletes and inserts only the difference between the batch's quads and the
stored quads of the nodes it reaches; a batch's mentions are read by index lookups. Memory
is bounded by a batch, not by the store. After ``kg ingest`` or ``kg remove`` only the
blocks of the names of the added or removed documents are recomputed; a full run (``kg resolve``,
judgements, a first run) recomputes every block, and deletes what mentions of documents no
longer stored left behind. The result equals a whole computation
(``resolution_quads(compute(read_mentions(store)))``).

Consistency: the graph carries ``<graph> kg:updatePending true`` from before the first batch
(kg.pipeline sets it already before it writes documents) until after the last one. A reader
that finds the marker may see some blocks old and some new (each block whole, never half a
block), or, while the graph is first written (with the bulk loader, not transactional), only
part of it; without the marker the graph is complete. A run that finds the marker left by a
crash clears the graph and computes it again from scratch. A SPARQL server's graph is
rewritten whole in one request instead.
"""

from __future__ import annotations

import json
import re
from datetime import date
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
import yaml
from rdflib.namespace import OWL, RDF, XSD

from kg import ids, queries
from kg.errors import InputError, StoreError, UsageError
from kg.lexicon import LEXICON_DIR, abbreviations, canon, name_frequencies, province_forms, provinces
from kg.lexicon import roles as lexicon_roles
from kg.vocab import ADMIN_GRAPH, KG, RESOLUTION_GRAPH, STATUS_OF, node

__all__ = [
    "JUDGEMENTS_FILE",
    "Judgement",
    "Mention",
    "ResolveReport",
    "add_judgement",
    "admin_quads",
    "cluster",
    "NameStats",
    "expected_namesakes",
    "explain",
    "has_resolution",
    "holders_at",
    "load_judgements",
    "mention_ref",
    "post_key",
    "read_mentions",
    "resolve",
]

#: The judgements file kept with a store (one JSON object per line).
JUDGEMENTS_FILE = "judgements.jsonl"
#: When the 2025 reorganization of provinces took effect (Resolution 202/2025/QH15).
REORGANIZED_ON = "2025-07-01"

_XSD_DATE = ox.NamedNode(str(XSD.date))
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_HELD = ("current", "starts", "ends")


# -- mentions ------------------------------------------------------------------------------


@dataclass(slots=True)
class Holding:
    """One holding row as kg.resolve uses it."""

    iri: str
    doc: str
    person: str
    position: str
    role: str | None
    post: str
    org: str | None
    org_name: str | None
    province: str | None  # place key of the organization's province
    status: str
    date: str | None


@dataclass
class Mention:
    """A person as one document names it: ``(doc, person)`` with the context to compare."""

    doc: str
    person: str  # base IRI
    file: str
    names: set[str] = field(default_factory=set)
    central: bool = False
    doc_province: str | None = None  # place key of the article's province
    date: str | None = None
    holdings: list[Holding] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.doc, self.person)

    @property
    def name(self) -> str:
        return min(self.names)

    @property
    def name_key(self) -> str:
        return ids.name_key(self.name)

    @property
    def iri(self) -> str:
        return ids.fact_iri("mention", self.doc, self.person)

    @property
    def national(self) -> bool:
        """True when the extractor marked the person central or any post is a national one."""
        return self.central or self._context()[0]

    @property
    def provinces(self) -> dict[str, list[str]]:
        """Province key -> holdings in organizations of that province (national posts, which
        the extractor may tie to the article's province, do not count)."""
        return self._context()[1]

    @property
    def orgs(self) -> dict[str, list[str]]:
        """Organization IRI -> holdings, for organizations with no province and a place named."""
        return self._context()[2]

    def _context(self) -> tuple[bool, dict[str, list[str]], dict[str, list[str]]]:
        """(any national post, provinces, orgs), computed once for the current holdings
        (clustering reads them many times per mention)."""
        cached = self.__dict__.get("_cached_context")
        if cached is not None and cached[0] == len(self.holdings):
            return cached[1]
        national = False
        provinces: dict[str, list[str]] = {}
        orgs: dict[str, list[str]] = {}
        for h in self.holdings:
            is_national = _is_national(h)
            national = national or is_national
            if h.province and not is_national:
                provinces.setdefault(h.province, []).append(h.iri)
            if h.org and not h.province and h.org_name and not ids.is_bare_place(h.org_name) \
                    and not _generic_org(h.org_name):
                orgs.setdefault(h.org, []).append(h.iri)
        context = (national, provinces, orgs)
        self.__dict__["_cached_context"] = (len(self.holdings), context)
        return context

    def ref(self) -> str:
        """``name@file``: how a judgement names this mention."""
        return f"{self.name}@{self.file}"


_NATIONAL_ORG = re.compile(r"(?i)trung ương|chính phủ|bộ chính trị|quốc hội|^bộ |^ủy ban (?:tài chính|kinh tế|pháp luật|tư pháp|"
                           r"quốc phòng|văn hóa|xã hội|khoa học|đối ngoại|thường vụ)|^ban dân nguyện|^hội đồng dân tộc")


@lru_cache(maxsize=None)
def _national_roles() -> frozenset[str]:
    return frozenset(ids.name_key(r) for r in lexicon_roles()["central"]) | {"đại biểu quốc hội"}


#: Words of organization names that name a kind, not one organization: an organization named
#: with these alone ("Ủy ban", "Đảng ủy", "HĐQT") says nothing about who holds a post in it.
_GENERIC_ORG_WORDS = frozenset(
    "ủy ban ban hội đồng sở bộ công ty đảng chi tổng cục phòng văn viện trường tập đoàn chấp hành "
    "thường vụ trực nhân dân quản lý quản trị thành viên nhánh ngân hàng cán sự an quân khu kiểm tra "
    "hđqt hđtv ubnd hđnd bch btv ubkt mttq đoàn liên minh hiệp mặt trận".split())


def _generic_org(name: str) -> bool:
    """True for an organization name made only of kind words ("Ủy ban", "Công ty", "HĐQT").

    >>> _generic_org("Ủy ban"), _generic_org("Ủy ban Văn hóa"), _generic_org("Quân khu 9")
    (True, False, False)
    """
    return all(w in _GENERIC_ORG_WORDS for w in ids.name_key(canon(name)).split())


def _is_national(h: Holding) -> bool:
    """A post of the national level (ministry, Central Committee, National Assembly...)."""
    return _national(h.role, h.org_name)


@lru_cache(maxsize=1 << 16)
def _national(role: str | None, org_name: str | None) -> bool:
    if role and ids.name_key(role) in _national_roles():
        return True
    return bool(org_name and _NATIONAL_ORG.search(canon(org_name)))


def read_mentions(store) -> list[Mention]:
    """Every person mention of the store with its holdings, ordered by (file, document, person).

    The rows are streamed (not collected into one list first) and repeated strings (document
    and person IRIs, names, posts) are shared, so memory holds the mentions, not the rows.
    """
    mentions: dict[tuple[str, str], Mention] = {}
    strings: dict[str, str] = {}
    share = lambda v: strings.setdefault(v, v) if isinstance(v, str) else v  # noqa: E731
    for r in store.stream(queries.load("resolve_mentions")):
        doc, person = share(r["doc"]), share(r["person"])
        m = mentions.get((doc, person))
        if m is None:
            m = mentions[(doc, person)] = Mention(doc=doc, person=person, file=share(r["file"]))
        m.names.add(share(r["name"]))
        m.central = m.central or bool(r["central"])
        m.doc_province = ids.place_key(_canonical_province(r["docProvince"]))
        date = r["date"] or r["published"]
        m.date = share(date) if isinstance(date, str) and _ISO_DATE.match(date) else None
    seen: set[str] = set()
    for r in store.stream(queries.load("resolve_holdings")):
        m = mentions.get((r["doc"], r["person"]))
        if m is None or r["holding"] in seen:
            continue
        seen.add(r["holding"])
        date = r["date"] if isinstance(r["date"], str) and _ISO_DATE.match(r["date"]) else m.date
        m.holdings.append(Holding(
            iri=r["holding"], doc=m.doc, person=m.person, position=share(r["position"]), role=share(r["role"]),
            post=share(r["post"]), org=share(r["org"]), org_name=share(r["orgName"]),
            province=ids.place_key(_canonical_province(r["orgProvince"])),
            status=STATUS_OF.get(r["status"], "current"), date=share(date)))
    return sorted(mentions.values(), key=lambda m: (m.file, m.doc, m.person))


@lru_cache(maxsize=4096)
def _canonical_province(name: str | None) -> str | None:
    if not name:
        return None
    return province_forms().get(canon(name).strip(), canon(name).strip())


# -- judgements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """A user's decision: ``merge`` or ``split`` two references.

    A reference is a mention ``name@file`` (or ``name@<document IRI>``), or a base
    person IRI (all its mentions).
    """

    op: str
    a: str
    b: str


def load_judgements(store_dir: str | Path) -> list[Judgement]:
    """The judgements kept with a store, in file order (none when the file is absent).

    Raises:
        InputError: if a line is not a JSON object with op merge/split, a and b.
    """
    path = Path(store_dir) / JUDGEMENTS_FILE
    if not path.is_file():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            j = Judgement(op=row["op"], a=str(row["a"]), b=str(row["b"]))
        except (ValueError, KeyError, TypeError):
            raise InputError(f"line {number} is not {{\"op\": \"merge\"|\"split\", \"a\": ..., \"b\": ...}}; "
                             "fix or delete it", source=str(path)) from None
        if j.op not in ("merge", "split"):
            raise InputError(f"line {number}: op must be merge or split, not {j.op!r}", source=str(path))
        out.append(j)
    return out


def add_judgement(store_dir: str | Path, judgement: Judgement) -> None:
    """Append a judgement to the store's judgements file."""
    if judgement.op not in ("merge", "split"):
        raise UsageError(f"op must be merge or split, not {judgement.op!r}")
    path = Path(store_dir) / JUDGEMENTS_FILE
    with open(path, "a", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps({"op": judgement.op, "a": judgement.a, "b": judgement.b}, ensure_ascii=False) + "\n")


def mention_ref(ref: str, mentions: list[Mention], store=None) -> str:
    """A judgement reference checked against the store: ``name@file`` or a person IRI as
    given; a resolved person's IRI becomes ``name@file`` of its first mention.

    Raises:
        UsageError: if the reference names no mention of the store.
    """
    ref = ref.strip().strip("<>") if ref.strip().startswith("<") else ref.strip()
    if ref.startswith(ids.BASE + "entity/") and store is not None:
        q = f"SELECT ?m ?e WHERE {{ GRAPH <{RESOLUTION_GRAPH}> {{ ?m <{KG.resolvedTo}> ?e }} }}"
        iris = {r[0] for r in store.query(q, {"e": ref}).rows}
        found = [m for m in mentions if m.iri in iris]
        if found:
            return found[0].ref()
    if not _refers(ref, mentions):
        raise UsageError("names no person of the store; write NAME@FILE (e.g. \"Nguyễn Văn Sơn@bai-01.txt\") "
                         "or a person IRI", source=ref)
    return ref


def _refers(ref: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions a judgement reference names."""
    if "@" in ref and not ref.startswith(("http://", "https://")):
        name, _, doc = ref.rpartition("@")
        key = ids.name_key(name)
        return [m for m in mentions if (m.file == doc or m.doc == doc)
                and any(ids.name_key(n) == key for n in m.names)]
    return [m for m in mentions if m.person == ref]


# -- clustering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Join:
    """Why two mentions are one person."""

    a: tuple[str, str]
    b: tuple[str, str]
    reason: str
    detail: str
    basis: tuple[str, ...]  # holding (or document) IRIs


class _Clusters:
    """Union-find over mention keys with cannot-link constraints (a user's splits)."""

    def __init__(self, keys, cannot: set[frozenset]):
        self.parent = {k: k for k in keys}
        self.members = {k: {k} for k in keys}
        self.cannot = cannot
        self.joins: list[Join] = []

    def find(self, k):
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a, b, reason: str, detail: str, basis=()) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.cannot and any(frozenset((x, y)) in self.cannot for x in self.members[ra] for y in self.members[rb]):
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.joins.append(Join(a, b, reason, detail, tuple(sorted(set(basis)))))
        return True

    def groups(self) -> list[list]:
        return [sorted(v) for v in self.members.values()]


def cluster(block: list[Mention], *, merges=(), splits=(),
            namesakes: float | None = None) -> tuple[list[list[Mention]], list[Join]]:
    """Cluster the mentions of one name into persons. Returns (clusters, joins).

    ``merges`` and ``splits`` are pairs of mention keys from the user's judgements.
    ``namesakes`` is how many other persons of this name the store is expected to hold
    (:func:`expected_namesakes`); unknown (None) is treated as a common name. A rare name
    (below :data:`RARE_NAME`) is one person unless its posts conflict; a common one (from
    :data:`COMMON_NAME`) joins an untitled mention only to a person of a compatible place.
    """
    by_key = {m.key: m for m in block}
    cannot = {frozenset(p) for p in splits if p[0] != p[1]}
    uf = _Clusters(by_key, cannot)
    for a, b in merges:
        if a in by_key and b in by_key:
            uf.union(a, b, "judgement", "merge", ())

    # Strong context: the same province of posts, the same organization without province.
    by_province: dict[str, list[Mention]] = defaultdict(list)
    by_org: dict[str, list[Mention]] = defaultdict(list)
    for m in block:
        for p in m.provinces:
            by_province[p].append(m)
        for o in m.orgs:
            by_org[o].append(m)
    for p, ms in sorted(by_province.items()):
        for x, y in zip(ms, ms[1:]):
            linked = len(x.provinces) > 1 or len(y.provinces) > 1
            uf.union(x.key, y.key, "shared_province", p + (" (career link)" if linked else ""),
                     x.provinces[p] + y.provinces[p])
    for o, ms in sorted(by_org.items()):
        for x, y in zip(ms, ms[1:]):
            uf.union(x.key, y.key, "shared_organization", o, x.orgs[o] + y.orgs[o])

    # National posts with no province: one group, which joins the one provincial cluster
    # that also holds a national post (e.g. a Central Committee member who is provincial secretary).
    central_only = [m for m in block if m.national and not m.provinces]
    for x, y in zip(central_only, central_only[1:]):
        uf.union(x.key, y.key, "central_post", "national posts",
                 [h.iri for h in x.holdings + y.holdings])
    if central_only:
        provincial = {uf.find(m.key): m for m in block if m.national and m.provinces}
        if len(provincial) == 1:
            (root, m), = provincial.items()
            x = central_only[0]
            uf.union(x.key, m.key, "central_post", "national posts; the only provincial namesake with one",
                     [h.iri for h in x.holdings + m.holdings])

    # The same role (a post without its place): a mention whose posts name no place joins the
    # one person who holds that role; for a name that is not common, two persons who hold the
    # same role in different places are one official (moved, or misplaced by the extractor)
    # unless their posts conflict in time.
    holders: dict[str, set] = defaultdict(set)
    for m in block:
        if m.provinces or m.national or m.orgs:
            for r in _roles([m]):
                holders[r].add(m.key)
    for m in block:
        if m.provinces or m.national or m.orgs or not m.holdings:
            continue
        for r in sorted(_roles([m])):
            roots = {uf.find(k) for k in holders.get(r, ())}
            if len(roots) == 1:
                person = _members(uf, by_key, next(iter(roots)))
                if (namesakes is None or namesakes >= COMMON_NAME) and not _compatible_place([m], person):
                    continue
                uf.union(m.key, person[0].key, "same_post", r,
                         [h.iri for h in m.holdings] + [h.iri for x in person for h in x.holdings
                                                        if _role_key(h.position) == r][:2])
                break
    if namesakes is not None and namesakes < COMMON_NAME:
        for r, keys in sorted(holders.items()):
            ordered = sorted(keys)
            for k in ordered[1:]:
                x, y = _members(uf, by_key, k), _members(uf, by_key, ordered[0])
                if uf.find(k) != uf.find(ordered[0]) and not _conflict(x, y):
                    uf.union(k, ordered[0], "same_post", f"{r} ({_rarity(namesakes)})",
                             [h.iri for m in (by_key[k], by_key[ordered[0]]) for h in m.holdings
                              if _role_key(h.position) == r])

    # Mentions with no posts that place them: the article's province decides.
    loose = [m for m in block if not m.provinces and not m.national and len(uf.members.get(uf.find(m.key), ())) == 1]
    clusters_in: dict[str, set] = defaultdict(set)
    for m in block:
        for p in m.provinces:
            clusters_in[p].add(uf.find(m.key))
    waiting: dict[str, list[Mention]] = defaultdict(list)
    for m in loose:
        if not m.doc_province:
            continue
        roots = {uf.find(r) for r in clusters_in.get(m.doc_province, set())}
        if len(roots) == 1:
            root = next(iter(roots))
            other = by_key[min(uf.members[root])]
            uf.union(m.key, other.key, "document_province", m.doc_province, (m.doc, other.doc))
        elif not roots:
            waiting[m.doc_province].append(m)
    for p, ms in sorted(waiting.items()):
        for x, y in zip(ms, ms[1:]):
            uf.union(x.key, y.key, "document_province", p, (x.doc, y.doc))

    # Whatever is still unplaced joins the only person of this name that holds a post, if
    # there is exactly one: a name with no title is usually a well-known official's.
    placed = {uf.find(m.key) for m in block if m.provinces or m.national or m.orgs}
    if len(placed) == 1:
        person = _members(uf, by_key, next(iter(placed)))
        other = person[0]
        for root in sorted({uf.find(m.key) for m in block} - placed):
            x = by_key[min(uf.members[root])]
            if not _compatible_place(_members(uf, by_key, root), person):
                continue  # an article about another place: maybe anyone
            uf.union(x.key, other.key, "only_person", "the only person of this name with a post",
                     (x.doc, other.doc))

    # A rare name is one person: what is still apart joins, largest first, unless the
    # posts conflict (current posts in two provinces less than a year apart) or, for a
    # mention with no post, its article is about a place the person has no post in.
    if namesakes is not None and namesakes < RARE_NAME:
        roots = sorted({uf.find(m.key) for m in block}, key=lambda r: (-len(uf.members[r]), min(uf.members[r])))
        for r in roots[1:]:
            x = _members(uf, by_key, r)
            for target in roots:
                if uf.find(target) == uf.find(r):
                    break
                y = _members(uf, by_key, target)
                untitled = not any(m.holdings for m in x)
                if not _conflict(x, y) and (not untitled or _compatible_place(x, y)):
                    uf.union(x[0].key, y[0].key, "rare_name", f"{_rarity(namesakes)}; no conflicting posts",
                             [h.iri for m in (x[0], y[0]) for h in m.holdings] or (x[0].doc, y[0].doc))
                    break

    groups = [[by_key[k] for k in g] for g in uf.groups()]
    groups.sort(key=lambda g: g[0].key)
    return groups, uf.joins


def _members(uf: _Clusters, by_key: dict, key) -> list[Mention]:
    """The mentions of the cluster that holds ``key``, in key order."""
    return [by_key[k] for k in sorted(uf.members[uf.find(key)])]


_ROLE_HEAD = re.compile(r"^(?:(?:phó|thường trực|tổng|thứ)\s+)*(?:chủ tịch|chủ nhiệm|giám đốc|bí thư|trưởng ban|"
                        r"trưởng phòng|trưởng|ủy viên|thư ký|kế toán trưởng|chánh văn phòng|chánh|tư lệnh|"
                        r"chính ủy|hiệu trưởng|thành viên)\b\s*(?:thường trực\s*)?")
_PLACE_WORDS = re.compile(r"\b(?:tỉnh|thành phố|tp|huyện|quận|thị xã)\b(?! ủy)")


@lru_cache(maxsize=1 << 16)
def _role_key(position: str) -> str:
    """A post without its place: "Giám đốc Sở Tài chính TP. HCM" and "giám đốc Sở Tài chính"
    are one role. A role in an organization named only by its kind ("Bí thư Đảng ủy",
    "Chủ nhiệm Ủy ban", "Giám đốc Sở") tells nothing and comes back empty.

    >>> _role_key("Chủ tịch HĐND TP. HCM") == _role_key("chủ tịch HĐND TP") == "chủ tịch hội đồng nhân dân"
    True
    """
    key = post_key(position)
    for name, _ in _province_key_patterns():
        if name in key:
            key = re.sub(r"\b" + re.escape(name) + r"\b", " ", key)
    key = " ".join(_PLACE_WORDS.sub(" ", key).split())
    org = _ROLE_HEAD.sub("", key).split()
    if not org or (all(w in _GENERIC_ORG_WORDS for w in org) and "nhân" not in org):
        return ""  # "Chủ nhiệm Ủy ban", "Bí thư Đảng ủy": any organization at all
    return key


def _roles(group: list[Mention]) -> set[str]:
    """The role keys of a group's posts (current or not)."""
    return {k for m in group for h in m.holdings if (k := _role_key(h.position))}


def _rarity(namesakes: float) -> str:
    return f"expected namesakes {namesakes:.2f}"


def _compatible_place(loose: list[Mention], person: list[Mention]) -> bool:
    """An unplaced mention fits a person when its article names no province, or the
    province of one of the person's posts, or the person's posts name no province or
    include a national one."""
    places = {m.doc_province for m in loose}
    held = {p for m in person for p in m.provinces}
    if None in places or not held or any(m.national for m in person):
        return True
    return bool(places & held)


#: Two current posts in different provinces this close in time are two persons.
CONFLICT_DAYS = 365


def _day(value: str | None) -> date | None:
    if not value or not _ISO_DATE.match(value):
        return None
    return date.fromisoformat(value if len(value) == 10 else value + "-01")


def _conflict(a: list[Mention], b: list[Mention]) -> bool:
    """True when ``a`` and ``b`` hold current posts in different provinces (national posts
    aside) at dates less than :data:`CONFLICT_DAYS` apart: one person cannot be both. A
    mention with posts in both provinces (a move the article states) removes the conflict."""
    def dated(group):
        out = []
        for m in group:
            for h in m.holdings:
                day = _day(h.date)
                if day and h.status in ("current", "starts") and h.province and not _is_national(h):
                    out.append((h.province, day))
        return out

    linked = {frozenset(m.provinces) for m in a + b if len(m.provinces) > 1}
    for pa, da in dated(a):
        for pb, db in dated(b):
            if pa != pb and abs((da - db).days) < CONFLICT_DAYS and not any({pa, pb} <= s for s in linked):
                return True
    return False


#: Expected other persons of one name below which the name is rare (one person unless its
#: posts conflict), and from which it is common (untitled mentions join only a compatible place).
RARE_NAME = 0.1
COMMON_NAME = 1.0
#: The least number of persons a store's names are taken to be drawn from: the officials and
#: others named in news of this genre (a small store does not make every name rare).
NAME_POPULATION = 20_000


@dataclass(frozen=True)
class NameStats:
    """How often each part of a name occurs among a store's distinct full names: the basis of
    :func:`expected_namesakes`. Built once per resolution from every name key of the store, so
    that a batch of blocks is judged against the whole store, not against itself."""

    family: Counter
    middle: Counter
    given: Counter
    total: int

    @classmethod
    def of(cls, name_keys: Iterable[str]) -> "NameStats":
        parts = [(p[0], " ".join(p[1:-1]), p[-1]) for k in set(name_keys) if len(p := k.split()) > 1]
        return cls(Counter(f for f, _, _ in parts), Counter(m for _, m, _ in parts), Counter(g for _, _, g in parts), len(parts))


def expected_namesakes(mentions: list[Mention], stats: NameStats | None = None) -> dict[str, float]:
    """Name key -> how many other persons of that name a store of this size may hold.

    The share of a full name is the product of the shares of its family name, middle part and
    given name, each estimated from the store's distinct names and smoothed towards the prior
    of ``ontology/lexicon/name_frequencies.yaml``; times the persons named in the store (at
    least :data:`NAME_POPULATION`). Nguyễn Văn Hùng is expected to have many namesakes, Tất
    Thành Cang none. Names of one syllable get none (they are not scored).

    >>> ms = [Mention(doc="d", person=str(i), file="f", names={n})
    ...       for i, n in enumerate(["Nguyễn Văn Hùng", "Tất Thành Cang"])]
    >>> e = expected_namesakes(ms)
    >>> e["nguyễn văn hùng"] > 1.0 > 0.1 > e["tất thành cang"]
    True
    """
    prior = name_frequencies()
    weight = float(prior["prior_weight"])
    names = {m.name_key for m in mentions}
    parts = {k: (p[0], " ".join(p[1:-1]), p[-1]) for k in names if len(p := k.split()) > 1}
    stats = stats or NameStats.of(names)
    counts = [stats.family, stats.middle, stats.given]
    total = stats.total

    def share(i: int, part: str) -> float:
        if i == 0:
            base = prior["family"].get(part, prior["other_family"])
        else:
            base = prior["middle"] if i == 1 else prior["given"]
        return (counts[i][part] + weight * base) / (total + weight)

    population = max(total, NAME_POPULATION)
    return {k: population * share(0, f) * share(1, m) * share(2, g) for k, (f, m, g) in parts.items()}


def _anchor(group: list[Mention]) -> str:
    """The smallest context token of a cluster: what its entity IRI is minted from."""
    tokens = set()
    for m in group:
        tokens |= {(0, "p:" + p) for p in m.provinces}
        tokens |= {(1, "o:" + o) for o in m.orgs}
        if m.national:
            tokens.add((2, "central"))
        if m.doc_province and not m.provinces:
            tokens.add((3, "d:" + m.doc_province))
    if not tokens:
        tokens.add((4, "m:" + min(f"{m.doc}|{m.person}" for m in group)))
    return min(tokens)[1]


# -- post keys and tenures -----------------------------------------------------------------


@lru_cache(maxsize=None)
def _abbreviation_pattern() -> re.Pattern:
    keys = sorted(abbreviations(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


_PUNCT = re.compile(r"[,.\-–()\"“”]")
_PARENS = re.compile(r"\([^)]*\)")
_COUNCIL_MEMBER = re.compile(r"^(tỉnh|thành|huyện|quận|thị|đảng) ủy viên\b(.*)$")


@lru_cache(maxsize=None)
def _province_form_patterns() -> tuple[tuple[str, re.Pattern, str], ...]:
    """(written form, its whole-word pattern, canonical name), longest form first, for the
    forms that differ from their province's name."""
    forms = province_forms()
    return tuple((form, re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)"), forms[form])
                 for form in sorted(forms, key=len, reverse=True) if form != forms[form])


@lru_cache(maxsize=None)
def _province_key_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(province key, pattern of "tỉnh/thành phố <key>"), longest key first."""
    return tuple((name, re.compile(r"\b(?:tỉnh|thành phố) " + re.escape(name) + r"\b"))
                 for name in sorted({ids.name_key(p) for p in provinces()}, key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def post_key(phrase: str) -> str:
    """The comparison key of a post phrase (like ../shared/eval/FORMAT.md's keys).

    Lower case, one tone placement, abbreviations expanded, punctuation dropped,
    "Tỉnh ủy viên" read as "Ủy viên Tỉnh ủy", and "tỉnh"/"thành phố" dropped before a
    known province (whose aliases become its name).

    >>> post_key("Phó Chủ tịch UBND tỉnh Khánh Hoà")
    'phó chủ tịch ủy ban nhân dân khánh hòa'
    >>> post_key("Giám đốc Sở Y tế TP.HCM") == post_key("Giám đốc Sở Y tế thành phố Hồ Chí Minh")
    True
    """
    text = canon(_PARENS.sub(" ", phrase))
    for form, pattern, name in _province_form_patterns():
        if form in text:
            text = pattern.sub(name, text)
    abbr = abbreviations()
    text = _abbreviation_pattern().sub(lambda m: abbr[m.group(1)], text)
    key = ids.name_key(_PUNCT.sub(" ", text))
    key = _COUNCIL_MEMBER.sub(lambda m: f"ủy viên {m.group(1)} ủy{m.group(2)}", key)
    if "tỉnh " in key or "thành phố " in key:
        for name, pattern in _province_key_patterns():
            if name in key:
                key = pattern.sub(name, key)
    return ids.name_key(key)


@dataclass
class Tenure:
    """A resolved person's time in one post, merged from holdings across documents."""

    entity: str
    key: str
    holdings: list[Holding]

    @property
    def iri(self) -> str:
        return ids.fact_iri("tenure", self.entity, self.key)

    def dates(self, statuses) -> list[str]:
        return sorted(h.date for h in self.holdings if h.status in statuses and h.date)


def _tenures(entity: str, group: list[Mention]) -> list[Tenure]:
    by_key: dict[str, list[Holding]] = defaultdict(list)
    for m in group:
        for h in m.holdings:
            by_key[post_key(h.position)].append(h)
    return [Tenure(entity, k, hs) for k, hs in sorted(by_key.items())]


# -- the resolution graph ------------------------------------------------------------------


@dataclass
class ResolveReport:
    """What one resolution run found."""

    mentions: int = 0
    names: int = 0
    entities: int = 0
    joins: int = 0
    recurring_names: int = 0  # names in two or more documents
    split_names: int = 0  # recurring names resolved to two or more persons
    tenures: int = 0
    judgements: int = 0
    reasons: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.reasons.items()))
        return (f"{self.mentions} person mentions of {self.names} names -> {self.entities} persons "
                f"({self.recurring_names} names in 2+ documents, {self.split_names} of them namesakes kept apart); "
                f"{self.joins} joins ({reasons or 'none'}); {self.tenures} tenures; {self.judgements} judgements")


@dataclass
class Resolution:
    """The clustering of a whole store, before it is written."""

    mentions: list[Mention]
    entity_of: dict[tuple[str, str], str]  # mention key -> entity IRI
    groups: dict[str, list[Mention]]  # entity IRI -> its mentions
    joins: list[Join]
    report: ResolveReport


def compute(mentions: list[Mention], judgements: list[Judgement] = (), stats: NameStats | None = None) -> Resolution:
    """Cluster every name block of ``mentions``, applying the judgements (later ones win).

    ``stats``: name-part counts of the whole store when ``mentions`` are only some of its
    blocks (else they are counted from ``mentions``)."""
    decisions: dict[frozenset, str] = {}
    for j in judgements:
        for x in _refers(j.a, mentions):
            for y in _refers(j.b, mentions):
                if x.key != y.key:
                    decisions[frozenset((x.key, y.key))] = j.op
    merges = [tuple(sorted(p)) for p, op in decisions.items() if op == "merge"]
    splits = [tuple(sorted(p)) for p, op in decisions.items() if op == "split"]
    blocks: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        blocks[m.name_key].append(m)
    # A merge across two names joins their blocks.
    block_of = {m.key: m.name_key for m in mentions}
    for a, b in merges:
        ka, kb = block_of[a], block_of[b]
        if ka != kb:
            blocks[ka].extend(blocks.pop(kb))
            for m in blocks[ka]:
                block_of[m.key] = ka
    report = ResolveReport(mentions=len(mentions), names=len(blocks), judgements=len(judgements))
    entity_of: dict[tuple[str, str], str] = {}
    groups_out: dict[str, list[Mention]] = {}
    joins: list[Join] = []
    namesakes = expected_namesakes(mentions, stats)
    for key in sorted(blocks):
        block = blocks[key]
        groups, block_joins = cluster(block, merges=merges, splits=splits, namesakes=namesakes.get(key))
        joins += block_joins
        if len({m.doc for m in block}) > 1:
            report.recurring_names += 1
            if len(groups) > 1:
                report.split_names += 1
        used: set[str] = set()
        for group in groups:
            anchor = _anchor(group)
            iri = ids.entity_iri(group[0].name, anchor)
            if iri in used:  # two clusters with one anchor (a user's split): the next mention decides
                iri = ids.entity_iri(group[0].name, anchor + "|" + min(f"{m.doc}|{m.person}" for m in group))
            used.add(iri)
            groups_out[iri] = group
            for m in group:
                entity_of[m.key] = iri
    report.entities = len(groups_out)
    report.joins = len(joins)
    report.reasons = Counter(j.reason for j in joins)
    return Resolution(mentions, entity_of, groups_out, joins, report)


def resolution_quads(res: Resolution) -> list[ox.Quad]:
    """The quads of the resolution graph (in :data:`kg.vocab.RESOLUTION_GRAPH`)."""
    graph = ox.NamedNode(RESOLUTION_GRAPH)
    return [ox.Quad(s, p, o, graph) for s, p, o in dict.fromkeys(_resolution_triples(res))]


def _resolution_triples(res: Resolution):
    """The triples of :func:`resolution_quads`, generated (with repeats) rather than listed."""
    iri = ox.NamedNode
    mention_iri = {m.key: m.iri for m in res.mentions}
    bases: dict[str, set[str]] = defaultdict(set)
    for m in res.mentions:
        e = res.entity_of[m.key]
        bases[m.person].add(e)
        mi = iri(mention_iri[m.key])
        yield mi, _P.type, _P.PersonMention
        yield mi, _P.mentionOf, iri(m.person)
        yield mi, _P.mentionedIn, iri(m.doc)
        yield mi, _P.resolvedTo, iri(e)
        for n in sorted(m.names):
            yield mi, _P.name, ox.Literal(n)
    for base, entities in sorted(bases.items()):
        if len(entities) == 1:
            yield iri(base), _P.sameAs, iri(next(iter(entities)))
    for e, group in res.groups.items():
        ei = iri(e)
        yield ei, _P.type, _P.PersonEntity
        for n in sorted({n for m in group for n in m.names}):
            yield ei, _P.name, ox.Literal(n)
        for p in sorted({p for m in group for p in m.provinces}):
            yield ei, _P.province, ox.Literal(_province_name(p))
        if any(m.national for m in group):
            yield ei, _P.central, _TRUE
        for t in _tenures(e, group):
            yield from _tenure_triples(t)
    for j in res.joins:
        a, b = mention_iri[j.a], mention_iri[j.b]
        ji = iri(ids.fact_iri("join", a, b, j.reason))
        yield ji, _P.type, _P.JoinRecord
        yield ji, _P.joins, iri(a)
        yield ji, _P.joins, iri(b)
        yield ji, _P.reason, ox.Literal(j.reason)
        yield ji, _P.detail, ox.Literal(j.detail)
        for basis in j.basis:
            yield ji, _P.basis, iri(basis)


class _P:
    """The terms the resolution graph is written with, as pyoxigraph nodes (built once)."""

    type = node(RDF.type)
    sameAs = node(OWL.sameAs)
    PersonMention, PersonEntity, JoinRecord, Tenure = (node(KG.PersonMention), node(KG.PersonEntity),
                                                       node(KG.JoinRecord), node(KG.Tenure))
    mentionOf, mentionedIn, resolvedTo, name = (node(KG.mentionOf), node(KG.mentionedIn), node(KG.resolvedTo),
                                                node(KG.name))
    province, central, joins, reason, detail, basis = (node(KG.province), node(KG.central), node(KG.joins),
                                                       node(KG.reason), node(KG.detail), node(KG.basis))
    holder, postKey, ofPost = node(KG.holder), node(KG.postKey), node(KG.ofPost)
    nameKey, fileName, date, published, person, post, status, role, organization, evidence, startOffset = (
        node(KG.nameKey), node(KG.fileName), node(KG.date), node(KG.published), node(KG.person), node(KG.post),
        node(KG.status), node(KG.role), node(KG.organization), node(KG.evidence), node(KG.startOffset))
    Document, Person, Holding = node(KG.Document), node(KG.Person), node(KG.Holding)
    updatePending = node(KG.updatePending)
    firstAttested, lastAttested, tenureStart, tenureEnd, heldBefore = (
        node(KG.firstAttested), node(KG.lastAttested), node(KG.tenureStart), node(KG.tenureEnd), node(KG.heldBefore))


_TRUE = ox.Literal(True)


def _tenure_triples(t: Tenure):
    iri = ox.NamedNode(t.iri)
    yield iri, _P.type, _P.Tenure
    yield iri, _P.holder, ox.NamedNode(t.entity)
    yield iri, _P.postKey, ox.Literal(t.key)
    for n in sorted({h.position for h in t.holdings}):
        yield iri, _P.name, ox.Literal(n)
    for p in sorted({h.post for h in t.holdings}):
        yield iri, _P.ofPost, ox.NamedNode(p)
    for h in t.holdings:
        yield iri, _P.basis, ox.NamedNode(h.iri)
    held = t.dates(_HELD)
    if held:
        yield iri, _P.firstAttested, _date(held[0])
        yield iri, _P.lastAttested, _date(held[-1])
    starts, ends, former = t.dates(("starts",)), t.dates(("ends",)), t.dates(("former",))
    if starts:
        yield iri, _P.tenureStart, _date(starts[0])
    if ends:
        yield iri, _P.tenureEnd, _date(ends[-1])
    if former:
        yield iri, _P.heldBefore, _date(former[0])


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: str) -> ox.Literal:
    if _ISO_DAY.match(value):
        return ox.Literal(value, datatype=_XSD_DATE)
    return ox.Literal(value)


def _province_name(key: str) -> str:
    return _province_names().get(key, key)


@lru_cache(maxsize=None)
def _province_names() -> dict[str, str]:
    """Place key -> the first province name with that key."""
    out: dict[str, str] = {}
    for p in provinces():
        out.setdefault(ids.place_key(p), p)
    return out


def has_resolution(store) -> bool:
    """True when the store holds a resolution graph (kg resolve has run)."""
    q = f"ASK {{ GRAPH <{RESOLUTION_GRAPH}> {{ ?s ?p ?o }} }}"
    return bool(store.query(q).rows[0][0])


def resolution_pending(store) -> bool:
    """True when the resolution graph carries its ``kg:updatePending`` marker: a resolution
    run (or a write of documents since the last one) began and did not finish, so the graph
    may mix old and new blocks; the next :func:`resolve` recomputes every block."""
    return store.is_pending(RESOLUTION_GRAPH)


#: Mentions (document, person pairs) per write transaction of :func:`resolve`.
BATCH_MENTIONS = 4000


def resolve(store, *, store_dir: str | Path | None = None, judgements: list[Judgement] | None = None,
            documents: Iterable[str] | None = None, batch: int | None = None,
            repair: bool | None = None) -> ResolveReport:
    """Resolve persons across the store's documents and update the resolution and admin graphs.

    Judgements come from ``judgements`` or else from ``<store_dir>/judgements.jsonl``.

    ``documents``: the IRIs of the documents added or removed since the resolution graph was
    last complete (as ``kg.pipeline`` knows them); then only the name blocks of their persons
    are recomputed. Without it (or with judgements, or when the graph is missing) every
    block is. On an embedded store the blocks are read, clustered and written ``batch``
    mentions at a time (default :data:`BATCH_MENTIONS`), each batch one transaction that writes only the difference against
    what is stored, between the ``kg:updatePending`` marker and its removal (see the module
    docstring); a SPARQL server's graph is rewritten whole in one request. The report counts
    the recomputed blocks only.

    ``repair``: the graph was left marked by an interrupted run (None: look for the marker);
    it is then cleared and written again from scratch. A graph written from scratch is
    written with the bulk loader (not transactional, several times faster): until the
    marker is removed, it is incomplete.

    Raises:
        InputError: if the judgements file is malformed.
        StoreError: if the store cannot be written.
    """
    if judgements is None:
        judgements = load_judgements(store_dir) if store_dir is not None else []
    inner = getattr(store, "inner", None)
    if not isinstance(inner, ox.Store):
        res = compute(read_mentions(store), judgements)
        quads = resolution_quads(res)
        res.report.tenures = sum(1 for q in quads if q.object == _P.Tenure and q.predicate == _P.type)
        store.put_document(RESOLUTION_GRAPH, quads)
        store.put_document(ADMIN_GRAPH, admin_quads(store))
        return res.report
    if repair is None:
        repair = store.is_pending(RESOLUTION_GRAPH)
    if repair:
        store.set_pending(RESOLUTION_GRAPH, True)
        store.clear_graph(RESOLUTION_GRAPH)
    fresh = repair or not has_resolution(store)
    full = documents is None or bool(judgements) or fresh
    store.set_pending(RESOLUTION_GRAPH, True)
    report = ResolveReport(judgements=len(judgements))
    # every name of the store: the blocks of a full run, and what name rarity is judged against
    # (not against one batch of blocks)
    store_keys = [row["key"] for row in store.stream(_NAME_KEYS)]
    writer = _BlockWriter(store, inner, judgements, report, fresh=fresh, stats=NameStats.of(store_keys))
    blocks = _all_blocks(inner, judgements, store_keys, fresh=fresh) if full else _blocks_of(inner, documents)
    for keys, gone in _batched(blocks, batch or BATCH_MENTIONS):
        writer.write(keys, gone)
    store.put_document(ADMIN_GRAPH, admin_quads(store))
    store.set_pending(RESOLUTION_GRAPH, False)
    return report


# -- block by block: reading, clustering and writing bounded batches (embedded stores) -------


_GRAPH = ox.NamedNode(RESOLUTION_GRAPH)
_PERSON_IRI = ids.BASE + "person/"


def _person_keys(inner: ox.Store, graph):
    """``(name key, person, document)`` of every person of a document graph."""
    for q in inner.quads_for_pattern(None, _P.nameKey, None, graph):
        if type(q.subject) is ox.NamedNode and q.subject.value.startswith(_PERSON_IRI) \
                and type(q.graph_name) is ox.NamedNode:
            yield q.object.value, q.subject, q.graph_name


def _old_mentions(inner: ox.Store, pattern) -> dict[str, list[ox.NamedNode]]:
    """Name key -> mention nodes of the stored resolution graph, for the mentions that
    ``pattern`` (a ``quads_for_pattern`` argument tuple) finds."""
    out: dict[str, list[ox.NamedNode]] = defaultdict(list)
    for q in inner.quads_for_pattern(*pattern):
        names = [n.object.value for n in inner.quads_for_pattern(q.subject, _P.name, None, _GRAPH)]
        if names:
            out[ids.name_key(min(names))].append(q.subject)
    return out


_NAME_KEYS = f"SELECT DISTINCT ?key WHERE {{ GRAPH ?doc {{ ?person a <{KG.Person}> ; <{KG.nameKey}> ?key }} }}"


def _all_blocks(inner: ox.Store, judgements, store_keys: list[str], *, fresh: bool):
    """Every name block as ``(key, mention nodes of removed documents, weight)``: the blocks
    that judgements name first, as one group (a merge may join two names), then the name key
    of every stored person (``store_keys``), then the keys that only mentions of removed
    documents still have in the stored graph."""
    gone: dict[str, list[ox.NamedNode]] = defaultdict(list)
    if not fresh:
        is_doc: dict[ox.NamedNode, bool] = {}
        for q in inner.quads_for_pattern(None, _P.mentionedIn, None, _GRAPH):
            if q.object not in is_doc:
                is_doc[q.object] = next(inner.quads_for_pattern(q.object, _P.type, _P.Document, q.object), None) is not None
            if not is_doc[q.object]:
                for key, nodes in _old_mentions(inner, (q.subject, _P.type, _P.PersonMention, _GRAPH)).items():
                    gone[key] += nodes
    first = sorted(_judged_keys(inner, judgements))
    if first:
        yield [(key, gone.pop(key, []), 1) for key in first]
    for key in store_keys:
        if key not in first:
            yield key, gone.pop(key, []), 1
    for key in sorted(gone):
        yield key, gone[key], 1


def _judged_keys(inner: ox.Store, judgements) -> set[str]:
    """The name keys of the mentions that judgements refer to (one batch, so merges across
    names join their blocks as in a whole-store :func:`compute`)."""
    keys = set()
    for j in judgements:
        for ref in (j.a, j.b):
            if "@" in ref and not ref.startswith(("http://", "https://")):
                keys.add(ids.name_key(ref.rpartition("@")[0]))
            else:
                keys |= {q.object.value for q in inner.quads_for_pattern(ox.NamedNode(ref), _P.nameKey, None, None)}
    return keys


def _blocks_of(inner: ox.Store, documents):
    """The name blocks that the given added or removed documents touch, with the mention
    nodes those documents had in the resolution graph."""
    keys: set[str] = set()
    gone: dict[str, list[ox.NamedNode]] = defaultdict(list)
    for doc in dict.fromkeys(documents):
        node_ = ox.NamedNode(doc)
        keys |= {key for key, _, _ in _person_keys(inner, node_)}
        for key, nodes in _old_mentions(inner, (None, _P.mentionedIn, node_, _GRAPH)).items():
            gone[key] += nodes
    for key in sorted(keys | set(gone)):
        yield key, gone.get(key, []), 1


def _batched(blocks, size: int):
    """Groups of blocks, ``([keys], [mention nodes of removed documents])`` of about ``size``
    mentions each (blocks come as ``(key, nodes, mentions)``); a list of blocks given
    together stays in one group."""
    keys: list[str] = []
    gone: list[ox.NamedNode] = []
    count = 0
    for item in blocks:
        for key, nodes, weight in (item if isinstance(item, list) else [item]):
            keys.append(key)
            gone += nodes
            count += weight + len(nodes)
        if count >= size:
            yield keys, gone
            keys, gone, count = [], [], 0
    if keys:
        yield keys, gone


class _BlockWriter:
    """Reads the mentions of a batch of name blocks by index lookups, clusters them with
    :func:`compute` and writes the difference between their quads and the stored ones."""

    def __init__(self, store, inner: ox.Store, judgements, report: ResolveReport, *, fresh: bool = False,
                 stats: NameStats | None = None):
        self.store, self.inner, self.judgements, self.report = store, inner, judgements, report
        self.stats = stats  # name-part counts of the whole store (expected_namesakes)
        self.fresh = fresh  # the graph was empty: nothing stored to compare with
        self.docs: dict[ox.NamedNode, tuple | None] = {}  # document -> (file, province, date), a cache

    def write(self, keys: list[str], gone: list[ox.NamedNode]) -> None:
        """Read, cluster and write the blocks ``keys``; ``gone``: mention nodes of removed
        documents that these blocks had."""
        mentions = self.read(keys)
        res = compute(mentions, self.judgements, self.stats)
        new = set(_resolution_triples(res))
        r, total = res.report, self.report
        total.mentions += r.mentions
        total.names += r.names
        total.entities += r.entities
        total.joins += r.joins
        total.recurring_names += r.recurring_names
        total.split_names += r.split_names
        total.reasons += r.reasons
        total.tenures += sum(1 for _, p, o in new if o == _P.Tenure and p == _P.type)
        old = set() if self.fresh else self.stored([ox.NamedNode(m.iri) for m in mentions] + gone, {t[0] for t in new})
        self.apply(old - new, new - old)

    def stored(self, roots: list[ox.NamedNode], subjects: set) -> set:
        """The stored triples of ``subjects`` and of everything the mention nodes ``roots``
        reach: their entities, those entities' tenures, their joins, their base IRIs."""
        inner, subjects = self.inner, set(subjects)
        entities = set()
        for m in roots:
            subjects.add(m)
            for q in inner.quads_for_pattern(m, None, None, _GRAPH):
                if q.predicate == _P.resolvedTo:
                    entities.add(q.object)
                elif q.predicate == _P.mentionOf:
                    subjects.add(q.object)
            subjects.update(q.subject for q in inner.quads_for_pattern(None, _P.joins, m, _GRAPH))
        for e in entities:
            subjects.add(e)
            subjects.update(q.subject for q in inner.quads_for_pattern(None, _P.holder, e, _GRAPH))
        return {(q.subject, q.predicate, q.object) for s in subjects
                for q in inner.quads_for_pattern(s, None, None, _GRAPH)}

    def apply(self, delete: set, insert: set) -> None:
        """One transaction: delete, then insert (a bulk insert when nothing is deleted)."""
        try:
            if delete:
                self.inner.update(" ;\n".join(
                    f"{verb} DATA {{ GRAPH {_GRAPH} {{\n" + "\n".join(f"{s} {p} {o} ." for s, p, o in triples) + "\n} }"
                    for verb, triples in (("DELETE", delete), ("INSERT", insert)) if triples))
            elif insert and self.fresh:  # nothing to keep consistent with: the bulk loader
                self.inner.bulk_extend([ox.Quad(s, p, o, _GRAPH) for s, p, o in insert])
            elif insert:
                self.inner.extend(ox.Quad(s, p, o, _GRAPH) for s, p, o in insert)
        except OSError as e:
            raise StoreError(f"cannot write the resolution: {e}", source=str(getattr(self.store, "path", ""))) from None
        self.store.written(len(delete) + len(insert))

    def read(self, keys: list[str]) -> list[Mention]:
        """The mentions of these name blocks with their holdings: the rows that
        resolve_mentions.rq and resolve_holdings.rq give for them, by index lookups (one
        lookup per node reads all its properties)."""
        inner, docs = self.inner, self.docs
        mentions: dict[tuple[str, str], Mention] = {}
        for key in keys:
            for q in inner.quads_for_pattern(None, _P.nameKey, ox.Literal(key), None):
                person, doc = q.subject, q.graph_name
                if type(doc) is not ox.NamedNode or not person.value.startswith(_PERSON_IRI) \
                        or (doc.value, person.value) in mentions:
                    continue
                if doc not in docs:
                    if len(docs) > 50_000:
                        docs.clear()
                    docs[doc] = self._document(doc)
                info = docs[doc]
                props = self._properties(person, doc)
                names = {_python(t) for t in props.get(_P.name, ())}
                if info is None or _P.Person not in props.get(_P.type, ()) or not names:
                    continue
                file, province, date = info
                m = Mention(doc=doc.value, person=person.value, file=file, names=names,
                            central=any(bool(_python(t)) for t in props.get(_P.central, ())),
                            doc_province=province, date=date)
                mentions[m.key] = m
                self._holdings(m, person, doc)
        return sorted(mentions.values(), key=lambda m: (m.file, m.doc, m.person))

    def _properties(self, s, g) -> dict:
        """Predicate -> objects of ``s`` in graph ``g``."""
        out: dict = {}
        for q in self.inner.quads_for_pattern(s, None, None, g):
            out.setdefault(q.predicate, []).append(q.object)
        return out

    def _first(self, s, p, g):
        q = next(self.inner.quads_for_pattern(s, p, None, g), None)
        return None if q is None else _python(q.object)

    def _document(self, doc: ox.NamedNode) -> tuple | None:
        """(file, province key, ISO date) of a stored document, None for another graph."""
        props = self._properties(doc, doc)
        first = {p: _python(v[0]) for p, v in props.items()}
        if _P.Document not in props.get(_P.type, ()) or _P.fileName not in first:
            return None
        date = first.get(_P.date) or first.get(_P.published)
        return (first[_P.fileName], ids.place_key(_canonical_province(first.get(_P.province))),
                date if isinstance(date, str) and _ISO_DATE.match(date) else None)

    def _holdings(self, m: Mention, person: ox.NamedNode, doc: ox.NamedNode) -> None:
        for q in self.inner.quads_for_pattern(None, _P.person, person, doc):
            h = q.subject
            props = self._properties(h, doc)
            if _P.Holding not in props.get(_P.type, ()):
                continue
            first = {p: _python(v[0]) for p, v in props.items()}
            position, post, status = first.get(_P.name), first.get(_P.post), first.get(_P.status)
            if position is None or post is None or status is None or not any(
                    next(self.inner.quads_for_pattern(ev, _P.startOffset, None, doc), None) is not None
                    for ev in props.get(_P.evidence, ())):
                continue
            role = next((r for node_ in props.get(_P.role, ()) if (r := self._first(node_, _P.name, doc)) is not None),
                        None)
            org = org_name = org_province = None
            for o in props.get(_P.organization, ()):
                org_props = self._properties(o, doc)
                if org_props.get(_P.name):
                    org, org_name = o.value, _python(org_props[_P.name][0])
                    org_province = _python(org_props[_P.province][0]) if org_props.get(_P.province) else None
                    break
            date = first.get(_P.date)
            m.holdings.append(Holding(
                iri=h.value, doc=m.doc, person=m.person, position=position, role=role, post=post, org=org,
                org_name=org_name, province=ids.place_key(_canonical_province(org_province)),
                status=STATUS_OF.get(status, "current"),
                date=date if isinstance(date, str) and _ISO_DATE.match(date) else m.date))


def _python(term) -> object:
    """A term as the Python value a query row gives for the fields read here (kg.store.to_python):
    a boolean as bool, an IRI or any other literal as its string."""
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD_BOOLEAN:
        return term.value in ("true", "1")
    return term.value


_XSD_BOOLEAN = str(XSD.boolean)


# -- administrative units ------------------------------------------------------------------


def _province_rows() -> list[dict]:
    with open(LEXICON_DIR / "provinces.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["provinces"]


def successors() -> dict[str, tuple[str, str]]:
    """Province name -> (successor name, date) for every unit merged or renamed in 2025."""
    rows = _province_rows()
    since = {canon(r["name"]): str(r["since"]) for r in rows if r.get("since")}
    out = {}
    for r in rows:
        target = r.get("merged_into") or r.get("renamed_to")
        if target:
            target = canon(target)
            out[canon(r["name"])] = (target, str(r.get("since") or since.get(target) or REORGANIZED_ON))
    return out


_ADMIN_ORGS = """PREFIX kg: <https://w3id.org/kg-vn/ontology#>
SELECT DISTINCT ?org ?name ?province WHERE { GRAPH ?doc { ?doc a kg:Document .
  ?org a kg:Organization ; kg:name ?name ; kg:province ?province } }"""


def admin_quads(store=None) -> list[ox.Quad]:
    """The administrative units (from ontology/lexicon/provinces.yaml) and their successors.

    With a ``store``, also every stored organization of a merged province gets the
    organization of the same name in the successor province as ``kg:succeededBy``.
    """
    g = ox.NamedNode(ADMIN_GRAPH)
    quads: dict[ox.Quad, None] = {}

    def add(s: str, p, o) -> None:
        quads[ox.Quad(ox.NamedNode(s), node(p), o, g)] = None

    succ = successors()
    for name in provinces():
        unit = ids.unit_iri(name)
        add(unit, RDF.type, node(KG.AdminUnit))
        add(unit, KG.name, ox.Literal(name))
        add(unit, KG.nameKey, ox.Literal(ids.place_key(name)))
        if name in succ:
            target, date = succ[name]
            add(unit, KG.succeededBy, ox.NamedNode(ids.unit_iri(target)))
            add(unit, KG.changeDate, _date(date))
    if store is not None:
        forms = province_forms()
        for r in store.query(_ADMIN_ORGS).dicts():
            old = forms.get(canon(r["province"]).strip())
            if old not in succ or ids.is_bare_place(r["name"]):
                continue
            target, date = succ[old]
            written = [f for f, p in forms.items() if p == old and f in canon(r["name"])]
            if not written:
                continue
            new_name = canon(r["name"]).replace(max(written, key=len), target)
            new_org = ids.org_iri(new_name, target)
            add(new_org, RDF.type, node(KG.Organization))
            add(new_org, KG.name, ox.Literal(new_name))
            add(new_org, KG.province, ox.Literal(target))
            add(r["org"], KG.succeededBy, ox.NamedNode(new_org))
            add(r["org"], KG.changeDate, _date(date))
    return list(quads)


def unit_at(key: str, date: str | None) -> str:
    """A post key with each province that had been merged or renamed by ``date`` replaced by
    its successor.

    >>> unit_at("giám đốc sở y tế yên bái", "2025-09-01")
    'giám đốc sở y tế lào cai'
    >>> unit_at("giám đốc sở y tế yên bái", "2021-06-01")
    'giám đốc sở y tế yên bái'
    """
    if not date:
        return key
    for old, (new, since) in sorted(successors().items(), key=lambda kv: -len(kv[0])):
        if since <= date:
            key = re.sub(r"(?<!\w)" + re.escape(ids.name_key(old)) + r"(?!\w)", ids.name_key(new), key)
    return key


# -- reading the resolution back -------------------------------------------------------------


def holders_at(store, post: str, date: str) -> list[dict]:
    """Who held ``post`` (a phrase, any spelling, old or new province name) on ``date`` (ISO).

    Runs the named query ``holders_at`` with the post's key at that date.
    """
    key = unit_at(post_key(post), date)
    return store.query(queries.load("holders_at"), {"key": key, "date": date}).dicts()


def explain(store, name: str) -> list[dict]:
    """The persons a name resolved to, each with its documents and the reasons of its joins."""
    return store.query(queries.load("explain"), queries.bindings("explain", {"name": name})).dicts()
