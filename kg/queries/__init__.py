"""Named SPARQL queries shipped as ``kg/queries/<name>.rq``, with a registry of their parameters.

A research query starts with a header of comment lines that document it::

    # name: career
    # description: The posts a person held, ...
    # param ?person ref: the person, by IRI or by a name ...
    # param ?at date = "": a date ...; empty for any time

``param ?NAME TYPE [= DEFAULT]: description`` declares a parameter; one without a default is
required. Every parameter is always bound (to its default when not given), so a query tests
``?at = ""`` instead of ``BOUND(?at)``. Parameter types:

- ``ref``: an IRI (``https://...`` or ``<https://...>``) or a name, matched case-insensitively:
  a name is bound as its key (kg.ids.name_key: lower case, one tone placement, one space), which
  a query looks up with ``?x kg:nameKey ?param`` (persons, organizations and holdings carry one)
- ``date``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (compared with dates as strings)
- ``int``: an integer ≥ 0
- ``text``: any string
- ``key``: a string compared in lower case (bound lower-cased, for an index lookup of a key)
- ``province``: a province name, with or without "tỉnh"/"thành phố"
- ``event_kind`` / ``count_kind``: a kind keyword of kg.model

Older queries (the per-document ``doc_*`` queries and ``positions``) document an optional
binding as ``Optional binding: ?doc``: such a parameter takes an IRI or a literal and stays
unbound when not given.

>>> "positions" in names() and "career" in names()
True
>>> "SELECT" in load("positions")
True
>>> [p.name for p in describe("holders").params]
['of', 'at']
>>> describe("holders").param("at").default
''
>>> bindings("coattendance", {"min": "2"})["min"].value
'2'
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from kg.errors import QueryError, UsageError

__all__ = ["Param", "QuerySpec", "bindings", "describe", "load", "names", "research", "run"]

#: The parameter types a header may declare.
PARAM_TYPES = ("ref", "date", "int", "text", "key", "province", "event_kind", "count_kind", "raw")
EVENT_KINDS = ("congress", "appointment", "meeting", "conference", "working_session", "ceremony",
               "election", "visit", "other")
COUNT_KINDS = ("party_members", "party_cells", "staff", "units")

_PARAM = re.compile(r"^param\s+[?$](\w+)\s+(\w+)\s*(?:=\s*(\"[^\"]*\"|\S+))?\s*:\s*(.*)$")
_LEGACY = re.compile(r"[Oo]ptional binding:\s*[?$](\w+)")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_IRI = re.compile(r"^(?:https?|urn):[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class Param:
    """One parameter of a named query."""

    name: str
    type: str
    default: str | None = None  # None: required (or, for a legacy ``raw`` parameter, unbound)
    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class QuerySpec:
    """A named query: its text and what its header says."""

    name: str
    description: str
    params: tuple[Param, ...] = ()
    text: str = field(default="", repr=False)
    research: bool = False  # has a ``# name:`` header (a research query, not a per-document one)

    def param(self, name: str) -> Param:
        """The parameter ``name``.

        Raises:
            QueryError: if the query has no such parameter.
        """
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r}; its parameters: {known}")


def names() -> list[str]:
    """The names of the shipped queries, sorted."""
    return sorted(p.name[:-3] for p in files("kg.queries").iterdir() if p.name.endswith(".rq"))


def research() -> list[str]:
    """The names of the research queries (those with a documented header), sorted."""
    return [n for n in names() if describe(n).research]


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of the named query.

    Raises:
        UsageError: if there is no query by that name.
    """
    if not re.fullmatch(r"\w+", name or ""):
        raise UsageError(f"no named query {name!r}; known: {', '.join(names())}")
    resource = files("kg.queries") / f"{name}.rq"
    if not resource.is_file():
        raise UsageError(f"no named query {name!r}; known: {', '.join(names())}")
    return resource.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def describe(name: str) -> QuerySpec:
    """What the header of the named query says: description and parameters with defaults.

    Raises:
        UsageError: if there is no query by that name.
        QueryError: if its header declares a parameter badly (a bug in the shipped file).
    """
    text = load(name)
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[1:].strip())
    description, params, research_query = [], [], False
    for line in header:
        if line.startswith("name:"):
            research_query = True
        elif line.startswith("description:"):
            description = [line.partition(":")[2].strip()]
        elif line.startswith("param "):
            m = _PARAM.match(line)
            if not m or m.group(2) not in PARAM_TYPES:
                raise QueryError(f"query {name!r}: cannot read header line {line!r}; "
                                 f"write `# param ?NAME TYPE [= DEFAULT]: description`, TYPE one of {PARAM_TYPES}")
            default = m.group(3)
            if default is not None and default.startswith('"'):
                default = default[1:-1]
            params.append(Param(m.group(1), m.group(2), default, m.group(4).strip(), default is None))
    if not research_query:
        description = [" ".join(line for line in header if not line.lower().startswith("optional binding"))]
        for legacy in _LEGACY.findall(" ".join(header)):
            params.append(Param(legacy, "raw", None, "optional binding", required=False))
    return QuerySpec(name, " ".join(description).strip(), tuple(params), text, research_query)


