"""Scale out: extraction to N-Quads shards (local processes or a Dask cluster), bulk loading.

Extraction is a pure function of a document (``kg.pipeline.process`` with a fixed
``ingested_at``), so it can run anywhere and its output is plain N-Quads text:

    inputs -> units (a group of files, or a byte range of a JSON Lines archive)
           -> one shard ``part-NNNNN.nq`` per unit (written whole, then renamed)
           -> ``load_shards`` bulk-loads the shards into a store (embedded or a server)

The same units and the same worker function serve both back ends: a local process pool
(``jobs``) or Dask (``scheduler``: an address such as ``tcp://host:8786``, or ``"local"``
for a LocalCluster on this machine). With Dask the workers read the inputs and write the
shards themselves, so ``out_dir`` and the inputs must be on a filesystem they share.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.jsonl").write_text('{"id": "x", "text": "Ông Nguyễn Văn A dự họp."}\\n', encoding="utf-8")
>>> report = extract_shards([d / "a.jsonl"], d / "shards", ingested_at="2024-01-01T00:00:00+00:00")
>>> report.documents, report.shards, report.failed
(1, 1, [])
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.ingest import SUFFIXES, Entry, read_file, read_jsonl_record
from kg.pipeline import process

__all__ = ["ShardReport", "LoadReport", "extract_shards", "load_shards", "shard_files", "units"]

SHARD_GLOB = "part-*.nq"


@dataclass
class ShardReport:
    """What one ``extract_shards`` run did."""

    documents: int = 0
    triples: int = 0
    shards: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, problem)
    seconds: float = 0.0

    def summary(self) -> str:
        failed = f" ({len(self.failed)} failed)" if self.failed else ""
        return (f"{self.documents} documents{failed}, {self.triples} triples in {self.shards} shards "
                f"in {self.seconds:.1f} s")


@dataclass
class LoadReport:
    """What one ``load_shards`` run did."""

    shards: int = 0
    quads: int = 0  # N-Quads lines read (duplicates count; the store keeps a set)
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.quads / self.seconds if self.seconds else 0.0
        return f"{self.shards} shards, {self.quads} quads in {self.seconds:.1f} s ({rate:,.0f} quads/s)"


# -- units of work -------------------------------------------------------------------------


def _article_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Article files under ``paths`` in the order ``kg ingest`` reads them (sorted, recursive)."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError("no such file or folder", source=str(raw))
        if path.is_dir():
            for folder, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                        yield Path(folder) / name
        elif path.suffix.lower() in SUFFIXES:
            yield path
        else:
            raise UsageError("unsupported file type; give .txt, .html, .htm or .jsonl files or a folder",
                             source=str(raw))


def units(paths: Iterable[str | os.PathLike], *, shard_size: int = 1000) -> Iterator[tuple]:
    """Split the inputs into units of about ``shard_size`` documents, without parsing them.

    A unit is ``("files", index, [path, ...])`` or ``("jsonl", index, path, start, end,
    first_line)``: a byte range of a JSON Lines archive that starts and ends at a line
    boundary, so a worker reads only its own part of a large archive.
    """
    index = 0
    files: list[str] = []
    for path in _article_files(paths):
        if path.suffix.lower() != ".jsonl":
            files.append(str(path))
            if len(files) >= shard_size:
                yield ("files", index, files)
                index, files = index + 1, []
            continue
        for start, end, first in _line_ranges(path, shard_size):
            yield ("jsonl", index, str(path), start, end, first)
            index += 1
    if files:
        yield ("files", index, files)


def _line_ranges(path: Path, lines_per_range: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, first line number) of consecutive ranges of ``lines_per_range`` lines."""
    start, offset, lines, first = 0, 0, 0, 1
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                pos = 0
                while (nl := block.find(b"\n", pos)) >= 0:
                    lines += 1
                    pos = nl + 1
                    if lines == lines_per_range:
                        yield start, offset + pos, first
                        start, first, lines = offset + pos, first + lines, 0
                offset += len(block)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    if offset > start:
        yield start, offset, first


