"""Benchmarks of kg at scale; prints one Markdown table (and writes it with --results).

    python benchmarks/run.py --quick                   # a few minutes
    python benchmarks/run.py --results benchmarks/RESULTS.md
    python benchmarks/run.py --scale 2000 20000 100000  # only the ingest scale rows (~40 min)
    python benchmarks/run.py --triples 10000000        # also the named queries at 10M triples

Measures, on a corpus from benchmarks/generate.py: ingest articles/s with one process and
with --jobs 2 (each run in a child process: peak RSS of the largest process from
``resource.getrusage(RUSAGE_CHILDREN)``); extraction to shards and bulk-load triples/s;
store size on disk; p50/p95 latency of the named queries (kg/queries/*.rq) on the bulk-loaded
store and on rdflib's in-memory Dataset holding the same quads (the ratio); store reopen
time; view generation time at 5k and 50k nodes; bulk load and query latency through a
local Oxigraph server (when the `oxigraph` binary is installed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write  # noqa: E402

STAMP = "2024-05-01T00:00:00Z"
REAL = ROOT.parent / "shared" / "corpus" / "unlabeled" / "articles.jsonl"  # read at run time only

_INGEST = """
import inspect, json, sys, time
from kg.pipeline import ingest
from kg.store import Store
kwargs = {"resolve": False} if "resolve" in inspect.signature(ingest).parameters else {}
with Store.open(sys.argv[1]) as store:
    t = time.perf_counter()
    r = ingest([sys.argv[2]], store=store, jobs=int(sys.argv[3]), **kwargs)
    print(json.dumps({"docs": r.documents, "triples": r.triples, "seconds": time.perf_counter() - t,
                      "failed": len(r.failed)}))
"""


def child(code: str, *args: str) -> tuple[dict, int]:
    """Run ``code`` in a fresh Python; its JSON answer and the peak RSS (KiB) of its processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(out.stdout.strip().splitlines()[-1]), max(peak, before)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def params_for(spec, store) -> dict:
    """Values for a named query's required parameters: a well-connected person, a province..."""
    person = store.query("SELECT ?p (COUNT(?h) AS ?n) WHERE { ?h kg:person ?p } GROUP BY ?p ORDER BY DESC(?n) LIMIT 1").rows
    org = store.query("SELECT ?o (COUNT(?h) AS ?n) WHERE { ?h kg:organization ?o } GROUP BY ?o ORDER BY DESC(?n) LIMIT 1").rows
    values = {"date": "2022-01-01", "int": 10, "text": "Nguyễn", "province": "Hà Nội", "event_kind": "congress",
              "count_kind": "party_members"}
    out = {}
    for p in spec.params:
        if p.default is not None and not p.required:
            continue
        if p.type == "ref":
            out[p.name] = (org if "org" in p.name else person)[0][0] if (org if "org" in p.name else person) else ""
        elif p.type == "key":  # a post key (holders_at): the one with most tenures
            post = store.query("SELECT ?k (COUNT(?t) AS ?n) WHERE { ?t kg:postKey ?k } GROUP BY ?k ORDER BY DESC(?n) LIMIT 1").rows
            out[p.name] = post[0][0] if post else ""
        elif p.type in values:
            out[p.name] = values[p.type]
    return out


def latencies(fn, *, reps: int, budget: float) -> list[float]:
    times = []
    end = time.perf_counter() + budget
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if time.perf_counter() > end:
            break
    return times


def pct(times: list[float], q: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] * 1000


