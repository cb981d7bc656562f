"""Frozen dataclasses that are the contracts between the pipeline's stages.

    Document -> Text -> (mentions, inside kg.extract) -> Facts -> RDF -> Store

Each stage takes one of these and gives the next; nothing else crosses a stage boundary.
Names of persons, roles and organizations are kept as the article writes them (after
normalization), so the evidence can always be found again in ``Text.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Version of the extractor; recorded with every document's provenance.
EXTRACTOR_VERSION = "0.1.0"

#: Event kinds, in the order of precedence of ../shared/eval/FORMAT.md.
EVENT_KINDS = (
    "congress",
    "appointment",
    "meeting",
    "conference",
    "working_session",
    "ceremony",
    "election",
    "visit",
    "other",
)

#: Where a holding stands at the article's date.
STATUSES = ("current", "former", "starts", "ends")

#: What a count measures.
COUNT_KINDS = ("party_members", "party_cells", "staff", "units")


@dataclass(frozen=True)
class Document:
    """One source article, decoded to text (HTML already turned into plain text).

    ``doc_id`` is the source file's base name (or the ``id`` of a JSON Lines record);
    ``content_hash`` is the SHA-256 hex digest of the decoded text, the basis of the
    document's IRI.
    """

    doc_id: str
    text: str
    content_hash: str
    source: str = ""  # path or URL the text came from
    url: str | None = None
    published: str | None = None  # ISO date given by the source metadata, if any


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` in ``Text.text``."""

    start: int
    end: int


@dataclass(frozen=True)
class Text:
    """A document's normalized text: NFC, one tone placement, clean whitespace.

    ``sentences`` are spans into ``text``. ``published`` is the publication date found
    in the text or the metadata (ISO), used to fix the year of partial dates.
    """

    doc: Document
    text: str
    sentences: tuple[Span, ...]
    published: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the exact quote ``text[start:end]`` of the normalized text."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Person:
    """A person acting in the article, by the fullest name it gives.

    ``province`` is the province this person's posts tie them to in this article (or
    None); ``central`` is True when they hold a central (national) post. Both help to
    tell namesakes apart across documents.
    """

    name: str
    evidence: Evidence
    province: str | None = None
    central: bool = False


@dataclass(frozen=True)
class Holding:
    """Person holds a post (role in an organization), as stated by one sentence.

    ``position`` is the full phrase, role + organization, with the implicit province
    filled in ("Phó Chủ tịch Ủy ban nhân dân tỉnh Lào Cai"); ``role`` and
    ``organization`` are its two parts (organization None for bare roles such as
    "Tổng Bí thư"). ``province`` is the province of the organization, if any.
    """

    person: str
    position: str
    role: str
    organization: str | None
    status: str  # one of STATUSES
    evidence: Evidence
    province: str | None = None
    date: str | None = None  # ISO date at which the status holds (article date)


@dataclass(frozen=True)
class Event:
    """Something the article reports as happening.

    For a congress, ``term``, ``committee_size``, ``delegates`` and ``elected`` (names
    elected into the new committee) describe the committee it elected.
    """

    kind: str  # one of EVENT_KINDS
    evidence: Evidence
    date: str | None = None
    organizer: str | None = None
    chair: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    term: str | None = None
    committee_size: int | None = None
    delegates: int | None = None
    elected: tuple[str, ...] = ()
    label: str | None = None  # the event's name as written ("Đại hội Đảng bộ Sở Y tế")


@dataclass(frozen=True)
class Count:
    """A number stated about an organization at a date."""

    org: str
    what: str  # one of COUNT_KINDS
    value: int
    evidence: Evidence
    date: str | None = None


@dataclass(frozen=True)
class SubOrg:
    """An organization stated to be directly under another."""

    child: str
    parent: str
    evidence: Evidence


@dataclass(frozen=True)
class Facts:
    """Everything extracted from one document: the input of the RDF stage."""

    doc: Document
    text: str  # the normalized text the evidence offsets point into
    province: str | None = None
    date: str | None = None
    persons: tuple[Person, ...] = ()
    holdings: tuple[Holding, ...] = ()
    events: tuple[Event, ...] = ()
    counts: tuple[Count, ...] = ()
    suborgs: tuple[SubOrg, ...] = ()
    extractor_version: str = EXTRACTOR_VERSION
    meta: dict = field(default_factory=dict, compare=False, hash=False)
