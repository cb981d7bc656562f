"""Named SPARQL queries shipped as ``kg/queries/<name>.rq``; run them with ``Store.query``.

>>> "positions" in names()
True
>>> "SELECT" in load("positions")
True
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from kg.errors import UsageError


def names() -> list[str]:
    """The names of the shipped queries, sorted."""
    return sorted(p.name[:-3] for p in files("kg.queries").iterdir() if p.name.endswith(".rq"))


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of the named query.

    Raises:
        UsageError: if there is no query by that name.
    """
    resource = files("kg.queries") / f"{name}.rq"
    if not resource.is_file():
        raise UsageError(f"no named query {name!r}; known: {', '.join(names())}")
    return resource.read_text(encoding="utf-8")