def bindings(name: str, params: Mapping[str, object] | None = None) -> dict[str, object]:
    """Check ``params`` against the query's header and turn them into SPARQL bindings.

    Values may be strings (as typed on the command line) or Python values (int, date).
    Every declared parameter with a default is bound; a legacy optional one only when given.

    Raises:
        QueryError: for an unknown parameter, a missing required one, or a bad value
            (a malformed date, a negative count, an unknown kind).
    """
    import pyoxigraph as ox

    spec = describe(name)
    given = {str(k).lstrip("?$"): v for k, v in (params or {}).items()}
    for key in given:
        spec.param(key)  # raises on an unknown parameter
    out: dict[str, object] = {}
    for p in spec.params:
        if p.name in given and given[p.name] is not None:
            out[p.name] = _term(spec.name, p, given[p.name])
        elif p.default is not None:
            out[p.name] = _term(spec.name, p, p.default)
        elif p.required:
            raise QueryError(f"query {spec.name!r} needs --param {p.name}=VALUE ({p.description})")
    assert all(isinstance(v, (ox.NamedNode, ox.Literal)) for v in out.values())
    return out


def run(store, name: str, params: Mapping[str, object] | None = None, *, limit: int | None = None):
    """Run the named query on ``store`` with checked ``params``; the result (a
    ``kg.store.QueryResult``) leaves out the columns that only echo the parameters.
    ``limit`` keeps at most that many rows (``result.truncated`` tells when more were found).
    A query that declares an int parameter ``?limit`` (0 for all) keeps at most that many rows
    too: its text reads only the first rows where it can (precomputed rankings), and the rows
    are cut here where it cannot (a filter computed at query time).

    Raises:
        UsageError: if there is no query by that name.
        QueryError: for bad parameters (see :func:`bindings`).
    """
    spec = describe(name)
    bound = bindings(name, params)
    declared = bound.get("limit") if any(p.name == "limit" and p.type == "int" for p in spec.params) else None
    if declared is not None and int(declared.value) > 0:
        limit = min(limit, int(declared.value)) if limit else int(declared.value)
        if _reads_stale_rankings(spec, store):
            # rankings missing or out of date since an ingest: every row, in order, cut here
            bound = {**bound, "limit": _term(name, spec.param("limit"), 0)}
    result = store.query(spec.text, bindings=bound or None, **({"limit": limit} if limit else {}))
    if not spec.research or not bound:
        return result
    keep = [i for i, v in enumerate(result.vars) if v not in bound]
    result.rows = [tuple(r[i] for i in keep) for r in result.rows]
    result.vars = tuple(result.vars[i] for i in keep)
    return result


def _reads_stale_rankings(spec, store) -> bool:
    """The query reads the precomputed rankings (kg.rankings) and they are not current."""
    from kg import rankings
    from kg.vocab import RANKINGS_GRAPH

    return RANKINGS_GRAPH in spec.text and not rankings.current(store)


def _term(query: str, p: Param, value: object):
    """A parameter value as a pyoxigraph term, checked against the parameter's type."""
    import pyoxigraph as ox

    from kg.ids import name_key, place_key

    def bad(problem: str) -> QueryError:
        return QueryError(f"query {query!r}, parameter {p.name}={value!r}: {problem}")

    if p.type == "int":
        if isinstance(value, bool):
            raise bad("wants an integer ≥ 0")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise bad("wants an integer ≥ 0") from None
        if number < 0:
            raise bad("wants an integer ≥ 0")
        return ox.Literal(number)
    if isinstance(value, (_dt.date, _dt.datetime)):
        value = value.isoformat()[:10]
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        if p.type in ("ref", "raw"):
            return value
        value = value.value
    if not isinstance(value, str):
        raise bad(f"wants a string, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value).strip()
    if p.type == "date":
        if text and not _valid_date(text):
            raise bad("not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024-03-15)")
        return ox.Literal(text)
    if p.type in ("event_kind", "count_kind"):
        kinds = EVENT_KINDS if p.type == "event_kind" else COUNT_KINDS
        if text and text not in kinds:
            raise bad(f"unknown kind; use one of {', '.join(kinds)}")
        return ox.Literal(text)
    if p.type == "province":
        return ox.Literal(place_key(text) or "")
    if p.type == "key":
        return ox.Literal(text.lower())
    if p.type in ("ref", "raw"):
        iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
        if _IRI.match(iri):
            return ox.NamedNode(iri)
        if text.startswith("<"):
            raise bad("not an IRI; write <https://...> or give a name")
        if p.type == "raw" and re.fullmatch(r"-?\d+", text):
            return ox.Literal(int(text))
        return ox.Literal(name_key(text) if p.type == "ref" else text)
    return ox.Literal(text)


def _valid_date(text: str) -> bool:
    m = _DATE.match(text)
    if not m:
        return False
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True
