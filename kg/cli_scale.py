"""The `kg` commands for scaling out: ``extract`` (to N-Quads shards), ``load``, ``serve``.

Registered on the ``kg`` group by kg/cli.py; thin like the others: the work is in
kg.scale and kg.server, errors are KGError and become one line on stderr.
"""

from __future__ import annotations

import click

from kg.errors import StoreError, UsageError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder for the shards (new or empty).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Worker processes (with --scheduler local: Dask workers).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run on Dask: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster.")
@click.option("--shard-size", type=click.IntRange(1), default=1000, show_default=True, help="Documents per shard.")
@click.option("--ingested-at", metavar="DATETIME", default=None,
              help="prov:generatedAtTime of every document (ISO date-time; default: now).")
@click.pass_context
def extract(ctx: click.Context, paths: tuple[str, ...], out: str, jobs: int, scheduler: str | None,
            shard_size: int, ingested_at: str | None) -> None:
    """Extract articles into N-Quads shards (no store needed); load them with `kg load`.

    Exit 0 when every article went into a shard, 1 when some failed, 2 when none could.
    """
    from kg.scale import extract_shards

    report = extract_shards(paths, out, jobs=jobs, scheduler=scheduler, shard_size=shard_size,
                            ingested_at=ingested_at)
    for source, problem in report.failed:
        click.echo(f"{source}: {problem}", err=True)
    click.echo(report.summary())
    if report.documents == 0:
        ctx.exit(2)
    ctx.exit(1 if report.failed else 0)


@click.command()
@click.argument("source", type=click.Path())
@click.pass_context
def load(ctx: click.Context, source: str) -> None:
    """Bulk-load N-Quads shards (a folder of *.nq files, or one file) into the store.

    Fast and not transactional: if it is interrupted, run it again on the same shards.
    Then the precomputed rows of served_with and people_by_province, and the ranked first rows
    of the listing queries (kg.rankings), are rebuilt.
    """
    from kg.aggregates import rebuild
    from kg.rankings import rebuild as rebuild_rankings
    from kg.scale import load_shards
    from kg.store import open_store

    with open_store(ctx.obj["store"], read_only=False) as store:
        report = load_shards(source, store=store)
        rebuild(store)
        rebuild_rankings(store)
    click.echo(report.summary())


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--allow-update", is_flag=True, help="Accept SPARQL UPDATE and POST /store (refused with 403 otherwise).")
@click.option("--timeout", type=click.FloatRange(0.1), default=30.0, show_default=True, metavar="S",
              help="Seconds a query may run before the client gets 503.")
@click.option("--max-rows", type=click.IntRange(1), default=10_000, show_default=True,
              help="Most rows (or triples) in one result.")
@click.option("--max-request-bytes", type=click.IntRange(1), default=1 << 20, show_default=True,
              help="Largest query or update accepted.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, allow_update: bool, timeout: float, max_rows: int,
          max_request_bytes: int) -> None:
    """Serve the store as a SPARQL 1.1 Protocol endpoint (read-only unless --allow-update).

    Queries at /query, updates at /update, the dataset at /store, a query page at /.
    Stop with Ctrl-C.
    """
    from kg.server import ServerConfig, make_server
    from kg.store import Store, is_remote

    location = ctx.obj["store"]
    if is_remote(location):
        raise UsageError("serve works on a store folder; a SPARQL server already serves itself", source=location)
    config = ServerConfig(allow_update=allow_update, timeout=timeout, max_rows=max_rows,
                          max_request_bytes=max_request_bytes)
    with Store.open(location, read_only=not allow_update) as store:
        try:
            server = make_server(store, host=host, port=port, config=config)
        except OSError as exc:
            raise StoreError(f"cannot listen on {host}:{port} ({exc.strerror or exc})", source=location) from None
        bound_host, bound_port = server.server_address[:2]
        mode = "read-write" if allow_update else "read-only"
        click.echo(f"serving {location} ({mode}) at http://{bound_host}:{bound_port}/  (query endpoint /query)", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
