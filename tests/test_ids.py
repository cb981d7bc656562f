"""Deterministic IRIs and the name key."""

from __future__ import annotations

import hashlib

import pytest

from kg import ids


@pytest.mark.parametrize("a,b", [
    ("Ủy ban nhân dân tỉnh Khánh Hòa", "UỶ BAN NHÂN DÂN TỈNH KHÁNH HOÀ"),
    ("Nguyễn  Thị\tThủy", "nguyễn thị thuỷ"),
    ("Sức khỏe", "sức khoẻ"),
    ("Ủy viên", "Uỷ viên"),
    ("Hòa bình", "HOÀ BÌNH"),
])
def test_name_key_folds_variants(a, b):
    assert ids.name_key(a) == ids.name_key(b)


@pytest.mark.parametrize("a,b", [("Hoàng", "Hòang"), ("Quý", "Qúy"), ("Sơn", "Son")])
def test_name_key_keeps_distinct_words_apart(a, b):
    assert ids.name_key(a) != ids.name_key(b)


def test_name_key_nfd_input():
    import unicodedata

    assert ids.name_key(unicodedata.normalize("NFD", "Khánh Hoà")) == "khánh hòa"


def test_same_input_same_iri_and_scope_matters():
    a = ids.person_iri("Nguyễn Văn Sơn", "Hà Giang")
    assert a == ids.person_iri("nguyễn văn  sơn", "tỉnh Hà Giang")
    assert a != ids.person_iri("Nguyễn Văn Sơn", "Lào Cai")
    assert a != ids.person_iri("Nguyễn Văn Sơn", None)
    assert ids.person_iri("Nguyễn Văn Sơn", "central") != ids.person_iri("Nguyễn Văn Sơn", None)
    assert a.startswith("https://w3id.org/kg-vn/person/nguyen-van-son-")


def test_bare_place_org_is_scoped_to_its_document():
    h1, h2 = "1" * 64, "2" * 64
    assert ids.org_iri("Ủy ban nhân dân tỉnh", doc_hash=h1) != ids.org_iri("Ủy ban nhân dân tỉnh", doc_hash=h2)
    assert ids.org_iri("Bộ Y tế", doc_hash=h1) == ids.org_iri("Bộ Y tế", doc_hash=h2)
    assert ids.org_iri("Sở Y tế tỉnh Lào Cai", "Lào Cai") == ids.org_iri("Sở Y tế tỉnh Lào Cai", "tỉnh Lào Cai")


def test_doc_iri_from_hash():
    h = hashlib.sha256("văn bản".encode()).hexdigest()
    assert ids.doc_iri(h) == f"https://w3id.org/kg-vn/doc/{h}"
    with pytest.raises(ValueError):
        ids.doc_iri("not-a-hash")


def test_fact_iri_depends_on_every_part():
    assert ids.fact_iri("holding", "a", 1, 2) == ids.fact_iri("holding", "a", 1, 2)
    assert ids.fact_iri("holding", "a", 1, 2) != ids.fact_iri("holding", "a", 1, 3)
    assert ids.fact_iri("holding", "a", 1, 2) != ids.fact_iri("event", "a", 1, 2)
