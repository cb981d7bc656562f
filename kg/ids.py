"""Deterministic IRIs: the same normalized parts always give the same IRI.

Scheme (base ``https://w3id.org/kg-vn/``)::

    doc/<sha256 of the text>                     one named graph per document
    person/<slug>-<hash(name key, scope)>        scope: province key, "central" or none
    entity/<slug>-<hash(name key, anchor)>       a resolved person across documents (kg.resolve)
    unit/<slug>-<hash(province key)>             an administrative unit
    org/<slug>-<hash(name key, province key)>    bare "UBND tỉnh" is scoped to its document
    post/<slug>-<hash(position key, province key)>
    role/<slug>-<hash(role key)>
    holding/, event/, count/, suborg/, committee/, evidence/ <hash of their parts>

>>> name_key("  Phó Chủ tịch  UỶ BAN nhân dân tỉnh Khánh Hoà ")
'phó chủ tịch ủy ban nhân dân tỉnh khánh hòa'
>>> person_iri("Nguyễn Văn Sơn", "Hà Giang") == person_iri("nguyễn  văn sơn", "tỉnh Hà Giang")
True
>>> doc_iri("ab" * 32)
'https://w3id.org/kg-vn/doc/abababababababababababababababababababababababababababababababab'
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import re
import unicodedata
from functools import lru_cache

from kg.vocab import BASE

# Old-style tone placement (tone on the last vowel of an open oa/oe/uy syllable) folded to
# the form with the tone on the first vowel: hoà -> hòa, khoẻ -> khỏe, uỷ -> ủy. Works on NFD
# text; "quý" keeps its tone on y (u belongs to "qu"); closed syllables (hoàng) are untouched.
_OLD_TONE = re.compile(r"(?i)(?<!q)(o(?=[ae])|u(?=y))([aey])([\u0300\u0301\u0309\u0303\u0323])(?!\w)")
_SPACE = re.compile(r"\s+")
_BARE_PLACE_WORDS = ("tỉnh", "thành phố", "tp", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_encode_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str


def fold_tones(text: str) -> str:
    """Move old-style tone marks of open oa/oe/uy syllables onto the first vowel (NFC in, NFC out).

    >>> fold_tones("Thuỷ hoà khoẻ hoàng quý")
    'Thủy hòa khỏe hoàng quý'
    """
    decomposed = unicodedata.normalize("NFD", text)
    folded = _OLD_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", folded)


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The comparison key of a name or phrase: NFC, lower case, one tone placement, one space."""
    text = unicodedata.normalize("NFC", name)
    text = fold_tones(text).lower()
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def place_key(province: str | None) -> str | None:
    """The key of a province name, without a leading "tỉnh" / "thành phố" / "TP"."""
    if not province:
        return None
    key = name_key(province)
    for prefix in ("tỉnh ", "thành phố ", "tp. ", "tp "):
        if key.startswith(prefix):
            return key[len(prefix):].strip()
    return key


def _digest(*parts: object) -> str:
    """SHA-256 of the compact JSON array of ``parts`` (``json.dumps(parts, ensure_ascii=False,
    separators=(",", ":"))``), written directly for strings, integers and None."""
    try:
        data = "[" + ",".join(map(_json_atom, parts)) + "]"
    except TypeError:
        data = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _json_atom(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for a str, an int or None (TypeError otherwise)."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    raise TypeError(kind.__name__)


def _slug(key: str, limit: int = 48) -> str:
    ascii_text = unicodedata.normalize("NFKD", key.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    return slug[:limit].rstrip("-") or "x"


@lru_cache(maxsize=1 << 16)
def _named(kind: str, key: str, *scope: object) -> str:
    return f"{BASE}{kind}/{_slug(key)}-{_digest(key, *scope)[:12]}"


def doc_iri(content_hash: str) -> str:
    """The IRI (and named graph) of a document, from the SHA-256 hex digest of its text.

    Raises:
        ValueError: if ``content_hash`` is not 64 lower-case hex digits.
    """
    if not _HEX64.match(content_hash):
        raise ValueError(f"content hash must be a SHA-256 hex digest, got {content_hash!r}")
    return f"{BASE}doc/{content_hash}"


def person_iri(name: str, scope: str | None) -> str:
    """The IRI of a person from their name and scope: a province, ``"central"`` or None."""
    scope_key = "central" if scope == "central" else place_key(scope)
    return _named("person", name_key(name), scope_key)


def entity_iri(name: str, anchor: str) -> str:
    """The IRI of a resolved person (kg.resolve): the name key and the cluster's anchor
    (the smallest of its provinces, organizations, "central", or a document hash).

    >>> entity_iri("Nguyễn Văn Sơn", "p:lào cai") == entity_iri("nguyễn văn  sơn", "p:lào cai")
    True
    """
    return f"{BASE}entity/{_slug(name_key(name))}-{_digest(name_key(name), anchor)[:12]}"


def unit_iri(name: str) -> str:
    """The IRI of an administrative unit (province or centrally-run city) by its name."""
    key = place_key(name) or ""
    return f"{BASE}unit/{_slug(key)}-{_digest(key)[:8]}"


def is_bare_place(name: str) -> bool:
    """True for an organization name that ends on a bare "tỉnh" / "huyện"... with no place named.

    >>> is_bare_place("UBND tỉnh"), is_bare_place("UBND tỉnh Lào Cai")
    (True, False)
    """
    key = name_key(name)
    return any(key == w or key.endswith(" " + w) for w in _BARE_PLACE_WORDS)


def org_iri(name: str, province: str | None = None, *, doc_hash: str | None = None) -> str:
    """The IRI of an organization from its name and province.

    A name whose place is left bare ("Ủy ban nhân dân tỉnh") is a different node in every
    document: pass the document's hash as ``doc_hash`` and it scopes such names to it.
    """
    key = name_key(name)
    scope = doc_hash if (doc_hash and is_bare_place(name)) else None
    return _named("org", key, place_key(province), scope)


def post_iri(position: str, province: str | None = None, *, doc_hash: str | None = None) -> str:
    """The IRI of a post (role in an organization) from its full phrase and province."""
    scope = doc_hash if (doc_hash and is_bare_place(position)) else None
    return _named("post", name_key(position), place_key(province), scope)


def role_iri(role: str) -> str:
    """The IRI of a role, independent of any organization."""
    return _named("role", name_key(role))


def fact_iri(kind: str, *parts: object) -> str:
    """The IRI of a per-document fact node (holding, event, count...) from the hash of its parts.

    >>> fact_iri("holding", "abc", 1, None) == fact_iri("holding", "abc", 1, None)
    True
    """
    return f"{BASE}{kind}/{_digest(kind, *parts)[:32]}"
