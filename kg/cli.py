"""The `kg` command: thin click commands over the library.

Exit codes: 0 success; 1 some input failed, or the graph does not conform (validate);
2 usage error, nothing usable, malformed query, or the store cannot be opened.
Every user error is one line on stderr, ``kg: <what>: <problem>``, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import click

from kg.errors import KGError, UsageError

EXPORT_FORMATS = ("facts", "turtle", "trig", "nquads", "jsonld")
#: Network exports (kg.analytics.EXPORT_FORMATS) and graph kinds (kg.analytics.KINDS).
GRAPH_FORMATS = ("gexf", "graphml", "csv")
GRAPH_KINDS = ("full", "person-org", "person-event", "coattendance", "org-tree", "ego")
GRAPH_EVENT_KINDS = ("congress", "appointment", "meeting", "conference", "working_session", "ceremony",
                     "election", "visit", "other")
#: Rows `kg query` shows unless --limit says otherwise (a query can match millions).
QUERY_LIMIT = 10_000


_MAX_MESSAGE = 240


class _Fail(click.ClickException):
    """A KGError (or OSError) shown as one line with its own exit code."""

    def __init__(self, message: str, exit_code: int):
        message = " ".join(message.split())
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 1] + "…"
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"kg: {self.message}", err=True)


def _os_message(exc: OSError) -> str:
    what = exc.filename if exc.filename is not None else ""
    problem = exc.strerror or str(exc)
    return f"{what}: {problem}" if what else problem


def _usage_line(exc: click.UsageError) -> _Fail:
    """A click usage error (bad option value, unknown option...) as one line, exit 2."""
    names, ctx = [], exc.ctx
    while ctx is not None and ctx.parent is not None:  # the subcommand names, not the program's
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    command = " ".join(reversed(names))
    message = exc.format_message()
    return _Fail(f"{command}: {message}" if command else message, 2)


class _Group(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage_line(exc) from None
        except KGError as exc:
            raise _Fail(str(exc), exc.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`kg export ... | head`): stop quietly.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, io.UnsupportedOperation):
                pass
            ctx.exit(1)
        except MemoryError:
            raise _Fail("out of memory; ingest fewer or smaller files at a time", 2) from None
        except OSError as exc:
            raise _Fail(_os_message(exc), 2) from None


def _open_store(ctx: click.Context, *, read_only: bool):
    from kg.store import open_store

    return open_store(ctx.obj["store"], read_only=read_only)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store",
    envvar="KG_STORE",
    default="./kg-store",
    show_default=True,
    metavar="DIR|URL",
    help="Folder of the knowledge graph store, or the http(s) URL of a SPARQL server (env KG_STORE).",
)
@click.version_option(package_name="kg")
@click.pass_context
def cli(ctx: click.Context, store: str) -> None:
    """A knowledge graph of Vietnamese officials, organizations and events."""
    ctx.ensure_object(dict)
    ctx.obj["store"] = store


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes for extraction.")
@click.option("--force", is_flag=True, help="Re-ingest documents whose content is already stored.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], jobs: int, force: bool) -> None:
    """Ingest articles: .txt/.html/.htm files, .jsonl archives, or folders of them.

    Prints one summary line; each failed file is one line on stderr. Exit 0 when all
    went in, 1 when some failed (the others are stored), 2 when nothing was usable.
    """
    from kg.pipeline import ingest as run

    for p in paths:
        if not os.path.lexists(p):
            raise UsageError("no such file or folder", source=p)
    err = sys.stderr
    store_path = Path(ctx.obj["store"])
    created = not os.path.lexists(store_path)
    with _open_store(ctx, read_only=False) as store:
        if err.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            with Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("ingesting", total=None)

                def progress(status: str, source: str) -> None:
                    if status != "skipped":
                        bar.update(task, advance=1, description=f"ingesting {Path(source).name[:40]}")

                report = run(paths, store=store, force=force, jobs=jobs, progress=progress)
        else:
            report = run(paths, store=store, force=force, jobs=jobs)
    if created and not report.usable:
        _remove_new_store(store_path)
    for source, problem in report.failed:
        click.echo(f"{source}: {problem}", err=True)
    click.echo(report.summary())
    if report.rankings_stale:
        click.echo("kg: the precomputed first rows of coattendance, served_with and people_by_province are out "
                   "of date: those queries compute them at query time (slower on a large store) until `kg resolve`",
                   err=True)
    if not report.usable:
        if not report.failed:
            click.echo("kg: no articles found (.txt, .html, .htm or .jsonl)", err=True)
        ctx.exit(2)
    ctx.exit(1 if report.failed else 0)


def _remove_new_store(path: Path) -> None:
    """Remove a store folder this run created when nothing went into it."""
    import shutil

    from kg.store import DATA_DIR, LOCK_FILE

    if path.is_dir() and all(p.name in (DATA_DIR, LOCK_FILE) for p in path.iterdir()):
        shutil.rmtree(path, ignore_errors=True)


def _binding(value: str):
    """A --param value as an RDF term: <iri>, an integer, or a plain string."""
    import pyoxigraph

    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        try:
            return pyoxigraph.NamedNode(value[1:-1])
        except ValueError as exc:
            raise UsageError(f"bad IRI in --param: {exc}", source=value) from None
    if value.lstrip("-").isdigit():
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return pyoxigraph.Literal(value)


def _cell(value) -> str:
    if value is None:
        return ""
    import pyoxigraph

    if isinstance(value, pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal):
        return value.value
    return str(value)


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _cell(value)


@cli.command()
@click.argument("sparql", required=False)
@click.option("--named", "named", default=None, metavar="NAME", help="Run a named query (see `kg queries`) instead of SPARQL.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind ?NAME to VALUE (<iri>, integer or string; for --named, checked against the query's parameters); repeatable.")
@click.option("--limit", type=click.IntRange(0), default=QUERY_LIMIT, show_default=True,
              help="Show at most this many rows (0: all); a notice on stderr tells when rows were left out.")
@click.pass_context
def query(ctx: click.Context, sparql: str | None, named: str | None, fmt: str, params: tuple[str, ...],
          limit: int) -> None:
    """Run a SPARQL 1.1 query (text, or a file holding it), or a named query, over the store."""
    if (sparql is None) == (named is None):
        raise UsageError("give a SPARQL query (text or file) or --named NAME, not both")
    pairs = {}
    for item in params:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise UsageError("--param wants NAME=VALUE", source=item)
        pairs[name] = value
    if named is not None:
        from kg import queries

        queries.bindings(named, pairs)  # check the parameters before opening the store
        with _open_store(ctx, read_only=True) as store:
            result = queries.run(store, named, pairs, limit=limit or None)
            _print_result(result, fmt=fmt)
    else:
        if os.path.isfile(sparql):
            try:
                sparql = Path(sparql).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise UsageError("query file is not UTF-8 text; give a SPARQL file or the query text",
                                 source=sparql) from None
        bindings = {name: _binding(value) for name, value in pairs.items()}
        with _open_store(ctx, read_only=True) as store:
            result = store.query(sparql, bindings=bindings or None, limit=limit or None)
            _print_result(result, fmt=fmt)
    if result.truncated:
        hint = "--limit N, 0 for all"
        if named is not None and "limit" in {p.name for p in queries.describe(named).params}:
            hint = "--param limit=N and --limit N, 0 for all"
        click.echo(f"kg: showing the first {len(result.rows)} rows; more were left out (use {hint})", err=True)


@cli.command("queries")
def list_queries() -> None:
    """List the named research queries with their parameters (run one with `kg query --named`)."""
    from kg import queries as registry

    for name in registry.research():
        spec = registry.describe(name)
        click.echo(f"{name}: {spec.description}")
        for p in spec.params:
            default = "required" if p.required else f"default {p.default!r}"
            click.echo(f"    --param {p.name}=<{p.type}>  ({default}) {p.description}")


def _print_result(result, *, fmt: str) -> None:
    names = [str(v).lstrip("?") for v in result.vars]
    rows = [list(r) for r in result.rows]
    if fmt == "json":
        click.echo(json.dumps([dict(zip(names, map(_json_value, r))) for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows([[_cell(c) for c in r] for r in rows])
        click.echo(buf.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*names)
        for r in rows:
            table.add_row(*[_cell(c) for c in r])
        Console(width=200 if not sys.stdout.isatty() else None).print(table)


def _graph_filters(f):
    """The filter options shared by `kg export` (networks) and `kg analyze`."""
    for option in reversed((
        click.option("--graph", "graph_kind", type=click.Choice(GRAPH_KINDS), default="full", show_default=True,
                     help="Which network (for gexf, graphml, csv)."),
        click.option("--province", default=None, help="Only facts of this province (article, organization or person)."),
        click.option("--org", "organization", default=None, metavar="ORG", help="Only this organization (IRI or part of its name)."),
        click.option("--since", default=None, metavar="DATE", help="Only facts dated on or after DATE (YYYY-MM-DD)."),
        click.option("--until", default=None, metavar="DATE", help="Only facts dated on or before DATE (YYYY-MM-DD)."),
        click.option("--event-kind", type=click.Choice(GRAPH_EVENT_KINDS), default=None, help="Only events of this kind."),
        click.option("--person", default=None, metavar="NAME", help="Only this person's facts (IRI or name); the centre of `ego`."),
        click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Radius of the ego network."),
    )):
        f = option(f)
    return f


@cli.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS + GRAPH_FORMATS), required=True,
              help="facts (JSON Lines for scoring), an RDF syntax, or a network: gexf (Gephi, with a timeline), graphml, csv (nodes.csv + edges.csv in the --out folder).")
@click.option("--out", "out", type=click.Path(writable=True), default=None, help="Write here instead of stdout (csv: a folder).")
@_graph_filters
@click.pass_context
def export(ctx: click.Context, fmt: str, out: str | None, graph_kind: str, **filters) -> None:
    """Export the graph as facts JSON Lines, Turtle, TriG, N-Quads, JSON-LD, or a network."""
    from kg import export as exporter

    if fmt in GRAPH_FORMATS:
        from kg import analytics

        if fmt == "csv" and not out:
            raise UsageError("csv writes nodes.csv and edges.csv: give a folder with --out")
        with _open_store(ctx, read_only=True) as store:
            graph = analytics.build(store, graph_kind, **filters)
        if out:
            paths = analytics.export(graph, fmt, out)
            click.echo(f"wrote {', '.join(map(str, paths))} ({graph.number_of_nodes()} nodes, "
                       f"{graph.number_of_edges()} edges)", err=True)
        else:
            analytics.export(graph, fmt, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    if any(v not in (None, 1) for v in filters.values()) or graph_kind != "full":
        raise UsageError(f"--graph and the filters apply to network formats ({', '.join(GRAPH_FORMATS)}), not {fmt}")
    if out and os.path.isdir(out):
        raise UsageError("is a folder; give a file path", source=out)
    with _open_store(ctx, read_only=True) as store:
        if fmt == "facts":
            if out:
                with open(out, "w", encoding="utf-8", newline="\n") as fh:
                    exporter.export_facts(store, fh)
            else:
                stream = sys.stdout
                exporter.export_facts(store, stream)
                stream.flush()
        else:
            if out:
                with open(out, "wb") as fh:
                    exporter.export(store, fmt, fh)
            else:
                stream = sys.stdout.buffer
                exporter.export(store, fmt, stream)
                stream.flush()


@cli.command()
@_graph_filters
@click.option("--top", type=click.IntRange(0), default=25, show_default=True, help="Rows to show (0: all); the CSV has all.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write every row as CSV here.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Louvain community detection.")
@click.option("--brokers", "only_brokers", is_flag=True, help="Only persons whose neighbours span 2 or more provinces.")
@click.pass_context
def analyze(ctx: click.Context, graph_kind: str, top: int, out: str | None, seed: int, only_brokers: bool,
            **filters) -> None:
    """Measure a network: degree, betweenness, Louvain community, provinces among neighbours."""
    from kg import analytics

    with _open_store(ctx, read_only=True) as store:
        graph = analytics.build(store, graph_kind, **filters)
    frame = analytics.brokers(graph) if only_brokers else analytics.measures(graph, seed=seed)
    if out:
        frame.to_csv(out, index=False)
    from rich.console import Console
    from rich.table import Table

    shown = frame if top == 0 else frame.head(top)
    columns = [c for c in shown.columns if c != "node"] + ["node"]
    table = Table(*columns, title=f"{graph_kind}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    for row in shown[columns].itertuples(index=False):
        table.add_row(*["" if v is None or v != v else str(v) for v in row])
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
    if out:
        click.echo(f"wrote {out} ({len(frame)} rows)", err=True)


@cli.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Count documents, triples, persons, holdings, events and organizations."""
    with _open_store(ctx, read_only=True) as store:
        numbers = store.stats()
    for key, value in numbers.items():
        click.echo(f"{key}: {value}")


