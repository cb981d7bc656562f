"""kg: a knowledge graph of Vietnamese officials, organizations and events.

``kg.open(path)`` returns a :class:`kg.api.KnowledgeGraph`; everything is imported lazily, so
``import kg`` stays cheap (the CLI and worker processes import only what they use).
"""

from __future__ import annotations

__all__ = ["KnowledgeGraph", "open"]


def __getattr__(name: str):
    if name in ("open", "KnowledgeGraph"):
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
