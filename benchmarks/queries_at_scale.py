"""Named-query latency on a large store, and the ratio to rdflib's in-memory store on a small one.

    python benchmarks/queries_at_scale.py --store /tmp/kg-10m                 # measure a built store
    python benchmarks/queries_at_scale.py --triples 10000000 --work /tmp/q    # build it, then measure
    python benchmarks/queries_at_scale.py --rdflib-articles 1000 --work /tmp/q  # the rdflib ratio only

A store is built the fast way (``benchmarks/generate.py`` articles -> ``kg extract --jobs 2`` ->
``kg load`` -> ``kg resolve``), each step a child process (its wall time and peak RSS are
reported). Every research query of ``kg/queries/`` runs with its default (empty) optional
parameters and with them bound to realistic values: the person, organization and post with the
most holdings, the person in most events, the province with most persons (see :func:`cases`).
Each case runs in a fresh child process that opens the store read-only: one warm-up run, then
up to ``--reps`` runs within ``--budget`` seconds (p50 / p95 of those); a case still running
after ``--timeout`` seconds is stopped and reported as such.

For the ratio, the same cases (values found on that store) run on a small store and on an
rdflib ``Dataset`` parsed from the same quads, in the same run: rdflib median / Oxigraph median.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import _rdflib_bindings  # noqa: E402
#: Triples per generated article once resolved and aggregated (measured: 281 at 3,000 articles,
#: 6.69M document triples + resolution + aggregates at 40,000): used to size a store.
TRIPLES_PER_ARTICLE = 265
KG = "https://w3id.org/kg-vn/ontology#"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- building a store ------------------------------------------------------------------------


def _timed(args: list[str]) -> dict:
    """Run a command; its wall time and the peak RSS (MiB) of the largest child so far."""
    t = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return {"seconds": time.perf_counter() - t, "out": done.stdout.strip().splitlines()[-1:] or [""],
            "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def build(work: Path, articles: int, *, jobs: int = 2) -> tuple[Path, list[tuple[str, str]]]:
    """Generate ``articles`` articles under ``work`` and build a resolved store from them;
    the store's path and one row per step."""
    kg = [sys.executable, "-m", "kg.cli"]
    store = work / "store"
    corpus, shards = work / "corpus.jsonl", work / "shards"
    steps = []
    if not corpus.exists():
        log(f"generate {articles:,} articles")
        _timed([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(articles), "--out", str(corpus)])
    if not shards.exists():
        log("kg extract")
        r = _timed(kg + ["extract", str(corpus), "--out", str(shards), "--jobs", str(jobs)])
        steps.append((f"kg extract --jobs {jobs} ({articles:,} articles)", f"{r['seconds']:.0f} s"))
    if not store.exists():
        log("kg load")
        r = _timed(kg + ["--store", str(store), "load", str(shards)])
        steps.append(("kg load (bulk load + precomputed rows)", f"{r['seconds']:.0f} s; {r['out'][0]}"))
        log("kg resolve")
        r = _timed(kg + ["--store", str(store), "resolve"])
        steps.append(("kg resolve (resolution + precomputed rows)",
                      f"{r['seconds']:.0f} s, peak RSS of the steps so far {r['peak_mib'] / 1024:.1f} GiB"))
    return store, steps


# -- the cases -------------------------------------------------------------------------------


def _top(store, sparql: str) -> str:
    rows = store.query(sparql).rows
    return rows[0][0] if rows else ""


def realistic_values(store) -> dict[str, str]:
    """Values that give many rows: the person/organization/post with most holdings, ..."""
    q = "SELECT ?x (COUNT(*) AS ?n) WHERE { GRAPH ?g { %s } } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1"
    v = {
        "person": _top(store, q % f"?h <{KG}person> ?x"),
        "organization": _top(store, q % f"?h <{KG}organization> ?x"),
        "post": _top(store, q % f"?h <{KG}post> ?x"),
        "attendee": _top(store, q % f"VALUES ?r {{ <{KG}chair> <{KG}participant> }} ?e ?r ?x"),
        "counted": _top(store, q % f"?c <{KG}countOf> ?x"),
        "parent": _top(store, q % f"?l <{KG}parent> ?x"),
        "post_key": _top(store, q % f"?t <{KG}postKey> ?x"),
        "province": _top(store, q % f"?s <{KG}provinceName> ?x"),
    }
    name = f"SELECT ?n WHERE {{ GRAPH ?g {{ <%s> <{KG}name> ?n }} }} ORDER BY ?n LIMIT 1"
    v["person_name"] = _top(store, name % v["person"]) if v["person"] else ""
    v["attendee_name"] = _top(store, name % v["attendee"]) if v["attendee"] else ""
    return v


