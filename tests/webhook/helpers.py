"""Local webhook receivers, a test resolver and a connection tripwire."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as received; header names are lower case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closes the socket before the reply is written.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def get_request(self) -> tuple[Any, Any]:
        connection = super().get_request()
        with self.receiver.lock:
            self.receiver.connections += 1
        return connection


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        receiver = self.server.receiver
        reply = receiver.record(
            ReceivedRequest(
                self.command,
                self.path,
                {name.lower(): value for name, value in self.headers.items()},
                body,
                time.time(),
            )
        )
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


class Receiver:
    """A threaded HTTP(S) server on 127.0.0.1 that records what reaches it.

    ``replies`` are used in order, one per request; after the last one, every
    request gets ``default``. ``connections`` counts accepted TCP connections,
    so a guard that connected without sending a request would still show.
    """

    def __init__(
        self,
        replies: Sequence[Reply] = (),
        *,
        default: Reply | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.lock = threading.Lock()
        self.requests: list[ReceivedRequest] = []
        self.connections = 0
        self.server_names: list[str | None] = []
        self._replies = list(replies)
        self._default = default or Reply()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        if tls is not None:
            tls.sni_callback = self._record_server_name
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def _record_server_name(
        self, _socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext
    ) -> None:
        with self.lock:
            self.server_names.append(name)

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def record(self, request: ReceivedRequest) -> Reply:
        with self.lock:
            self.requests.append(request)
            return self._replies.pop(0) if self._replies else self._default

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedRequest]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.02)
        with self.lock:
            raise AssertionError(
                f"receiver got {len(self.requests)} requests in {timeout} s; "
                f"expected {count}"
            )

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class StaticResolver:
    """Resolves test names from a table and IP literals locally, never via DNS.

    IP literals, including spellings such as ``127.1`` and ``0x7f000001``, go to
    ``getaddrinfo`` with ``AI_NUMERICHOST``, which parses them like a real
    connection would and fails instead of querying DNS for anything else.
    """

    def __init__(self, names: dict[str, list[str]] | None = None) -> None:
        self.names = names or {}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host in self.names:
            return list(self.names[host])
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
        )
        return [str(info[4][0]) for info in infos]


class ConnectTripwire:
    """Records and blocks every socket connect while armed.

    It is a Python audit hook, so it receives the connect events of every
    thread and raises before the connect system call. Nothing leaves the
    process while it is armed.
    """

    def __init__(self) -> None:
        self.armed = False
        self.blocked: list[Any] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect" and self.armed:
            self.blocked.append(args[1])
            raise ConnectionRefusedError(f"tripwire blocked a connect to {args[1]}")

    def __enter__(self) -> ConnectTripwire:
        self.blocked.clear()
        self.armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.armed = False


_tripwire: ConnectTripwire | None = None


def tripwire() -> ConnectTripwire:
    """Return the process's one tripwire; audit hooks cannot be removed."""
    global _tripwire
    if _tripwire is None:
        _tripwire = ConnectTripwire()
    return _tripwire


@dataclass(frozen=True)
class Certificates:
    """A throwaway CA and a server certificate for one host name."""

    server_context: ssl.SSLContext
    client_context: ssl.SSLContext


def make_certificates(host: str, folder: Path) -> Certificates:
    """Issue a CA and a certificate for ``host``; the client trusts only the CA."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "numrep test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    cert_path = folder / "server.pem"
    key_path = folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    client_context = ssl.create_default_context(
        cadata=ca_cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    )
    return Certificates(server_context, client_context)


def wait_until(
    condition: Callable[[], bool], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout} s")