@cli.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Check the graph against the SHACL shapes (exit 0 conforms, 1 not, 2 error)."""
    from kg.validate import validate as check

    with _open_store(ctx, read_only=True) as store:
        conforms, report = check(store)
    if conforms:
        click.echo("conforms")
        ctx.exit(0)
    click.echo(report)
    ctx.exit(1)


@cli.command()
@click.argument("doc")
@click.pass_context
def remove(ctx: click.Context, doc: str) -> None:
    """Remove one document (by its id, e.g. file name, or its IRI) and its facts."""
    with _open_store(ctx, read_only=False) as store:
        from kg.pipeline import remove as run_remove

        iri = doc.strip("<>") if "://" in doc else _find_document(store, doc)
        run_remove(iri, store=store)  # also resolves persons again: what only it supported leaves the entities
    click.echo(f"removed {iri}")


@cli.command("resolve")
@click.option("--merge", "merges", nargs=2, multiple=True, metavar="A B",
              help="Record that A and B are one person (kept in judgements.jsonl); repeatable.")
@click.option("--split", "splits", nargs=2, multiple=True, metavar="A B",
              help="Record that A and B are different persons (kept in judgements.jsonl); repeatable.")
@click.option("--explain", "explain_name", default=None, metavar="NAME",
              help="Show the persons NAME resolved to, their documents and the reason of each join.")
@click.pass_context
def resolve_persons(ctx: click.Context, merges, splits, explain_name: str | None) -> None:
    """Resolve persons across documents: one IRI per real person, each join with its reason.

    `kg ingest` runs this after storing. A and B name a mention as NAME@FILE (the name as the
    article writes it and the article's file name or record id), a document's person IRI, or
    a resolved person's IRI (its first mention). Judgements are kept in judgements.jsonl in
    the store folder and applied on every later run; delete a line there to undo it.
    """
    from kg import aggregates, rankings
    from kg import resolve as res

    with _open_store(ctx, read_only=not (merges or splits) and explain_name is not None) as store:
        if merges or splits or explain_name is None:
            mentions = res.read_mentions(store)
            for op, pairs in (("merge", merges), ("split", splits)):
                for a, b in pairs:
                    res.add_judgement(store.path, res.Judgement(op, res.mention_ref(a, mentions, store),
                                                                res.mention_ref(b, mentions, store)))
            report = res.resolve(store, store_dir=store.path)
            aggregates.rebuild(store)
            rankings.rebuild(store)
            click.echo(report.summary())
        if explain_name is not None:
            rows = res.explain(store, explain_name)
            if not rows:
                raise UsageError("no person of this name in the store", source=explain_name)
            from kg.store import QueryResult

            cols = ("entity", "file", "reason", "detail", "other")
            _print_result(QueryResult(cols, [tuple(r[c] for c in cols) for r in rows]), fmt="table")


#: kg.views.KINDS, spelled out so that `kg --help` does not import networkx.
VIEW_KINDS = ("person-org", "person-event", "coattendance", "ego", "org-tree")
EVENT_KINDS = ("congress", "appointment", "meeting", "conference", "working_session", "ceremony",
               "election", "visit", "other")


@cli.command()
@click.argument("kind", type=click.Choice(VIEW_KINDS))
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="HTML file to write (default: kg-KIND.html).")
@click.option("--province", default=None, help="Only facts from articles or organizations of this province.")
@click.option("--org", "organization", default=None, metavar="ORG", help="Only this organization (IRI or part of its name).")
@click.option("--since", default=None, metavar="DATE", help="Only facts dated on or after DATE (YYYY-MM-DD).")
@click.option("--until", default=None, metavar="DATE", help="Only facts dated on or before DATE (YYYY-MM-DD).")
@click.option("--event-kind", type=click.Choice(EVENT_KINDS), default=None, help="Only events of this kind.")
@click.option("--person", default=None, metavar="NAME", help="Only this person (IRI or name); the centre of `ego`.")
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Radius of the ego network.")
@click.option("--size-by", type=click.Choice(["degree", "betweenness"]), default="degree", show_default=True)
@click.option("--max-nodes", type=click.IntRange(1), default=3000, show_default=True,
              help="Above this, keep the most connected nodes and say so on the page.")
@click.option("--open", "open_", is_flag=True, help="Open the page in the web browser.")
@click.pass_context
def view(ctx: click.Context, kind: str, out: str | None, open_: bool, **options) -> None:
    """Draw a network as one self-contained HTML page (works offline).

    KIND: person-org, person-event, coattendance, ego (needs --person) or org-tree.
    """
    from kg import views

    with _open_store(ctx, read_only=True) as store:
        page = views.build(store, kind, **options)
    path = page.save(out or f"kg-{kind}.html")
    for note in page.notes:
        click.echo(f"kg: {note}", err=True)
    click.echo(f"wrote {path} ({len(page.nodes)} nodes, {len(page.edges)} links)")
    if open_:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())


def _find_document(store, doc_id: str) -> str:
    """The IRI of the one stored document whose file name (or record id) is ``doc_id``."""
    iris = sorted({d["iri"] for d in store.documents() if d["file"] == doc_id})
    if not iris:
        raise UsageError("no document with this id in the store; see `kg query` for the ids", source=doc_id)
    if len(iris) > 1:
        raise UsageError(f"{len(iris)} documents have this id; remove one by its IRI", source=doc_id)
    return str(iris[0])


from kg.cli_scale import extract, load, serve  # noqa: E402  (scaling out: shards, bulk load, endpoint)

for _command in (extract, load, serve):
    cli.add_command(_command)


def main() -> None:
    """Console entry point ``kg``."""
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