def cases(values: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(query, label, parameters) for every research query: the default (empty) optional
    parameters and realistic bound ones."""
    from kg import queries

    v = values
    table = {
        "career": [("person IRI", {"person": v["person"]}), ("person name", {"person": v["person_name"]})],
        "coattendance": [("default", {}), ("person", {"person": v["attendee"]}),
                         ("person name", {"person": v["attendee_name"]}),
                         ("kind=meeting, no person", {"kind": "meeting"}),
                         ("from a date, no person (every event read)", {"from": "2023-01-01"})],
        "counts_over_time": [("default", {}), ("organization", {"organization": v["counted"]})],
        "explain": [("name", {"name": v["person_name"]}), ("person IRI", {"name": v["person"]})],
        "holders": [("organization", {"of": v["organization"]}),
                    ("organization, at", {"of": v["organization"], "at": "2022-01-01"}),
                    ("post", {"of": v["post"]})],
        "holders_at": [("key, date", {"key": v["post_key"], "date": "2022-01-01"})],
        "org_chart": [("default", {}), ("organization", {"organization": v["parent"]})],
        "org_events": [("organization", {"organization": v["organization"]}),
                       ("organization, kind", {"organization": v["organization"], "kind": "meeting"})],
        "people_by_province": [("default", {}), ("province", {"province": v["province"]})],
        "served_with": [("default", {}), ("person", {"person": v["person"]}),
                        ("organization", {"organization": v["organization"]})],
        "succession": [("post", {"post": v["post"]})],
    }
    out = []
    for name in queries.research():
        spec = queries.describe(name)
        for label, params in table.get(name, [("default", {})]):
            params = {k: p for k, p in params.items() if k in {x.name for x in spec.params}}
            if all(k in params for k in (p.name for p in spec.params if p.required)):
                out.append((name, label, params))
    return out


# -- measuring -------------------------------------------------------------------------------


def _oxigraph_case(path: str, name: str, params: dict, reps: int, budget: float, conn) -> None:
    from kg import queries
    from kg.store import Store

    with Store.open(path, read_only=True) as store:
        t = time.perf_counter()
        rows = len(queries.run(store, name, params).rows)
        first = time.perf_counter() - t
        times = []
        end = time.perf_counter() + budget
        for _ in range(reps):
            t = time.perf_counter()
            queries.run(store, name, params)
            times.append(time.perf_counter() - t)
            if time.perf_counter() > end:
                break
    conn.send({"rows": rows, "first": first, "times": times})


def _rdflib_case(ds, name: str, params: dict, reps: int, budget: float, conn) -> None:
    from kg import queries
    from kg.vocab import PREFIXES

    text, binds = queries.load(name), _rdflib_bindings(queries.bindings(name, params))
    times = []
    end = time.perf_counter() + budget
    rows = 0
    for _ in range(reps):
        t = time.perf_counter()
        rows = len(list(ds.query(text, initBindings=binds, initNs=PREFIXES)))
        times.append(time.perf_counter() - t)
        if time.perf_counter() > end:
            break
    conn.send({"rows": rows, "first": times[0], "times": times})


def in_child(target, args: tuple, *, timeout: float, method: str = "spawn") -> dict | str:
    """``target(*args, conn)`` in a child process; its answer, or a note when it was stopped.
    Spawned by default: a child forked after the parent opened a RocksDB store can hang."""
    ctx = multiprocessing.get_context(method)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, send))
    proc.start()
    if recv.poll(timeout):
        try:
            answer = recv.recv()
        except EOFError:
            answer = "failed"
        proc.join()
        return answer
    proc.kill()
    proc.join()
    return f"> {timeout:.0f} s (stopped)"


def pct(times: list[float], q: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] * 1000


def measure(path: Path, case_list, *, reps: int, budget: float, timeout: float) -> list[dict]:
    out = []
    for name, label, params in case_list:
        r = in_child(_oxigraph_case, (str(path), name, params, reps, budget), timeout=timeout)
        row = {"query": name, "case": label, "params": params}
        if isinstance(r, str):
            row["note"] = r
        else:
            times = r["times"] or [r["first"]]
            row.update(rows=r["rows"], p50=pct(times, 0.5), p95=pct(times, 0.95), first=r["first"] * 1000,
                       runs=len(times))
        done = row.get("note") or f"{row['p50']:.1f} / {row['p95']:.1f} ms, {row['rows']} rows"
        log(f"{name} [{label}]: {done}")
        out.append(row)
    return out


def rdflib_ratios(path: Path, case_list, oxi_rows: list[dict], *, reps: int, budget: float,
                  timeout: float) -> list[dict]:
    """The same cases on rdflib's in-memory Dataset holding the quads of the store at ``path``."""
    import pyoxigraph as ox
    import rdflib

    from kg.store import Store

    with Store.open(path, read_only=True) as store:
        data = ox.serialize(store.inner, format=ox.RdfFormat.N_QUADS)
        triples = len(store.inner)
    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=data.decode("utf-8"), format="nquads")
    parse = time.perf_counter() - t
    del data
    out = []
    for (name, label, params), oxi in zip(case_list, oxi_rows):
        r = in_child(_rdflib_case, (ds, name, params, max(1, reps // 4), budget), timeout=timeout, method="fork")
        row = {"query": name, "case": label, "triples": triples, "parse": parse}
        ox50 = oxi.get("p50")
        if isinstance(r, str) or ox50 is None:
            row["rdflib"] = r if isinstance(r, str) else statistics.median(r["times"]) * 1000
            row["ratio"] = f"> {timeout * 1000 / ox50:,.0f}×" if ox50 and "stopped" in str(r) else "n/a"
        else:
            rd = statistics.median(r["times"]) * 1000
            row.update(rdflib=rd, rdflib_rows=r["rows"], ratio=f"{rd / max(ox50, 1e-3):,.0f}×")
        rd = row["rdflib"] if isinstance(row["rdflib"], str) else f"{row['rdflib']:.1f} ms"
        log(f"rdflib {name} [{label}]: {rd} ({row['ratio']})")
        out.append(row)
    return out


def triples_of(path: Path) -> int:
    from kg.store import Store

    with Store.open(path, read_only=True) as store:
        return len(store.inner)


def table(big: list[dict], big_triples: int, small: list[dict] | None, rd: list[dict] | None) -> str:
    head = f"| query | case | rows | p50 / p95 at {big_triples / 1e6:.1f}M triples |"
    sep = "| --- | --- | --- | --- |"
    if small is not None:
        head += f" Oxigraph p50 at {small[0].get('triples', 0) / 1e3:.0f}k | rdflib p50 | rdflib / Oxigraph |"
        sep += " --- | --- | --- |"
    lines = [head, sep]
    for i, b in enumerate(big):
        cell = b.get("note") or f"{b['p50']:.1f} / {b['p95']:.1f} ms"
        line = f"| {b['query']} | {b['case']} | {b.get('rows', '')} | {cell} |"
        if small is not None:
            s, r = small[i], rd[i]
            rdv = r["rdflib"] if isinstance(r["rdflib"], str) else f"{r['rdflib']:.1f} ms"
            sv = s.get("note") or f"{s['p50']:.1f} ms"
            line += f" {sv} | {rdv} | {r['ratio']} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="a built store to measure (else one is built under --work)")
    ap.add_argument("--triples", type=int, default=10_000_000, help="size of the store to build")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-queries-at-scale"), help="where to build stores")
    ap.add_argument("--rdflib-articles", type=int, default=1000, help="size of the store of the rdflib ratio (0: skip)")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--budget", type=float, default=10.0, help="seconds of repeated runs per case")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is stopped")
    ap.add_argument("--json", type=Path, help="write the measurements here")
    args = ap.parse_args()
    steps: list[tuple[str, str]] = []
    if args.store:
        big = args.store
    else:
        articles = math.ceil(args.triples / TRIPLES_PER_ARTICLE)
        big, steps = build(args.work / f"big-{articles}", articles)
    from kg.store import Store

    with Store.open(big, read_only=True) as store:
        log("finding realistic parameter values")
        values = realistic_values(store)
        big_triples = len(store.inner)
    big_cases = cases(values)
    log(f"named queries at {big_triples:,} triples")
    big_rows = measure(big, big_cases, reps=args.reps, budget=args.budget, timeout=args.timeout)
    small_rows = rd_rows = None
    if args.rdflib_articles:
        small, more = build(args.work / f"small-{args.rdflib_articles}", args.rdflib_articles)
        steps += more
        with Store.open(small, read_only=True) as store:
            small_cases = cases(realistic_values(store))
        small_cases = [c for c in small_cases if (c[0], c[1]) in {(b[0], b[1]) for b in big_cases}]
        log("named queries on the small store, Oxigraph then rdflib")
        small_rows = measure(small, small_cases, reps=args.reps, budget=args.budget, timeout=args.timeout)
        for row in small_rows:
            row["triples"] = triples_of(small)
        rd_rows = rdflib_ratios(small, small_cases, small_rows, reps=args.reps, budget=args.budget,
                                timeout=min(args.timeout, 30.0))
        by_key = {(s["query"], s["case"]): (s, r) for s, r in zip(small_rows, rd_rows)}
        small_rows = [by_key.get((b["query"], b["case"]), ({"note": "n/a"}, {"rdflib": "n/a", "ratio": "n/a"}))[0]
                      for b in big_rows]
        rd_rows = [by_key.get((b["query"], b["case"]), ({}, {"rdflib": "n/a", "ratio": "n/a"}))[1] for b in big_rows]
        if small_rows and "triples" not in small_rows[0]:
            small_rows[0]["triples"] = triples_of(small)
    machine = (f"{platform.machine()}, {os.cpu_count()} CPUs, "
               f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
               f"Python {platform.python_version()}")
    print(f"Machine: {machine}; {time.strftime('%Y-%m-%d')}; store {big} ({big_triples:,} triples)\n")
    for a, b in steps:
        print(f"- {a}: {b}")
    print(table(big_rows, big_triples, small_rows, rd_rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "triples": big_triples, "values": values,
                                         "big": big_rows, "small": small_rows, "rdflib": rd_rows, "steps": steps},
                                        ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
