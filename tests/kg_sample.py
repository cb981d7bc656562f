"""A hand-made Facts for tests (invented text, realistic names and posts)."""

from __future__ import annotations

import hashlib

from kg.model import Count, Document, Event, Evidence, Facts, Holding, Person, SubOrg

TEXT = (
    "Chiều 8/2/2023, Ban cán sự đảng Ủy ban nhân dân tỉnh Hà Giang làm việc với Sở Y tế. "
    "Đồng chí Nguyễn Văn Sơn, Chủ tịch Ủy ban nhân dân tỉnh Hà Giang chủ trì buổi làm việc. "
    "Dự có đồng chí Hoàng Gia Long, Ủy viên Ban Thường vụ Tỉnh ủy Hà Giang. "
    "Đảng bộ Sở Y tế tỉnh Hà Giang có 230 đảng viên, trực thuộc Đảng bộ Khối các cơ quan tỉnh Hà Giang. "
    "Đồng chí Trần Đức Quý, nguyên Giám đốc Sở Y tế tỉnh Hà Giang, phát biểu \"{ý kiến}\". "
    "Đại hội Đảng bộ Sở Y tế nhiệm kỳ 2025-2030 bầu 15 đồng chí vào Ban Chấp hành, trong đó có đồng chí Lò Thị Hoà."
)


def ev(quote: str, text: str = TEXT) -> Evidence:
    start = text.index(quote)
    return Evidence(start=start, end=start + len(quote), quote=quote)


def sample_facts(*, doc_id: str = "004_test.txt", spelling: str = "Lò Thị Hoà", drop_last: bool = False) -> Facts:
    """The sample facts; ``spelling`` is how the text writes the elected member's name."""
    text = TEXT.replace("Lò Thị Hoà", spelling)
    doc = Document(doc_id=doc_id, text=text, content_hash=hashlib.sha256(text.encode()).hexdigest())
    persons = (
        Person("Nguyễn Văn Sơn", ev("Nguyễn Văn Sơn", text), province="Hà Giang"),
        Person("Hoàng Gia Long", ev("Hoàng Gia Long", text), province="Hà Giang"),
        Person("Trần Đức Quý", ev("Trần Đức Quý", text), province="Hà Giang"),
        Person(spelling, ev(spelling, text)),
    )
    holdings = (
        Holding("Nguyễn Văn Sơn", "Chủ tịch Ủy ban nhân dân tỉnh Hà Giang", "Chủ tịch",
                "Ủy ban nhân dân tỉnh Hà Giang", "current",
                ev("Nguyễn Văn Sơn, Chủ tịch Ủy ban nhân dân tỉnh Hà Giang", text), province="Hà Giang",
                date="2023-02-08"),
        Holding("Hoàng Gia Long", "Ủy viên Ban Thường vụ Tỉnh ủy Hà Giang", "Ủy viên",
                "Ban Thường vụ Tỉnh ủy Hà Giang", "current",
                ev("Hoàng Gia Long, Ủy viên Ban Thường vụ Tỉnh ủy Hà Giang", text), province="Hà Giang"),
        Holding("Trần Đức Quý", "Giám đốc Sở Y tế tỉnh Hà Giang", "Giám đốc", "Sở Y tế tỉnh Hà Giang",
                "former", ev("Trần Đức Quý, nguyên Giám đốc Sở Y tế tỉnh Hà Giang", text), province="Hà Giang"),
    )
    events = (
        Event("working_session", ev("Chiều 8/2/2023, Ban cán sự đảng Ủy ban nhân dân tỉnh Hà Giang làm việc", text),
              date="2023-02-08", organizer="Ban cán sự đảng Ủy ban nhân dân tỉnh Hà Giang",
              chair=("Nguyễn Văn Sơn",), participants=("Hoàng Gia Long", "Trần Đức Quý")),
        Event("congress", ev("Đại hội Đảng bộ Sở Y tế nhiệm kỳ 2025-2030", text), organizer="Đảng bộ Sở Y tế",
              participants=(spelling,), term="2025-2030", committee_size=15, elected=(spelling,),
              label="Đại hội Đảng bộ Sở Y tế"),
    )
    counts = (Count("Đảng bộ Sở Y tế tỉnh Hà Giang", "party_members", 230, ev("230 đảng viên", text),
                    date="2023-02-08"),)
    suborgs = (SubOrg("Đảng bộ Sở Y tế tỉnh Hà Giang", "Đảng bộ Khối các cơ quan tỉnh Hà Giang",
                      ev("trực thuộc Đảng bộ Khối các cơ quan tỉnh Hà Giang", text)),)
    if drop_last:
        events, counts = events[:1], ()
    return Facts(doc=doc, text=text, province="Hà Giang", date="2023-02-08", persons=persons,
                 holdings=holdings, events=events, counts=counts, suborgs=suborgs,
                 meta={"ingested_at": "2024-01-02T03:04:05+00:00"})


def expected_record(facts: Facts) -> dict:
    """The FORMAT.md record the export must give for ``facts`` (without ``ids``)."""
    return {
        "doc": facts.doc.doc_id,
        "province": facts.province,
        "date": facts.date,
        "persons": [p.name for p in sorted(facts.persons, key=lambda p: (p.evidence.start, p.name))],
        "positions": [{"person": h.person, "position": h.position, "status": h.status}
                      for h in sorted(facts.holdings, key=lambda h: h.evidence.start)],
        "events": [{"kind": e.kind, "date": e.date, "organizer": e.organizer, "chair": sorted(e.chair),
                    "participants": sorted(e.participants), "term": e.term,
                    "committee_size": e.committee_size, "delegates": e.delegates}
                   for e in sorted(facts.events, key=lambda e: e.evidence.start)],
        "counts": [{"org": c.org, "what": c.what, "value": c.value, "date": c.date} for c in facts.counts],
        "suborgs": [{"child": s.child, "parent": s.parent} for s in facts.suborgs],
    }
