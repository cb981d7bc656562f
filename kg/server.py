"""A SPARQL 1.1 Protocol endpoint over a kg store (``kg serve``), on the standard library.

Routes (Oxigraph's layout, so :class:`kg.remote.RemoteStore` can use a ``kg serve`` too):

- ``GET /``: a small HTML page to type a query.
- ``GET /query?query=...``, ``POST /query`` (``application/sparql-query`` body or
  form-encoded ``query=``): SELECT/ASK answered as SPARQL JSON, XML, CSV or TSV, and
  CONSTRUCT/DESCRIBE as Turtle, N-Triples or N-Quads, by content negotiation (``Accept``).
  The default graph is the union of the documents' graphs. ``/sparql`` is an alias.
- ``POST /update``: SPARQL UPDATE, refused with 403 unless the server allows updates.
- ``GET /store``: the whole dataset as N-Quads or TriG; ``POST /store``: add N-Quads
  (Graph Store Protocol; updates must be allowed).

Limits: a query that runs longer than ``timeout`` seconds gets 503 (the engine is not
interruptible in every step: a blocking step such as ORDER BY may still finish in the
background, but at most ``max_running`` queries run at once); results keep at most
``max_rows`` rows (header ``X-KG-Truncated: true`` when cut); request bodies and query
strings larger than ``max_request_bytes`` get 413.
"""

from __future__ import annotations

import csv
import html
import io
import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from kg.vocab import PREFIXES

__all__ = ["ServerConfig", "make_server"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Result media types: media type -> name, for solutions (SELECT/ASK) and for graphs.
SOLUTION_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES, "application/n-quads": ox.RdfFormat.N_QUADS,
}
_CONTENT_TYPE = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}


