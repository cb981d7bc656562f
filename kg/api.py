"""The research interface: one object over a store for notebooks and scripts.

>>> import tempfile, kg
>>> with tempfile.TemporaryDirectory() as tmp, kg.open(tmp) as g:
...     report = g.ingest(["data/samples"])
...     career = g.named("career", person="Trần Bá Luân")
...     int(g.summary()["documents"]), sorted(career["position"])[0]
(8, 'Giám đốc Sở Kế hoạch và Đầu tư tỉnh Hà Tĩnh')
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from kg import queries
from kg.errors import KGError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import networkx
    import pandas

    from kg.pipeline import IngestReport
    from kg.store import QueryResult, Store

_SUMMARY = """PREFIX kg: <https://w3id.org/kg-vn/ontology#>
SELECT (COUNT(DISTINCT ?d) AS ?documents) (COUNT(DISTINCT ?p) AS ?persons)
       (COUNT(DISTINCT ?h) AS ?holdings) (COUNT(DISTINCT ?e) AS ?events)
       (COUNT(DISTINCT ?o) AS ?organizations) WHERE { GRAPH ?g {
  { ?d a kg:Document } UNION { ?p a kg:Person } UNION { ?h a kg:Holding } UNION { ?e a kg:Event }
  UNION { ?o a kg:Organization } } }"""


def open(path: str | Path = "kg-store", *, read_only: bool = False) -> KnowledgeGraph:  # noqa: A001
    """Open (a writer creates) the store at ``path`` as a :class:`KnowledgeGraph`.

    A writer holds the store's lock until :meth:`KnowledgeGraph.close` (or the end of a
    ``with`` block); ``read_only=True`` reads a store another process writes.

    Raises:
        StoreError: if the store cannot be opened (see ``kg.store.Store.open``).
    """
    from kg.store import Store

    return KnowledgeGraph(Store.open(path, read_only=read_only))


class KnowledgeGraph:
    """Queries, named research queries, networks, views and ingestion over one store."""

    def __init__(self, store: Store):
        self.store = store

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Release the store (and a writer's lock). Safe to call twice."""
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return Path(self.store.path)

    # -- writing ----------------------------------------------------------------------------

    def ingest(self, paths, *, force: bool = False, jobs: int = 1) -> IngestReport:
        """Ingest files or folders (see ``kg.pipeline.ingest``); returns the report.

        Raises:
            StoreError: if the store is read-only or cannot be written.
        """
        from kg.pipeline import ingest

        if isinstance(paths, (str, Path)):
            paths = [paths]
        return ingest([str(p) for p in paths], store=self.store, force=force, jobs=jobs)

    # -- queries ----------------------------------------------------------------------------

    def sparql(self, query: str, **bindings) -> pandas.DataFrame:
        """Run a SPARQL query; keyword arguments bind variables (``person="https://..."``),
        as SPARQL bindings, never by editing the text. The bound variables must be in the
        SELECT clause.

        Raises:
            QueryError: if the query is malformed or a binding cannot be used.
        """
        return _frame(self.store.query(query, bindings=bindings or None))

    def named(self, name: str, **params) -> pandas.DataFrame:
        """Run a named query (see :meth:`queries`) with checked parameters.

        Raises:
            UsageError: if there is no query by that name.
            QueryError: for an unknown parameter, a missing one, or a bad value.
        """
        return _frame(queries.run(self.store, name, params))

    @staticmethod
    def queries() -> pandas.DataFrame:
        """The named research queries: name, description and parameters."""
        import pandas as pd

        rows = []
        for name in queries.research():
            spec = queries.describe(name)
            params = ", ".join(f"{p.name}" + ("" if p.required else f"={p.default!r}") for p in spec.params)
            rows.append({"name": name, "parameters": params, "description": spec.description})
        return pd.DataFrame(rows, columns=["name", "parameters", "description"])

    def summary(self) -> dict[str, int]:
        """Counts: documents, persons, holdings, events, organizations."""
        return self.store.query(_SUMMARY).dicts()[0]

    # -- networks and views -----------------------------------------------------------------

    def graph(self, kind: str = "full", **filters) -> networkx.Graph:
        """A networkx graph (``kg.analytics.KINDS``: person-org, person-event, coattendance,
        org-tree, ego, full) with filters ``province``, ``organization``, ``since``,
        ``until``, ``event_kind``, ``person`` (and ``depth`` for ego).

        Raises:
            UsageError: for an unknown kind or a bad filter.
        """
        from kg import analytics

        return analytics.build(self.store, kind, **filters)

    def view(self, kind: str, **options):
        """Draw a view as a self-contained HTML page (``kg.views.render``): shown inline in a
        notebook, or written to ``out=PATH``.

        Raises:
            KGError: if the views module is not available.
            UsageError: for an unknown kind or a bad option.
        """
        try:
            from kg import views
        except ImportError as exc:
            raise KGError(f"views are not available ({exc}); install kg with its dependencies") from None
        render = getattr(views, "render", None)
        if render is None:
            raise KGError("kg.views has no render(); update kg")
        return render(self.store, kind, **options)

    # -- display ----------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        counts = self.summary()
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                       f"<td style='text-align:right'>{html.escape(str(v))}</td></tr>" for k, v in counts.items())
        mode = "read-only" if self.store.read_only else "writable"
        return (f"<table><caption>kg store {html.escape(str(self.path))} ({html.escape(mode)})</caption>"
                f"{rows}</table>")

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.path)!r})"


def _frame(result: QueryResult) -> pandas.DataFrame:
    import pandas as pd

    if result.vars == ("result",) and len(result.rows) == 1 and isinstance(result.rows[0][0], bool):
        return pd.DataFrame({"result": [result.rows[0][0]]})
    return pd.DataFrame(result.rows, columns=list(result.vars))


__all__ = ["KnowledgeGraph", "UsageError", "open"]
