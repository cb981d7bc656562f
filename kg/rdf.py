"""Facts -> RDF quads, all in the document's named graph. The only module that builds RDF terms.

Every fact node (Holding, Event, CountObservation, SubOrganizationLink) points with
``kg:evidence`` to an Evidence node: the exact quote of the normalized text and its
character offsets. Names are written as the document writes them (``kg:name`` in the
document's graph), so one person IRI may carry different spellings in different graphs.
Persons, organizations and holdings also carry each name's ``kg:nameKey`` (kg.ids.name_key).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pyoxigraph as ox
from rdflib.namespace import PROV, RDF, XSD

from kg import ids
from kg.model import Evidence, Facts, Person
from kg.vocab import COUNT_KIND_CONCEPTS, EVENT_CLASSES, KG, STATUS_CONCEPTS, node

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
_XSD_DATE = ox.NamedNode(str(XSD.date))
_XSD_DATETIME = ox.NamedNode(str(XSD.dateTime))


def facts_to_quads(facts: Facts) -> tuple[str, list[ox.Quad]]:
    """The document IRI and the quads of its named graph.

    ``facts.meta["ingested_at"]`` (ISO date-time) is recorded as ``prov:generatedAtTime``;
    without it, the current UTC time is.

    Raises:
        ValueError: if a status, event kind or count kind is not one of kg.model's.
    """
    return _GraphBuilder(facts).build()


def date_literal(value: str) -> ox.Literal:
    """An ISO date as xsd:date; anything partial ("2023-05") as a plain string."""
    if _ISO_DATE.match(value):
        return ox.Literal(value, datatype=_XSD_DATE)
    return ox.Literal(value)


class _GraphBuilder:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.hash = facts.doc.content_hash
        self.doc = ox.NamedNode(ids.doc_iri(self.hash))
        self.quads: dict[ox.Quad, None] = {}  # ordered set
        self.persons: dict[str, ox.NamedNode] = {}  # name and name key -> IRI
        # An organization named in a holding with a province keeps that province elsewhere.
        self.org_province: dict[str, str | None] = {}
        for h in facts.holdings:
            if h.organization and h.province:
                self.org_province.setdefault(ids.name_key(h.organization), h.province)

    def add(self, s: ox.NamedNode, p, o) -> None:
        self.quads[ox.Quad(s, node(p), o, self.doc)] = None

    def build(self) -> tuple[str, list[ox.Quad]]:
        self._document()
        for person in self.facts.persons:
            self._person(person)
        for holding in self.facts.holdings:
            self._holding(holding)
        for event in self.facts.events:
            self._event(event)
        for count in self.facts.counts:
            self._count(count)
        for link in self.facts.suborgs:
            self._suborg(link)
        return self.doc.value, list(self.quads)

    # -- document and evidence ---------------------------------------------------------

    def _document(self) -> None:
        f, d = self.facts, self.facts.doc
        ingested = f.meta.get("ingested_at") or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.add(self.doc, RDF.type, node(KG.Document))
        self.add(self.doc, KG.fileName, ox.Literal(d.doc_id))
        self.add(self.doc, KG.contentHash, ox.Literal(d.content_hash))
        self.add(self.doc, PROV.generatedAtTime, ox.Literal(ingested, datatype=_XSD_DATETIME))
        self.add(self.doc, KG.extractorVersion, ox.Literal(f.extractor_version))
        if f.province:
            self.add(self.doc, KG.province, ox.Literal(f.province))
        if f.date:
            self.add(self.doc, KG.date, date_literal(f.date))
        if d.url:
            self.add(self.doc, KG.sourceUrl, ox.Literal(d.url))
        if d.published:
            self.add(self.doc, KG.published, date_literal(d.published))

    def _evidence(self, subject: ox.NamedNode, ev: Evidence) -> None:
        iri = ox.NamedNode(ids.fact_iri("evidence", self.hash, ev.start, ev.end))
        self.add(iri, RDF.type, node(KG.Evidence))
        self.add(iri, KG.quote, ox.Literal(ev.quote))
        self.add(iri, KG.startOffset, _int(ev.start))
        self.add(iri, KG.endOffset, _int(ev.end))
        self.add(iri, KG.inDocument, self.doc)
        self.add(subject, KG.evidence, iri)

    def _name(self, subject: ox.NamedNode, name: str) -> None:
        """``kg:name`` as written and its ``kg:nameKey`` (lower case, one tone placement), the
        literal the named queries look a name parameter up by instead of comparing LCASE of
        every name."""
        self.add(subject, KG.name, ox.Literal(name))
        self.add(subject, KG.nameKey, ox.Literal(ids.name_key(name)))

    # -- entities ------------------------------------------------------------------------

    def _person(self, person: Person) -> ox.NamedNode:
        scope = "central" if person.central else person.province
        iri = ox.NamedNode(ids.person_iri(person.name, scope))
        self.persons.setdefault(person.name, iri)
        self.persons.setdefault(ids.name_key(person.name), iri)
        self.add(iri, RDF.type, node(KG.Person))
        self._name(iri, person.name)
        if person.province:
            self.add(iri, KG.province, ox.Literal(person.province))
        if person.central:
            self.add(iri, KG.central, ox.Literal(True))
        self._evidence(iri, person.evidence)
        return iri

    def _person_named(self, name: str) -> ox.NamedNode:
        """The IRI of a name used by a holding or event; a name not in ``persons`` is added."""
        iri = self.persons.get(name) or self.persons.get(ids.name_key(name))
        if iri is None:
            iri = ox.NamedNode(ids.person_iri(name, None))
            self.persons[name] = self.persons[ids.name_key(name)] = iri
            self.add(iri, RDF.type, node(KG.Person))
            self._name(iri, name)
        return iri

    def _org(self, name: str, province: str | None = None) -> ox.NamedNode:
        province = province or self.org_province.get(ids.name_key(name))
        iri = ox.NamedNode(ids.org_iri(name, province, doc_hash=self.hash))
        self.add(iri, RDF.type, node(KG.Organization))
        self._name(iri, name)
        if province:
            self.add(iri, KG.province, ox.Literal(province))
        return iri

    # -- facts ---------------------------------------------------------------------------

    def _holding(self, h) -> None:
        status = STATUS_CONCEPTS.get(h.status)
        if status is None:
            raise ValueError(f"unknown holding status {h.status!r}; expected one of {sorted(STATUS_CONCEPTS)}")
        person = self._person_named(h.person)
        post = ox.NamedNode(ids.post_iri(h.position, h.province, doc_hash=self.hash))
        role = ox.NamedNode(ids.role_iri(h.role))
        iri = ox.NamedNode(ids.fact_iri(
            "holding", self.hash, person.value, ids.name_key(h.position), h.status,
            h.evidence.start, h.evidence.end))
        self.add(role, RDF.type, node(KG.Role))
        self.add(role, KG.name, ox.Literal(h.role))
        self.add(post, RDF.type, node(KG.Post))
        self.add(post, KG.name, ox.Literal(h.position))
        self.add(post, KG.role, role)
        self.add(iri, RDF.type, node(KG.Holding))
        self._name(iri, h.position)  # the phrase as this sentence writes it
        self.add(iri, KG.person, person)
        self.add(iri, KG.post, post)
        self.add(iri, KG.role, role)
        if h.organization:
            org = self._org(h.organization, h.province)
            self.add(post, KG.postIn, org)
            self.add(iri, KG.organization, org)
        self.add(iri, KG.status, node(status))
        if h.date:
            self.add(iri, KG.date, date_literal(h.date))
            if h.status == "starts":
                self.add(iri, KG.startDate, date_literal(h.date))
            elif h.status == "ends":
                self.add(iri, KG.endDate, date_literal(h.date))
        if h.status in ("current", "starts"):
            self.add(person, KG.holdsPosition, post)
        self._evidence(iri, h.evidence)

    def _event(self, e) -> None:
        cls = EVENT_CLASSES.get(e.kind)
        if cls is None:
            raise ValueError(f"unknown event kind {e.kind!r}; expected one of {sorted(EVENT_CLASSES)}")
        iri = ox.NamedNode(ids.fact_iri(
            "event", self.hash, e.kind, e.evidence.start, e.evidence.end, e.label, e.date))
        self.add(iri, RDF.type, node(KG.Event))
        self.add(iri, RDF.type, node(cls))
        if e.label:
            self.add(iri, KG.name, ox.Literal(e.label))
        if e.date:
            self.add(iri, KG.date, date_literal(e.date))
        if e.organizer:
            self.add(iri, KG.organizer, self._org(e.organizer))
        for name in e.chair:
            self.add(iri, KG.chair, self._person_named(name))
        for name in e.participants:
            self.add(iri, KG.participant, self._person_named(name))
        if e.term or e.committee_size is not None or e.delegates is not None or e.elected:
            committee = ox.NamedNode(ids.fact_iri("committee", iri.value))
            self.add(iri, KG.electedCommittee, committee)
            self.add(committee, RDF.type, node(KG.Committee))
            if e.term:
                self.add(committee, KG.term, ox.Literal(e.term))
            if e.committee_size is not None:
                self.add(committee, KG.committeeSize, _int(e.committee_size))
            if e.delegates is not None:
                self.add(committee, KG.delegates, _int(e.delegates))
            for name in e.elected:
                self.add(committee, KG.electedMember, self._person_named(name))
        self._evidence(iri, e.evidence)

    def _count(self, c) -> None:
        kind = COUNT_KIND_CONCEPTS.get(c.what)
        if kind is None:
            raise ValueError(f"unknown count kind {c.what!r}; expected one of {sorted(COUNT_KIND_CONCEPTS)}")
        org = self._org(c.org)
        iri = ox.NamedNode(ids.fact_iri(
            "count", self.hash, org.value, c.what, c.value, c.date, c.evidence.start, c.evidence.end))
        self.add(iri, RDF.type, node(KG.CountObservation))
        self.add(iri, KG.countOf, org)
        self.add(iri, KG.countKind, node(kind))
        self.add(iri, KG.value, _int(c.value))
        if c.date:
            self.add(iri, KG.date, date_literal(c.date))
        self._evidence(iri, c.evidence)

    def _suborg(self, s) -> None:
        child, parent = self._org(s.child), self._org(s.parent)
        iri = ox.NamedNode(ids.fact_iri(
            "suborg", self.hash, child.value, parent.value, s.evidence.start, s.evidence.end))
        self.add(child, KG.subOrganizationOf, parent)
        self.add(iri, RDF.type, node(KG.SubOrganizationLink))
        self.add(iri, KG.child, child)
        self.add(iri, KG.parent, parent)
        self._evidence(iri, s.evidence)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=_XSD_INTEGER)