@dataclass(frozen=True)
class ServerConfig:
    """What ``kg serve`` allows."""

    allow_update: bool = False
    timeout: float = 30.0
    max_rows: int = 10_000
    max_request_bytes: int = 1 << 20
    max_running: int = 4


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def make_server(store, *, host: str = "127.0.0.1", port: int = 7878,
                config: ServerConfig = ServerConfig()) -> ThreadingHTTPServer:
    """An HTTP server (not started) answering SPARQL over ``store`` (a :class:`kg.store.Store`).

    Call ``serve_forever()`` on it (and ``shutdown()`` from another thread to stop).
    ``port=0`` picks a free port: read it from ``server.server_address``.
    """
    runner = ThreadPoolExecutor(max_workers=config.max_running, thread_name_prefix="kg-query")
    write_lock = threading.Lock()

    class Handler(_Handler):
        pass

    Handler.store = store
    Handler.config = config
    Handler.runner = runner
    Handler.write_lock = write_lock
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    store = None
    config: ServerConfig
    runner: ThreadPoolExecutor
    write_lock: threading.Lock
    server_version = "kg-sparql/0.1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the library never prints
        pass

    # -- routing ---------------------------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            if len(url.query) > self.config.max_request_bytes:
                raise _Refused(413, "query string too large")
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            route = url.path.rstrip("/") or "/"
            if route == "/" and method == "GET":
                return self._send(200, "text/html; charset=utf-8", _PAGE.encode("utf-8"))
            if route in ("/query", "/sparql"):
                return self._query(method, params)
            if route == "/update":
                return self._update(method, params)
            if route == "/store":
                return self._store(method)
            raise _Refused(404, "not found; use /query, /update or /store")
        except _Refused as e:
            self._send(e.status, "text/plain; charset=utf-8", (e.message + "\n").encode("utf-8"))
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- reading requests ------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.config.max_request_bytes:
            if length <= 64 * self.config.max_request_bytes:
                self._drain()  # read it, so the client sees the answer rather than a reset
            else:
                self.close_connection = True
            raise _Refused(413, f"request body too large (limit {self.config.max_request_bytes} bytes)")
        return self.rfile.read(length) if length else b""

    def _operation(self, method: str, params: dict, name: str, media: str) -> tuple[str, dict]:
        """The query/update text and the protocol parameters, from a GET or a POST."""
        if method == "GET":
            if name == "update":
                raise _Refused(405, "send updates with POST")
            text = params.get(name, [None])[0]
        elif method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if ctype == media:
                text = body.decode("utf-8", "replace")
            elif ctype == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                params = {**params, **form}
                text = form.get(name, [None])[0]
            else:
                raise _Refused(415, f"send {media} or application/x-www-form-urlencoded")
        else:
            raise _Refused(405, "use GET or POST")
        if not text:
            raise _Refused(400, f"missing the {name!r} parameter")
        return text, params

    # -- query -----------------------------------------------------------------------------

    def _query(self, method: str, params: dict) -> None:
        text, params = self._operation(method, params, "query", "application/sparql-query")
        options = {"prefixes": PREFIXES}
        default = [ox.NamedNode(u) for u in params.get("default-graph-uri", []) if u]
        named = [ox.NamedNode(u) for u in params.get("named-graph-uri", []) if u]
        if default:
            options["default_graph"] = default
        else:
            options["use_default_graph_as_union"] = True
        if named:
            options["named_graphs"] = named
        deadline = time.monotonic() + self.config.timeout

        def run():
            result = self.store.inner.query(text, **options)
            return _materialize(result, self.config.max_rows, deadline)

        future = self.runner.submit(run)
        try:
            kind, head, rows, truncated = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            raise _Refused(503, f"query timed out after {self.config.timeout:g} s; narrow it or add a LIMIT") from None
        except TimeoutError:
            raise _Refused(503, f"query timed out after {self.config.timeout:g} s; narrow it or add a LIMIT") from None
        except SyntaxError as e:
            raise _Refused(400, f"malformed query: {_first_line(e)}") from None
        except (ValueError, TypeError, RuntimeError, OSError) as e:
            raise _Refused(400, f"cannot run the query: {_first_line(e)}") from None
        accept = self.headers.get("Accept") or "*/*"
        extra = {"X-KG-Truncated": "true"} if truncated else {}
        if kind == "graph":
            media, fmt = _negotiate(accept, GRAPH_TYPES, default="text/turtle")
            data = ox.serialize(rows, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None) or b""
            return self._send(200, f"{media}; charset=utf-8", data, extra)
        media, name = _negotiate(accept, SOLUTION_TYPES, default="application/sparql-results+json")
        data = _write_solutions(name, kind, head, rows)
        self._send(200, f"{_CONTENT_TYPE[name]}; charset=utf-8", data, extra)

    # -- update and graph store ------------------------------------------------------------

    def _update(self, method: str, params: dict) -> None:
        if not self.config.allow_update:
            if method == "POST":
                self._drain()
            raise _Refused(403, "this endpoint is read-only; start `kg serve --allow-update` to accept updates")
        text, _ = self._operation(method, params, "update", "application/sparql-update")
        with self.write_lock:
            try:
                self.store.inner.update(text, prefixes=PREFIXES)
            except SyntaxError as e:
                raise _Refused(400, f"malformed update: {_first_line(e)}") from None
            except (ValueError, OSError) as e:
                raise _Refused(500, f"cannot apply the update: {_first_line(e)}") from None
        self._send(204, None, b"")

    def _store(self, method: str) -> None:
        if method == "GET":
            accept = self.headers.get("Accept") or "*/*"
            media, fmt = _negotiate(accept, {"application/n-quads": ox.RdfFormat.N_QUADS,
                                             "application/trig": ox.RdfFormat.TRIG}, default="application/n-quads")
            buf = io.BytesIO()
            self.store.inner.dump(buf, fmt)
            return self._send(200, f"{media}; charset=utf-8", buf.getvalue())
        if method != "POST":
            raise _Refused(405, "GET or POST /store")
        if not self.config.allow_update:
            self._drain()
            raise _Refused(403, "this endpoint is read-only; start `kg serve --allow-update` to accept data")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/n-quads":
            raise _Refused(415, "POST application/n-quads to /store")
        length = int(self.headers.get("Content-Length") or 0)
        with self.write_lock:
            try:
                self.store.inner.load(_Bounded(self.rfile, length), format=ox.RdfFormat.N_QUADS)
            except SyntaxError as e:
                raise _Refused(400, f"not valid N-Quads: {_first_line(e)}") from None
            except OSError as e:
                raise _Refused(500, f"cannot load: {_first_line(e)}") from None
        self._send(204, None, b"")

    def _drain(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    # -- writing responses -----------------------------------------------------------------

    def _send(self, status: int, ctype: str | None, data: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


class _Bounded(io.RawIOBase):
    """Exactly ``length`` bytes of a request body, as a stream."""

    def __init__(self, raw, length: int):
        self.raw, self.left = raw, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        data = self.raw.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def _materialize(result, max_rows: int, deadline: float):
    """(kind, vars, rows, truncated) with at most ``max_rows`` rows, checking the deadline."""
    if isinstance(result, ox.QueryBoolean):
        return "boolean", (), bool(result), False
    kind = "graph" if isinstance(result, ox.QueryTriples) else "solutions"
    head = tuple(v.value for v in result.variables) if kind == "solutions" else ()
    rows, truncated = [], False
    for i, item in enumerate(result):
        if i >= max_rows:
            truncated = True
            break
        if i % 1000 == 999 and time.monotonic() > deadline:
            raise TimeoutError
        rows.append(tuple(item[n] for n in head) if kind == "solutions" else item)
    return kind, head, rows, truncated


def _negotiate(accept: str, offered: dict, *, default: str):
    """The best (media type, value) of ``offered`` for an Accept header (q-values honoured)."""
    choices = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, i, media))
    for _, _, media in sorted(choices):
        if media in offered:
            return media, offered[media]
        if media in ("*/*", "application/*", "text/*") and (media == "*/*" or default.startswith(media[:-1])):
            return default, offered[default]
    raise _Refused(406, f"cannot answer in {accept}; accept one of {', '.join(offered)}")


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _term_xml(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(term.value)}</literal>"
    if term.datatype.value not in (_XSD_STRING, _RDF_LANG):
        return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_escape(term.value)}</literal>"
    return f"<literal>{xml_escape(term.value)}</literal>"


