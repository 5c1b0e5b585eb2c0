"""Issue 9 case 6 on real loopback sockets: slow and idle connections are closed, a flood of slow
clients leaves real clients served, and over the in-flight limit the answer is a 503 JSON."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import ExitStack, contextmanager

import httpx
import pytest
import uvicorn

from gridgeo.api import create_app
from gridgeo.api.connections import uvicorn_options
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

# speed and timing measures: run alone, after the parallel part (scripts/run_tests.sh)
pytestmark = pytest.mark.serial

TOKEN = "conn-token"
FAST = {"header_timeout_s": 1.5, "body_timeout_s": 1.5, "keepalive_timeout_s": 1.0}


@contextmanager
def serve(tmp_path, small_grids, **limits):
    """A real uvicorn server with gridgeo's connection guard on a free loopback port."""
    st = open_store(f"sqlite:///{tmp_path / 'c.sqlite'}", seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    settings = Settings(api_token=TOKEN, **{**FAST, **limits})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(st, settings), host="127.0.0.1", port=port,
                                           log_level="error", **uvicorn_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield port, server
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        st.close()


def _open(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    if data:
        sock.sendall(data)
    return sock


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    """What the server sends until it closes the connection (or ``timeout``)."""
    sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except TimeoutError:
        return out + b"<still open>"
    except ConnectionResetError:
        pass
    return out


def _real_client_times(port: int, n: int = 20) -> list[float]:
    """Seconds each of ``n`` fresh-connection GETs of /api/v1/health took (each must be a 200)."""
    took = []
    for _ in range(n):
        t0 = time.monotonic()
        resp = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
        assert resp.status_code == 200, resp.text
        took.append(time.monotonic() - t0)
    return took


def test_300_half_sent_requests_leave_real_clients_served_and_are_closed(tmp_path, small_grids):
    with serve(tmp_path, small_grids) as (port, server), ExitStack() as stack:
        slow = [stack.enter_context(_open(port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-a: ")) for _ in range(300)]
        t0 = time.monotonic()
        took = _real_client_times(port)
        assert max(took) < 3 and time.monotonic() - t0 < 10, took
        answers = [_read_all(s, 6) for s in slow]  # the head timeout (1.5 s) has passed for all
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), {a[:40] for a in answers}
        body = json.loads(answers[0].split(b"\r\n\r\n", 1)[1])
        assert "headers did not arrive" in body["message"]
        time.sleep(0.3)
        assert len(server.server_state.connections) == 0


def test_trickled_headers_are_cut_at_the_head_timeout(tmp_path, small_grids):
    with serve(tmp_path, small_grids) as (port, _server), _open(port) as sock:
        t0 = time.monotonic()
        closed = None
        for byte in b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-slow: " + b"a" * 100:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = time.monotonic() - t0
                break
            time.sleep(0.1)
            sock.setblocking(False)
            try:
                if sock.recv(65536, socket.MSG_PEEK):
                    closed = time.monotonic() - t0
                    break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        assert closed is not None and 1.2 < closed < 4, closed  # not reset by each trickled byte


def test_idle_fresh_and_keepalive_connections_are_closed(tmp_path, small_grids):
    with serve(tmp_path, small_grids) as (port, server):
        idle = [_open(port) for _ in range(50)]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.get("/api/v1/health").status_code == 200
            kept = list(server.server_state.connections)
            t0 = time.monotonic()
            assert [_read_all(s, 5)[:13] for s in idle] == [b"HTTP/1.1 408 "] * 50  # nothing sent: head timeout
            while len(server.server_state.connections) and time.monotonic() - t0 < 5:
                time.sleep(0.05)
            assert not server.server_state.connections, kept  # the keep-alive one went after 1 s
            assert client.get("/api/v1/health").status_code == 200  # httpx reconnects
        for s in idle:
            s.close()


def test_slow_body_is_cut_at_the_body_timeout(tmp_path, small_grids, caplog):
    head = (f"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[")
    with serve(tmp_path, small_grids) as (port, server), _open(port, head.encode()) as sock:
        t0 = time.monotonic()
        rest = _read_all(sock, 8)
        assert b"<still open>" not in rest and time.monotonic() - t0 < 5
        assert not rest.startswith(b"HTTP/1.1 201")
        time.sleep(0.3)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # a cut body is not logged as a bug


def test_oversized_head_is_a_431(tmp_path, small_grids):
    with serve(tmp_path, small_grids, max_header_bytes=4096) as (port, _server):
        with _open(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-big: " + b"a" * 20_000) as sock:
            answer = _read_all(sock, 5)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]


def test_over_max_connections_the_longest_waiting_is_closed(tmp_path, small_grids):
    with serve(tmp_path, small_grids, max_connections=40, header_timeout_s=30) as (port, server), \
            ExitStack() as stack:
        idle = [stack.enter_context(_open(port)) for _ in range(100)]
        took = _real_client_times(port, 5)
        assert max(took) < 3
        time.sleep(0.3)
        assert len(server.server_state.connections) <= 41
        assert _read_all(idle[0], 2) == b""  # the oldest were closed (no answer: no request)
        assert _read_all(idle[-1], 0.5) == b"<still open>"


def test_over_the_inflight_limit_is_a_503_json_with_retry_after(tmp_path, small_grids):
    head = (f"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n")
    with serve(tmp_path, small_grids, max_inflight=2, body_timeout_s=20) as (port, _server), ExitStack() as stack:
        for _ in range(2):  # two requests in progress: their bodies are still awaited
            stack.enter_context(_open(port, head.encode()))
        time.sleep(0.3)
        resp = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
        assert resp.status_code == 503 and resp.headers["retry-after"] == "1"
        assert "too many requests" in resp.json()["message"]
