"""`yichuang serve` as devices meet it: a real server process, real sockets.
Kiosks, consoles and displays are browsers that keep their connections open;
the default server keeps them alive between requests and reads request bodies
correctly on a reused connection."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path, request):
    """A server on an empty SQLite database of its own (nothing here needs tables)."""
    port = _free_port()
    env = {
        **os.environ,
        "YICHUANG_VAR": str(tmp_path),
        "YICHUANG_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "YICHUANG_DEBUG": "0",
        "YICHUANG_ALLOWED_HOSTS": "127.0.0.1",
    }
    cmd = [str(BIN / "yichuang"), "serve", "--port", str(port), "--workers", "1"]
    cmd += ["--server", request.param]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _get(conn: http.client.HTTPConnection, path: str, **headers) -> http.client.HTTPResponse:
    conn.request("GET", path, headers=headers)
    return conn.getresponse()


def _post_form(conn, path: str, data: dict, **headers) -> http.client.HTTPResponse:
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request("POST", path, body=urllib.parse.urlencode(data), headers=headers)
    return conn.getresponse()


@pytest.mark.parametrize("server", ["granian"], indirect=True)
def test_it_keeps_a_device_connection_alive_across_requests(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    first = _get(conn, "/healthz")
    assert first.status == 200
    assert json.loads(first.read()) == {"ok": True}
    sock = conn.sock
    assert sock is not None  # the server did not close it

    # a POST whose body the app never reads (refused for want of a CSRF
    # cookie): the next request on the socket must still parse
    refused = _post_form(conn, "/i18n/setlang/", {"language": "en", "pad": "x" * 5000})
    assert refused.status == 403
    refused.read()
    assert conn.sock is sock

    # the sign-in page sets the CSRF cookie; a form POST on the same socket
    # is read whole (its token is in the body) and switches the language
    page = _get(conn, "/login/")
    html = page.read().decode()
    assert page.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
    assert cookie.startswith("csrftoken=")
    switched = _post_form(
        conn,
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token.group(1), "language": "en", "next": "/healthz"},
        Cookie=cookie,
        Referer=f"http://127.0.0.1:{server}/login/",
    )
    switched.read()
    assert switched.status == 302
    assert switched.getheader("Location") == "/healthz"
    assert "django_language=en" in (switched.getheader("Set-Cookie") or "")
    assert conn.sock is sock
    conn.close()


@pytest.mark.parametrize("server", ["gunicorn"], indirect=True)
def test_the_fallback_server_answers_and_closes_each_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    conn.request("GET", "/healthz")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Connection", "").lower() == "close"
    assert json.loads(resp.read()) == {"ok": True}
    conn.close()


def test_a_worker_starts_with_its_code_loaded_and_frozen(tmp_path):
    """Loading the WSGI app imports every view and leaves the loaded code out of
    the garbage collector's full collections (they paused a worker 80-105 ms)."""
    env = {
        **os.environ,
        "YICHUANG_VAR": str(tmp_path),
        "YICHUANG_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}",
        "YICHUANG_DEBUG": "0",
    }
    code = (
        "import gc, sys\n"
        "from yichuang.wsgi import application\n"
        "print(gc.get_freeze_count(), 'yichuang.queueing.api' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 100_000
    assert out[1] == "True"
