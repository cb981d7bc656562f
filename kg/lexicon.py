"""Lexicons of the genre, loaded from the YAML data files in ``ontology/lexicon/``.

Titles, organization words, abbreviations, provinces, surnames and the names that are
not persons are data, not code: this module only reads them (once) and derives the
regular expressions the extractor needs. Every form is tone-folded (see
:func:`fold_tones`) so that "Uỷ ban" and "Ủy ban" match alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LEXICON_DIR = Path(__file__).resolve().parent.parent / "ontology" / "lexicon"

# Old-style tone placement (on the second vowel of an open "oa/oe/uy" syllable) and the
# modern placement that replaces it: "hoà" -> "hòa", "uỷ" -> "ủy". Length-preserving.
_TONES = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}
_FIRST = {"a": ("o", "òóỏõọ"), "e": ("o", "òóỏõọ"), "y": ("u", "ùúủũụ")}
_OLD_TO_NEW: dict[str, str] = {}
for _plain, _marked in _TONES.items():
    _first, _first_marked = _FIRST[_plain]
    for _i, _m in enumerate(_marked):
        _OLD_TO_NEW[_first + _m] = _first_marked[_i] + _plain
        _OLD_TO_NEW[_first.upper() + _m] = _first_marked[_i].upper() + _plain
        _OLD_TO_NEW[_first.upper() + _m.upper()] = _first_marked[_i].upper() + _plain.upper()
# "quý", "quỳnh": after q the u is a consonant and the tone is already on the right vowel.
_OLD_TONE = re.compile(r"(?<![qQ])(?:" + "|".join(sorted(_OLD_TO_NEW, key=len, reverse=True)) + r")(?!\w)")


def fold_tones(text: str) -> str:
    """Move old-style tone marks to the modern place; keeps the length of ``text``.

    >>> fold_tones("Uỷ ban nhân dân tỉnh Thanh Hoá")
    'Ủy ban nhân dân tỉnh Thanh Hóa'
    >>> fold_tones("quý")
    'quý'
    """
    return _OLD_TONE.sub(lambda m: _OLD_TO_NEW[m.group(0)], text)


def canon(text: str) -> str:
    """NFC and modern tone placement: the form every lexicon entry and text is kept in."""
    return fold_tones(unicodedata.normalize("NFC", text))


def _load(name: str) -> dict:
    with open(LEXICON_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alternation(phrases, *, flags_ci: bool = False) -> str:
    """A regex alternation of ``phrases``, longest first, spaces matching any whitespace."""
    forms = sorted({canon(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(f).replace(r"\ ", r"[^\S\n]+") for f in forms)


@dataclass(frozen=True)
class Province:
    name: str
    aliases: tuple[str, ...]
    city: bool
    merged_into: str | None
    renamed_to: str | None


@cache
def provinces() -> dict[str, Province]:
    """Province name -> Province (canonical names, tone-folded)."""
    out = {}
    for row in _load("provinces")["provinces"]:
        p = Province(
            name=canon(row["name"]),
            aliases=tuple(canon(a) for a in row.get("aliases", ())),
            city=bool(row.get("city")),
            merged_into=canon(row["merged_into"]) if row.get("merged_into") else None,
            renamed_to=canon(row["renamed_to"]) if row.get("renamed_to") else None,
        )
        out[p.name] = p
    return out


@cache
def province_forms() -> dict[str, str]:
    """Every written form (name or alias) -> canonical province name."""
    out = {}
    for p in provinces().values():
        out[p.name] = p.name
        for a in p.aliases:
            out[a] = p.name
    return out


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Khánh Hòa" -> "khanhhoa" (as in web domains)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


@cache
def province_domains() -> dict[str, str]:
    """Compact ASCII forms of province names and aliases, as outlets write them in their web
    addresses ("khanhhoa.gov.vn", "baoquangninh.vn") -> canonical province name."""
    return {ascii_fold(form): name for form, name in province_forms().items() if len(ascii_fold(form)) >= 5}


@cache
def districts() -> dict[str, str]:
    """District-level units (before 2025) whose name belongs to one province -> that province."""
    return {canon(k): canon(v) for k, v in (_load("districts").get("districts") or {}).items()}


@cache
def provinces_needing_level() -> frozenset[str]:
    """Written forms that count as a province only after "thành phố"/"tỉnh" ("Hồ Chí Minh")."""
    return frozenset(canon(f) for row in _load("provinces")["provinces"] for f in row.get("needs_level", ()))


@cache
def abbreviations() -> dict[str, str]:
    return {canon(k): canon(v) for k, v in _load("abbreviations")["abbreviations"].items()}


@cache
def honorifics() -> tuple[str, ...]:
    return tuple(canon(h) for h in _load("abbreviations")["honorifics"])


@cache
def ranks() -> tuple[str, ...]:
    """Ranks and academic titles written before a name ("Đại tá", "PGS.TS"): never positions."""
    return tuple(canon(r) for r in _load("abbreviations")["ranks"])


@cache
def roles() -> dict:
    data = _load("roles")
    return {
        "roles": tuple(canon(r) for r in data["roles"]),
        "prefixes": tuple(canon(p) for p in data["prefixes"]),
        "no_org": frozenset(canon(r).lower() for r in data["no_org"]),
        "central": frozenset(canon(r).lower() for r in data["central"]),
        "member_of": {canon(k).lower(): canon(v) for k, v in data["member_of"].items()},
        "ministry": frozenset(canon(r).lower() for r in data.get("ministry", ())),
    }


@cache
def organizations() -> dict:
    data = _load("organizations")
    return {k: tuple(canon(x) for x in v) for k, v in data.items()}


@cache
def surnames() -> frozenset[str]:
    return frozenset(canon(s) for s in _load("surnames")["surnames"])


@cache
def name_frequencies() -> dict:
    """Prior shares of name parts: ``family`` (name -> share), ``other_family``, ``middle``,
    ``given`` and ``prior_weight`` (see ontology/lexicon/name_frequencies.yaml)."""
    data = _load("name_frequencies")
    data["family"] = {canon(k).lower(): float(v) for k, v in data["family"].items()}
    return data


@cache
def not_persons() -> dict:
    data = _load("not_persons")
    return {k: tuple(canon(x) for x in v) for k, v in data.items()}


@cache
def event_kinds() -> dict:
    """Event kind -> trigger phrases, in FORMAT.md's order of precedence."""
    data = _load("events")
    return {k: tuple(canon(x) for x in v) for k, v in data["kinds"].items()}


@cache
def statuses() -> dict:
    data = _load("events")
    return {k: tuple(canon(x) for x in v) for k, v in data["status"].items()}
