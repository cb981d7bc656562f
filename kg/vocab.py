"""The ontology's terms (ontology/kg.ttl) as an rdflib namespace, plus their pyoxigraph forms.

``KG`` raises on a term the ontology lacks (``_fail = True``); ``tests/test_ontology.py``
fails when this module and ``ontology/kg.ttl`` drift apart.

>>> str(KG.Holding)
'https://w3id.org/kg-vn/ontology#Holding'
>>> node(KG.Person).value
'https://w3id.org/kg-vn/ontology#Person'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD, DefinedNamespace, Namespace

#: Base of every IRI `kg` mints (see kg.ids).
BASE = "https://w3id.org/kg-vn/"
#: The ontology's namespace, prefix ``kg:``.
KG_NS = BASE + "ontology#"
#: Where the ontology and the SHACL shapes live (the repository's ontology/ folder).
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
#: Named graphs that are not documents: entity resolution and tenures (rewritten whole by
#: kg.resolve), and the administrative units with their 2025 successors.
RESOLUTION_GRAPH = BASE + "graph/resolution"
ADMIN_GRAPH = BASE + "graph/admin"
#: Precomputed rows of the served_with and people_by_province queries (kg.aggregates).
AGGREGATES_GRAPH = BASE + "graph/aggregates"
#: The first rows of the listing queries, ranked, and the top co-attendance pairs (kg.rankings).
RANKINGS_GRAPH = BASE + "graph/rankings"


class KG(DefinedNamespace):
    """Terms of https://w3id.org/kg-vn/ontology# (kept in step with ontology/kg.ttl)."""

    _NS = Namespace(KG_NS)
    _fail = True

    # classes
    Person: URIRef
    Organization: URIRef
    Committee: URIRef
    Post: URIRef
    Role: URIRef
    Holding: URIRef
    Event: URIRef
    Congress: URIRef
    Conference: URIRef
    Meeting: URIRef
    WorkingSession: URIRef
    Ceremony: URIRef
    Appointment: URIRef
    Election: URIRef
    Visit: URIRef
    OtherEvent: URIRef
    CountObservation: URIRef
    SubOrganizationLink: URIRef
    Document: URIRef
    Evidence: URIRef
    Status: URIRef
    CountKind: URIRef
    PersonEntity: URIRef
    PersonMention: URIRef
    JoinRecord: URIRef
    Tenure: URIRef
    AdminUnit: URIRef

    # concept schemes and their members
    StatusScheme: URIRef
    current: URIRef
    former: URIRef
    starts: URIRef
    ends: URIRef
    CountKindScheme: URIRef
    partyMembers: URIRef
    partyCells: URIRef
    staff: URIRef
    units: URIRef

    # properties
    name: URIRef
    province: URIRef
    central: URIRef
    date: URIRef
    holdsPosition: URIRef
    person: URIRef
    post: URIRef
    role: URIRef
    organization: URIRef
    postIn: URIRef
    status: URIRef
    startDate: URIRef
    endDate: URIRef
    organizer: URIRef
    participant: URIRef
    chair: URIRef
    electedCommittee: URIRef
    term: URIRef
    committeeSize: URIRef
    delegates: URIRef
    electedMember: URIRef
    countOf: URIRef
    countKind: URIRef
    value: URIRef
    subOrganizationOf: URIRef
    child: URIRef
    parent: URIRef
    evidence: URIRef
    quote: URIRef
    startOffset: URIRef
    endOffset: URIRef
    inDocument: URIRef
    fileName: URIRef
    contentHash: URIRef
    extractorVersion: URIRef
    sourceUrl: URIRef
    published: URIRef
    # entity resolution, tenures, administrative units (kg.resolve)
    mentionOf: URIRef
    mentionedIn: URIRef
    resolvedTo: URIRef
    joins: URIRef
    reason: URIRef
    detail: URIRef
    basis: URIRef
    holder: URIRef
    ofPost: URIRef
    postKey: URIRef
    firstAttested: URIRef
    lastAttested: URIRef
    tenureStart: URIRef
    tenureEnd: URIRef
    heldBefore: URIRef
    succeededBy: URIRef
    changeDate: URIRef
    nameKey: URIRef
    updatePending: URIRef
    # precomputed answers of research queries (kg.aggregates)
    ServedWithPair: URIRef
    ProvincePerson: URIRef
    personA: URIRef
    personB: URIRef
    nameA: URIRef
    nameB: URIRef
    spanFrom: URIRef
    spanTo: URIRef
    servedIn: URIRef
    organizationName: URIRef
    positionsA: URIRef
    positionsB: URIRef
    provinceName: URIRef
    provinceKey: URIRef
    postCount: URIRef
    eventCount: URIRef
    documentCount: URIRef
    # ranked rows of the listing queries (kg.rankings)
    CoattendancePair: URIRef
    sharedEvents: URIRef
    sourceFiles: URIRef
    RankBucket: URIRef
    rankingsVersion: URIRef
    bucketQuery: URIRef
    bucketGroup: URIRef
    bucketLow: URIRef
    inBucket: URIRef
    rankOf: URIRef
    rank: URIRef


#: Event kind (kg.model.EVENT_KINDS) -> its class.
EVENT_CLASSES: dict[str, URIRef] = {
    "congress": KG.Congress,
    "appointment": KG.Appointment,
    "meeting": KG.Meeting,
    "conference": KG.Conference,
    "working_session": KG.WorkingSession,
    "ceremony": KG.Ceremony,
    "election": KG.Election,
    "visit": KG.Visit,
    "other": KG.OtherEvent,
}
#: Holding status (kg.model.STATUSES) -> its concept.
STATUS_CONCEPTS: dict[str, URIRef] = {
    "current": KG.current,
    "former": KG.former,
    "starts": KG.starts,
    "ends": KG.ends,
}
#: Count kind (kg.model.COUNT_KINDS) -> its concept.
COUNT_KIND_CONCEPTS: dict[str, URIRef] = {
    "party_members": KG.partyMembers,
    "party_cells": KG.partyCells,
    "staff": KG.staff,
    "units": KG.units,
}
#: The reverse maps, from IRI string to the model's keyword.
EVENT_KIND_OF: dict[str, str] = {str(v): k for k, v in EVENT_CLASSES.items()}
STATUS_OF: dict[str, str] = {str(v): k for k, v in STATUS_CONCEPTS.items()}
COUNT_KIND_OF: dict[str, str] = {str(v): k for k, v in COUNT_KIND_CONCEPTS.items()}

#: Prefixes used in serializations and named queries.
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
}


@lru_cache(maxsize=None)
def node(term: str) -> ox.NamedNode:
    """The pyoxigraph NamedNode of an IRI (``KG.x``, ``RDF.type``, ``PROV.x`` or a string)."""
    return ox.NamedNode(str(term))