def _write_solutions(fmt: str, kind: str, head: tuple, rows) -> bytes:
    if kind == "boolean":
        value = "true" if rows else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(rows)}).encode()
        if fmt == "xml":
            return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{value}</boolean></sparql>\n").encode()
        return f"{value}\n".encode()
    if fmt == "json":
        bindings = [{n: _term_json(t) for n, t in zip(head, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": list(head)}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(n)}/>" for n in head]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(n)}>{_term_xml(t)}</binding>" for n, t in zip(head, row) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(head)
        for row in rows:
            w.writerow(["" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value) for t in row])
    else:  # TSV: terms in Turtle/N-Triples syntax
        buf.write("\t".join(f"?{n}" for n in head) + "\n")
        for row in rows:
            buf.write("\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row) + "\n")
    return buf.getvalue().encode("utf-8")


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}
textarea{width:100%;height:14em;font-family:monospace}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>
</head><body>
<h1>kg SPARQL endpoint</h1>
<p>SPARQL 1.1 Protocol at <code>/query</code>. The default graph is the union of all documents' graphs;
the prefixes PREFIXES are predeclared.</p>
<form id="f" method="post" action="/query">
<textarea name="query" id="q">SELECT ?name ?position WHERE {
  ?h a kg:Holding ; kg:person ?p ; kg:name ?position .
  ?p kg:name ?name .
} LIMIT 20</textarea>
<p><label>Result format <select id="fmt" name="format">
<option value="application/sparql-results+json">JSON</option>
<option value="text/csv">CSV</option><option value="text/tab-separated-values">TSV</option>
<option value="application/sparql-results+xml">XML</option>
<option value="text/turtle">Turtle (CONSTRUCT)</option></select></label>
<button type="submit">Run</button></p></form>
<pre id="out"></pre>
<script>
document.getElementById("f").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const out = document.getElementById("out");
  out.textContent = "running...";
  const r = await fetch("/query", {method: "POST",
    headers: {"Content-Type": "application/sparql-query", "Accept": document.getElementById("fmt").value},
    body: document.getElementById("q").value});
  out.textContent = (r.ok ? "" : r.status + " ") + await r.text();
});
</script></body></html>
""".replace("PREFIXES", html.escape(", ".join(sorted(PREFIXES))))
