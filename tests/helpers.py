"""Shared by tests/engine and tests/gui: `from tests.helpers import ...` (pytest's
--import-mode=importlib makes `tests` a namespace package). Qt-free: engine tests use it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"  # the committed bad-input corpus
DOCS = DATA / "docs.txt"


def load_tool(name: str):
    """A script in tools/ as a module, e.g. load_tool("make_bad_inputs") (tools/ is not a
    package; its scripts also run on their own)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_cli(capsys, *argv):
    """(exit code, stdout, stderr) of `microgpt *argv` (engine.cli.main), in this process."""
    from engine import cli

    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


# --- a throwaway HTTP server on 127.0.0.1 (tests never touch the internet) ----------------

NO_PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY")


def _handler():
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        """Serves server.routes[path] = (status, body, content_length or None)."""

        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.server.hits.append(self.path)
            status, body, length = self.server.routes.get(self.path,
                                                          (404, b"not found", None))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output quiet
            pass

    return Handler


def local_server(routes: dict):
    """Start a server on a free loopback port; .base is its URL, .routes and .hits can be
    read and changed, .stop() ends it. Unset the proxy variables first (NO_PROXY_VARS):
    a proxy must not see loopback requests."""
    import threading
    from http.server import ThreadingHTTPServer

    srv = ThreadingHTTPServer(("127.0.0.1", 0), _handler())
    srv.routes = dict(routes)
    srv.hits = []
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()

    def stop():
        srv.shutdown()
        srv.server_close()

    srv.stop = stop
    return srv


def through_a_pipe(tmp_path, write) -> tuple[Path, bytes | None]:
    """write(path) onto a named pipe in tmp_path while a thread reads it: (the pipe's
    path, what came through, or None). A pipe stands in for /dev/null and other special
    files, which a test must never touch. POSIX only (os.mkfifo)."""
    import os
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got = []

    def read_all():
        with open(pipe, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    write(pipe)
    reader.join(10)
    return pipe, (got[0] if got else None)