def _entries(unit: tuple) -> Iterator[Entry]:
    if unit[0] == "files":
        for name in unit[2]:
            try:
                yield Entry(name, document=read_file(name))
            except InputError as exc:
                yield Entry(name, error=exc)
        return
    _, _, name, start, end, lineno = unit
    with open(name, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    for line in data.splitlines(keepends=True):
        where = f"{name}:{lineno}"
        if line.strip():
            try:
                yield Entry(where, document=read_jsonl_record(line, path=name, lineno=lineno))
            except InputError as exc:
                yield Entry(where, error=exc)
        lineno += 1


def extract_unit(unit: tuple, *, out_dir: str, ingested_at: str) -> dict:
    """Worker side: extract every document of ``unit`` into the shard ``part-<index>.nq``.

    The shard is written to a temporary name and renamed, so a shard is whole or absent.
    Returns ``{"shard", "documents", "triples", "failed"}``.
    """
    shard = Path(out_dir) / f"part-{unit[1]:05d}.nq"
    tmp = shard.with_suffix(".nq.tmp")
    documents = triples = 0
    failed: list[tuple[str, str]] = []
    with open(tmp, "wb") as out:
        for entry in _entries(unit):
            if entry.error is not None:
                failed.append((entry.source, " ".join(str(entry.error).split())))
                continue
            result = process(entry.document, source=entry.source, ingested_at=ingested_at, as_nquads=True)
            if result.problem is not None:
                failed.append((result.source, result.problem))
                continue
            out.write(result.nquads)
            documents += 1
            triples += result.triples
    os.replace(tmp, shard)
    return {"shard": str(shard), "documents": documents, "triples": triples, "failed": failed}


# -- extraction ----------------------------------------------------------------------------


def extract_shards(
    paths: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    shard_size: int = 1000,
    ingested_at: str | None = None,
) -> ShardReport:
    """Extract the articles under ``paths`` into N-Quads shards in ``out_dir``.

    ``jobs`` worker processes run locally; with ``scheduler`` (a Dask scheduler address,
    or ``"local"`` for a LocalCluster of ``jobs`` worker processes) the units run on Dask.
    Every document gets ``ingested_at`` (default: the run's start time) as its
    ``prov:generatedAtTime``, so two runs with the same value give the same quads.

    Raises:
        UsageError: ``out_dir`` already holds shards, or Dask is not installed.
        InputError: an input cannot be read.
    """
    start = time.perf_counter()
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.glob(SHARD_GLOB))):
        raise UsageError("already holds shards (or is a file); give a new or empty folder", source=str(out))
    out.mkdir(parents=True, exist_ok=True)
    stamp = ingested_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    todo = units(paths, shard_size=max(1, shard_size))
    if scheduler:
        results: Iterable[dict] = _run_dask(list(todo), out_dir=str(out), ingested_at=stamp,
                                            scheduler=scheduler, workers=jobs)
    elif jobs <= 1:
        results = (extract_unit(u, out_dir=str(out), ingested_at=stamp) for u in todo)
    else:
        results = _run_pool(todo, out_dir=str(out), ingested_at=stamp, jobs=jobs)
    report = ShardReport()
    for r in results:
        report.shards += 1
        report.documents += r["documents"]
        report.triples += r["triples"]
        report.failed.extend(tuple(f) for f in r["failed"])
    report.seconds = time.perf_counter() - start
    return report


def _run_pool(todo: Iterator[tuple], *, out_dir: str, ingested_at: str, jobs: int) -> Iterator[dict]:
    """Units on a local process pool, at most ``2 * jobs`` in flight (bounded memory)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        pending: deque = deque()
        for unit in todo:
            pending.append(pool.submit(extract_unit, unit, out_dir=out_dir, ingested_at=ingested_at))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _run_dask(todo: list[tuple], *, out_dir: str, ingested_at: str, scheduler: str, workers: int) -> list[dict]:
    """Units as a dask.bag, one partition per unit, computed on the given scheduler."""
    try:
        import dask.bag as db
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--scheduler needs Dask; install it with: pip install 'kg[scale]'") from None
    if not todo:
        return []
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler: {exc}", source=scheduler) from None
    try:
        bag = db.from_sequence(todo, npartitions=len(todo))
        return bag.map(extract_unit, out_dir=out_dir, ingested_at=ingested_at).compute(scheduler=client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- loading -------------------------------------------------------------------------------


def shard_files(source: str | os.PathLike) -> list[Path]:
    """The N-Quads files to load: ``source`` itself, or the ``*.nq`` files in that folder.

    Raises:
        UsageError: nothing to load there.
    """
    path = Path(source)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UsageError("no such file or folder", source=str(source))
    files = sorted(p for p in path.iterdir() if p.suffix in (".nq", ".nquads") and p.is_file())
    if not files:
        raise UsageError("no N-Quads shards (*.nq) here; run `kg extract` first", source=str(source))
    return files


def load_shards(source: str | os.PathLike, *, store) -> LoadReport:
    """Bulk-load the N-Quads shards in ``source`` into ``store`` (embedded or remote).

    Not atomic: an interrupted load leaves part of the data; loading the same shards
    again completes it (the store is a set of quads, so repeated quads are kept once).

    Raises:
        UsageError: no shards; InputError: a shard is not valid N-Quads; StoreError.
    """
    start = time.perf_counter()
    report = LoadReport()
    for path in shard_files(source):
        store.bulk_load(path)
        report.shards += 1
        report.quads += _count_lines(path)
    report.seconds = time.perf_counter() - start
    return report


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return count

