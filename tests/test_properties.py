"""Property tests (issue 7): normalization and extraction never raise on arbitrary Unicode,
never invent a person whose name is not in the text, and the RDF of any extracted document
passes the SHACL shapes.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.extract import extract
from kg.ingest import content_hash
from kg.model import Document
from kg.normalize import normalize
from kg.rdf import facts_to_quads
from kg.validate import validate

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
COMBINING = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
CONTROLS = "\x00\x01\x07\x0b\x0c\x1b\x7f\u200b\u200d\u2028\ufeff\ufffd"

#: Arbitrary text: any code point, weighted toward what news text and its accidents hold.
texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + COMBINING + CONTROLS + " ,.;:-–/()\"'\n\t_0123456789"),
            max_size=600),
    st.lists(st.sampled_from(["Đồng chí", "đ/c", "Ông", "Bà", "Nguyễn_Văn_A", "Phó Chủ tịch", "UBND", "HĐND",
                              "tỉnh", "Lào Cai", "Bí thư", "Tỉnh ủy", "Đảng ủy", "Sở Y tế", "nguyên", "ngày",
                              "8/2/2024", "15-3", "Đại hội", "nhiệm kỳ 2025-2030", "bầu", "37", "đồng chí", ",", ".",
                              "\n", "Ảnh:", "\u0301", "\x00", "–", "(", ")", "Ủy ban nhân dân", "dự", "chủ trì"]),
             max_size=80).map(" ".join),
)


def _document(text: str) -> Document:
    return Document(doc_id="prop.txt", text=text, content_hash=content_hash(text), source="prop.txt")


def _check_names(facts) -> None:
    for person in facts.persons:
        assert person.name and person.name in facts.text, person.name
        ev = person.evidence
        assert facts.text[ev.start:ev.end] == ev.quote
    names = {p.name for p in facts.persons}
    for holding in facts.holdings:
        assert holding.person in facts.text or holding.person in names, holding.person


@SETTINGS
@given(texts)
@example("")
@example("\x00\x00")
@example(unicodedata.normalize("NFD", "Đồng chí Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh Lào Cai dự hội nghị."))
@example("Đồng chí Nguyễn_Văn_Hùng ,Bí thư Tỉnh ủy\u0301\u0301 chủ trì")
def test_normalize_and_extract_never_raise_nor_invent_persons(text):
    doc_text = normalize(_document(text))
    facts = extract(doc_text)
    assert facts.text == doc_text.text
    _check_names(facts)


# -- genre-like articles: their RDF passes SHACL ------------------------------------------

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Lò", "Hà", "Giàng"]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Hữu", "A", "Xuân", "Ngọc"]
GIVEN = ["Hùng", "Mai", "Sơn", "Lan", "Tuấn", "Dũng", "Hòa", "Pao", "Khánh", "Thủy", "Long", "Quý"]
HONORIFICS = ["Đồng chí", "đồng chí", "Ông", "ông", "Bà", "bà", "đ/c"]
ROLES = ["Bí thư", "Phó Bí thư", "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Ủy viên Ban Thường vụ",
         "Trưởng ban", "nguyên Chủ tịch", "Phó Giám đốc"]
ORGS = ["Tỉnh ủy", "Ủy ban nhân dân tỉnh", "UBND tỉnh", "HĐND tỉnh", "Sở Y tế", "Huyện ủy Bảo Thắng",
        "Đảng ủy xã Phong Niên", "Ban Tuyên giáo Tỉnh ủy", "Sở Giáo dục và Đào tạo"]
PROVINCES = ["Lào Cai", "Hà Giang", "Sơn La", "Nghệ An", "Cà Mau", "Điện Biên"]
OPENERS = ["Sáng 12/3/2024,", "Chiều 5-6,", "Ngày 8/2/2023,", "Hôm qua,", ""]
ACTIONS = ["dự hội nghị tổng kết công tác đảng năm 2023.", "chủ trì buổi làm việc với Sở Y tế.",
           "phát biểu tại kỳ họp thứ 7.", "được bầu giữ chức Chủ tịch HĐND tỉnh nhiệm kỳ 2021-2026.",
           "dự Đại hội Đảng bộ Sở Y tế nhiệm kỳ 2025-2030.", "trao quyết định nghỉ hưu."]

names = st.builds(lambda s, m, g: f"{s} {m} {g}", st.sampled_from(SURNAMES), st.sampled_from(MIDDLES),
                  st.sampled_from(GIVEN))
titles = st.lists(st.builds(lambda r, o: f"{r} {o}", st.sampled_from(ROLES), st.sampled_from(ORGS)),
                  min_size=1, max_size=3).map(", ".join)
sentences = st.builds(lambda opener, hon, name, title, prov, action: " ".join(
    x for x in (opener, f"{hon} {name}, {title} {prov},", action) if x),
    st.sampled_from(OPENERS), st.sampled_from(HONORIFICS), names, titles, st.sampled_from(PROVINCES),
    st.sampled_from(ACTIONS))
articles = st.lists(sentences, min_size=1, max_size=5).map("\n".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_rdf_of_genre_articles_passes_shacl(text):
    facts = extract(normalize(_document(text)))
    _check_names(facts)
    assert facts.persons  # every sentence introduces a named official
    words = set(SURNAMES + MIDDLES + GIVEN)
    for person in facts.persons:  # only the names that were written, never a title or a place
        assert set(person.name.split()) <= words, person.name
    _, quads = facts_to_quads(facts)
    conforms, report = validate(quads)
    assert conforms, report