def named_queries(store, *, reps: int, budget: float, rdflib_ds=None, rdflib_timeout: float = 60.0) -> list[tuple]:
    from kg import queries

    rows = []
    for name in queries.research() if hasattr(queries, "research") else queries.names():
        spec = queries.describe(name)
        params = params_for(spec, store)
        try:
            ox_times = latencies(lambda: queries.run(store, name, params), reps=reps, budget=budget)
        except Exception as e:  # report, do not stop the benchmark
            rows.append((name, f"error: {type(e).__name__}", "", ""))
            continue
        ratio = ""
        if rdflib_ds is not None:
            text, binds = queries.load(name), _rdflib_bindings(queries.bindings(name, params))
            from kg.vocab import PREFIXES

            rd_times = in_child(lambda: latencies(lambda: list(rdflib_ds.query(text, initBindings=binds, initNs=PREFIXES)),
                                                  reps=max(1, reps // 4), budget=budget), timeout=rdflib_timeout)
            if isinstance(rd_times, str) and "stopped" in rd_times:
                ratio = f"> {rdflib_timeout / statistics.median(ox_times):,.0f}× (rdflib stopped after {rdflib_timeout:.0f} s)"
            elif isinstance(rd_times, str):
                ratio = rd_times
            else:
                ratio = f"{statistics.median(rd_times) / statistics.median(ox_times):,.0f}×"
        rows.append((name, f"{pct(ox_times, 0.5):.1f}", f"{pct(ox_times, 0.95):.1f}", ratio))
    return rows


def in_child(fn, *, timeout: float):
    """``fn()`` in a forked child (sharing the parent's memory), killed after ``timeout`` s."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def target():
        try:
            send.send(fn())
        except Exception as e:
            send.send(f"rdflib error: {type(e).__name__}")

    proc = ctx.Process(target=target)
    proc.start()
    if recv.poll(timeout):
        result = recv.recv()
        proc.join()
        return result
    proc.kill()
    proc.join()
    return f"rdflib > {timeout:.0f} s (stopped)"


def _rdflib_bindings(binds: dict) -> dict:
    import pyoxigraph as ox
    import rdflib

    out = {}
    for k, v in binds.items():
        if isinstance(v, ox.NamedNode):
            out[k] = rdflib.URIRef(v.value)
        elif isinstance(v, ox.Literal):
            dt = None if v.language or v.datatype.value.endswith("#string") else rdflib.URIRef(v.datatype.value)
            out[k] = rdflib.Literal(v.value, lang=v.language, datatype=dt)
        else:
            out[k] = v
    return out


def rdflib_dataset(store):
    import pyoxigraph as ox
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    data = ox.serialize(store.inner, format=ox.RdfFormat.N_QUADS)
    ds.parse(data=data.decode("utf-8"), format="nquads")
    return ds


def view_times(sizes=(5_000, 50_000)) -> dict:
    try:
        from kg import views
    except ImportError:
        return {n: "n/a" for n in sizes}
    import networkx as nx
    import random

    out = {}
    for n in sizes:
        rng = random.Random(n)
        g = nx.Graph()
        persons, orgs = int(n * 0.8), n - int(n * 0.8)
        for i in range(persons):
            g.add_node(f"p{i}", type="person", label=f"Người {i}")
        for j in range(orgs):
            g.add_node(f"o{j}", type="organization", label=f"Tổ chức {j}")
        for i in range(persons):
            for _ in range(rng.randint(1, 2)):
                g.add_edge(f"p{i}", f"o{rng.randrange(orgs)}", relation="holds", start="2022-01-01")
        t = time.perf_counter()
        page = views.render(g, "person-org", max_nodes=n)
        out[n] = f"{time.perf_counter() - t:.1f} s ({len(page) / 1e6:.0f} MB page)"
    return out


def oxigraph_server(shards: Path, store, *, reps: int, budget: float) -> dict:
    """Bulk load the shards into a fresh local Oxigraph server and time the named queries there."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        return {}
    from kg.remote import RemoteStore
    from kg.aggregates import rebuild as rebuild_aggregates
    from kg.rankings import rebuild as rebuild_rankings
    from kg.scale import load_shards

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="kg-bench-oxigraph-"))
    proc = subprocess.Popen([binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with RemoteStore.open(url) as remote:
            report = load_shards(shards, store=remote)
            rebuild_aggregates(remote)
            rebuild_rankings(remote)
            rows = named_queries(remote, reps=reps, budget=budget)
        return {"load": report.quads / report.seconds, "queries": rows}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def timed_cli(*args: str) -> dict:
    """Run ``kg ARGS`` in a child process (under /usr/bin/time -v when present): wall seconds
    and the peak RSS (MiB) of the largest process."""
    kg = str(Path(sys.executable).with_name("kg"))
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run([*timer, kg, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if out.returncode not in (0, 1):
        raise RuntimeError(f"kg {' '.join(args)} failed: {out.stderr[-2000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    for line in out.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak = int(line.rsplit(":", 1)[1]) / 1024
    return {"seconds": seconds, "rss": peak, "out": out.stdout.strip()}


def scale_rows(sizes: list[int], work: Path) -> list[tuple[str, str, str]]:
    """``kg ingest --jobs 2`` (with resolution and aggregates) of each corpus size, then the
    ingest of 200 more articles (incremental), then (smallest size only) ``kg resolve`` with
    nothing changed."""
    rows, per_article = [], {}
    for n in sizes:
        corpus = write(n, work / f"scale-{n}.jsonl")
        store = work / f"scale-{n}"
        log(f"scale: ingest {n:,} articles")
        run = timed_cli("--store", str(store), "ingest", str(corpus), "--jobs", "2")
        per_article[n] = run["seconds"] * 1000 / n
        rows.append((f"kg ingest --jobs 2, {n:,} generated articles (with resolution and aggregates)",
                     f"{run['seconds']:.0f} s ({n / run['seconds']:.0f} articles/s, {per_article[n]:.2f} ms an article); "
                     f"peak RSS {run['rss']:.0f} MiB", "100k < 30 min; < 2 GiB"))
        log(rows[-1][0] + ": " + rows[-1][1])
        more = write(200, work / f"more-{n}.jsonl", start=n)
        log(f"scale: ingest 200 more into {n:,}")
        inc = timed_cli("--store", str(store), "ingest", str(more), "--jobs", "2")
        rows.append((f"kg ingest of 200 more articles into {n:,}", f"{inc['seconds']:.1f} s; peak RSS {inc['rss']:.0f} MiB",
                     "resolution of the touched name blocks only"))
        log(rows[-1][0] + ": " + rows[-1][1])
        if n != min(sizes):
            shutil.rmtree(store, ignore_errors=True)
            continue  # a full run reads the whole stored graph back to compare: slow (see RESULTS.md)
        log(f"scale: resolve {n:,} again")
        again = timed_cli("--store", str(store), "resolve")
        rows.append((f"kg resolve, nothing changed ({n + 200:,} articles)", f"{again['seconds']:.1f} s; peak RSS {again['rss']:.0f} MiB",
                     "every block read and clustered, nothing written; and the aggregates"))
        log(rows[-1][0] + ": " + rows[-1][1])
        shutil.rmtree(store, ignore_errors=True)
    base = min(per_article)
    rows.append(("cost per article relative to the smallest run",
                 ", ".join(f"{n:,}: {per_article[n] / per_article[base]:.2f}×" for n in sizes), "linear: 1.0×"))
    return rows


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small corpus, few repetitions")
    ap.add_argument("--articles", type=int, default=None, help="corpus size for the loaded store")
    ap.add_argument("--ingest-articles", type=int, default=None, help="articles for the ingest rate")
    ap.add_argument("--results", type=Path, default=None, help="write the table (with the machine) here")
    ap.add_argument("--scale", type=int, nargs="+", default=None, metavar="N",
                    help="only the scale rows: `kg ingest --jobs 2` of N generated articles each (e.g. 2000 20000 100000)")
    ap.add_argument("--triples", type=int, default=0,
                    help="also build a store of about this many triples (e.g. 10000000: ~40 min, ~8 GiB) and time "
                         "the named queries there with benchmarks/queries_at_scale.py")
    args = ap.parse_args()
    if args.scale:
        work = Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
        try:
            rows = scale_rows(args.scale, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print("\n".join(["| measure | result | target / note |", "| --- | --- | --- |"] +
                        [f"| {a} | {b} | {c} |" for a, b, c in rows]))
        return
    if args.triples:
        log(f"named queries at {args.triples:,} triples (benchmarks/queries_at_scale.py)")
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "queries_at_scale.py"), "--triples", str(args.triples)],
                       check=True)
    n_all = args.articles or (400 if args.quick else 7_000)
    n_ing = args.ingest_articles or (200 if args.quick else 1_000)
    reps, budget = (5, 2.0) if args.quick else (20, 10.0)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    rows: list[tuple[str, str, str]] = []
    try:
        from kg.aggregates import rebuild as rebuild_aggregates
        from kg.rankings import rebuild as rebuild_rankings
        from kg.scale import extract_shards, load_shards
        from kg.store import Store

        corpus = write(n_all, work / "corpus.jsonl")
        small = write(n_ing, work / "small.jsonl")
        log('ingest rates')
        one, rss1 = child(_INGEST, str(work / "s1"), str(small), "1")
        two, rss2 = child(_INGEST, str(work / "s2"), str(small), "2")
        per_doc = one["triples"] / max(1, one["docs"])
        if REAL.exists():
            log("ingest rate on the real articles")
            real, _ = child(_INGEST, str(work / "real"), str(REAL), "1")
            rows.append((f"ingest, 1 process, {real['docs']:,} real articles (../shared, avg {REAL.stat().st_size / max(1, real['docs']) / 1024:.1f} KiB)",
                         f"{real['docs'] / real['seconds']:.0f} articles/s", "≥ 100 articles/s per core"))
        rows.append((f"ingest, 1 process, {n_ing} generated articles (extraction + RDF + store)", f"{one['docs'] / one['seconds']:.0f} articles/s",
                     "≥ 100 articles/s per core"))
        rows.append(("ingest, --jobs 2", f"{two['docs'] / two['seconds']:.0f} articles/s",
                     "100k articles < 30 min (≥ 56/s)"))
        rows.append(("peak RSS (largest process)", f"{max(rss1, rss2) / 1024:.0f} MiB", "< 2 GiB"))
        log('extract shards')
        t = time.perf_counter()
        shards = extract_shards([corpus], work / "shards", jobs=2, ingested_at=STAMP)
        rows.append((f"kg extract --jobs 2 ({n_all} articles)", f"{shards.documents / (time.perf_counter() - t):.0f} articles/s", ""))
        with Store.open(work / "big") as store:
            loaded = load_shards(work / "shards", store=store)
            t = time.perf_counter()
            aggregated = rebuild_aggregates(store) + rebuild_rankings(store)  # as `kg load` does
            aggregating = time.perf_counter() - t
            triples = len(store.inner)
        rows.append(("kg load (bulk, embedded)", f"{loaded.quads / loaded.seconds:,.0f} triples/s", ""))
        rows.append(("precomputed rows (kg.aggregates) after the load", f"{aggregating:.1f} s, {aggregated:,} triples",
                     "served_with, people_by_province"))
        rows.append(("store size on disk", f"{du(work / 'big') / 2**20:.0f} MiB for {triples:,} triples "
                     f"({per_doc:.0f} per article)", ""))
        times = []
        for _ in range(5):
            t = time.perf_counter()
            Store.open(work / "big", read_only=True).close()
            times.append(time.perf_counter() - t)
        rows.append(("store reopen (read-only)", f"{statistics.median(times) * 1000:.0f} ms", "< 100 ms"))
        log('rdflib comparison')
        with Store.open(work / "s1", read_only=True) as small_store:
            t = time.perf_counter()
            ds = rdflib_dataset(small_store)
            rd_load = time.perf_counter() - t
            cmp_rows = named_queries(small_store, reps=reps, budget=budget, rdflib_ds=ds,
                                     rdflib_timeout=20.0 if args.quick else 30.0)
            small_triples = len(small_store.inner)
        log('named queries on the big store')
        with Store.open(work / "big", read_only=True) as store:
            big_rows = named_queries(store, reps=reps, budget=budget)
        for (name, p50, p95, _), (_, s50, _, ratio) in zip(big_rows, cmp_rows):
            rows.append((f"query {name}: p50 / p95 at {triples / 1e6:.1f}M triples",
                         f"{p50} / {p95} ms" if not p50.startswith("error") else p50,
                         f"rdflib in-memory / Oxigraph at {small_triples / 1e3:.0f}k triples: {ratio} (Oxigraph p50 {s50} ms)"))
        rows.append(("rdflib Dataset parse of the comparison store", f"{rd_load:.1f} s", ""))
        rows.append(("queries at 10M triples", "not run", "time budget of the session; see RESULTS.md"))
        log('oxigraph server')
        server = oxigraph_server(work / "shards", None, reps=reps, budget=budget)
        if server:
            rows.append(("Oxigraph server: bulk load over HTTP (POST /store)", f"{server['load']:,.0f} triples/s", ""))
            worst = [r for r in server["queries"] if not r[1].startswith("error")]
            if worst:
                slow = max(worst, key=lambda r: float(r[2]))
                rows.append(("Oxigraph server: named queries p95 (slowest)", f"{slow[2]} ms ({slow[0]})", ""))
                rows.append(("Oxigraph server: named queries p50 (median of queries)",
                             f"{statistics.median(float(r[1]) for r in worst):.1f} ms", ""))
        log('views')
        for n, value in view_times().items():
            rows.append((f"view generation, {n:,} nodes", value, ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = ["| measure | result | target / note |", "| --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(table)
    print(text)
    if args.results:
        machine = (f"{platform.machine()}, {os.cpu_count()} CPUs, "
                   f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
                   f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
        args.results.write_text(
            f"# Benchmark results\n\nMachine: {machine}.\nCommand: `python benchmarks/run.py"
            f"{' --quick' if args.quick else ''}` ({n_all} generated articles for the loaded store, "
            f"{n_ing} for the ingest rates), {time.strftime('%Y-%m-%d')}.\n\n{text}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
