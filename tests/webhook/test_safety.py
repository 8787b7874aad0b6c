"""Webhook target checks: URL validation, address rules and the guarded transport.

No test here connects to a non-loopback address: rejected targets are checked
with the connect tripwire armed, which blocks any connect before it happens.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from numrep.webhook.safety import (
    UnsafeTargetError,
    address_problem,
    resolve_target,
    validate_webhook_url,
)
from numrep.webhook.sender import Sender
from numrep.webhook.transport import GuardedTransport
from tests.webhook.helpers import (
    ConnectTripwire,
    Receiver,
    Reply,
    StaticResolver,
    make_certificates,
)

# Each host points at loopback, a private network, link-local metadata, or a
# tunnel range that carries 127.0.0.1; the reason must appear in the error.
REJECTED_HOSTS = [
    ("127.1", "loopback"),
    ("2130706433", "loopback"),
    ("0x7f000001", "loopback"),
    ("[::ffff:127.0.0.1]", "IPv4-mapped"),
    ("[::1]", "loopback"),
    ("10.0.0.1", "private"),
    ("169.254.169.254", "link-local"),
    ("[64:ff9b::7f00:1]", "NAT64"),
    ("[2002:7f00:1::]", "6to4"),
    ("internal.example.test", "private"),
    ("loopback.example.test", "loopback"),
    ("metadata.example.test", "link-local"),
]

TEST_NAMES = {
    "internal.example.test": ["10.20.30.40"],
    "loopback.example.test": ["127.0.0.1"],
    "metadata.example.test": ["169.254.169.254"],
    "mixed.example.test": ["8.8.8.8", "192.168.1.10"],
    "receiver.example.test": ["127.0.0.1"],
    "other.example.test": ["127.0.0.1"],
}


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/telnyx",
        "https://hooks.example.com:8443/a/b?token=x#frag",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://bücher.example/hook",
    ],
)
def test_validate_accepts_public_https(url: str) -> None:
    assert validate_webhook_url(url, allow_private=False) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "must use https"),
        ("ftp://hooks.example.com/x", "must use https"),
        ("/relative/path", "not absolute"),
        ("hooks.example.com/x", "not absolute"),
        ("https://user:secret@hooks.example.com/", "user name or password"),
        ("https://token@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/a b", "whitespace"),
        ("https://hooks.example.com/\x00", "control characters"),
        ("https://hooks.example.com/" + "a" * 2030, "maximum is 2048"),
        ("https://0177.0.0.1/", "not a valid URL"),
        ("https://localhost/hook", "localhost"),
        ("https://api.localhost/hook", "localhost"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://100.64.0.1/hook", "not a globally routable"),
        ("https://[2001::1]/hook", "Teredo"),
        ("https://[fe80::1]/hook", "link-local"),
    ]
    + [(f"https://{host}/hook", reason) for host, reason in REJECTED_HOSTS[:9]],
)
def test_validate_rejects_url(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_webhook_url(url, allow_private=False)


def test_validate_allows_http_and_loopback_when_private_allowed() -> None:
    url = "http://127.0.0.1:8080/hook"
    assert validate_webhook_url(url, allow_private=True) == url
    with pytest.raises(ValueError, match="https or http"):
        validate_webhook_url("ftp://127.0.0.1/", allow_private=True)
    with pytest.raises(ValueError, match="user name"):
        validate_webhook_url("http://a:b@127.0.0.1/", allow_private=True)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a globally routable"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, a loopback"),
        ("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1, a private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::7f00:1", "NAT64"),
        ("64:ff9b::808:808", "NAT64"),
        ("64:ff9b:1::a00:1", "NAT64"),
        ("2002:7f00:1::", "6to4"),
        ("2002:808:808::", "6to4"),
        ("2001::1", "Teredo"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("::7f00:1", "reserved"),
        ("fec0::1", "site-local"),
    ],
)
def test_address_problem_names_kind(address: str, kind: str) -> None:
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None
    assert kind in problem


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_address_problem_accepts_public(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_resolve_target_rejects_any_private() -> None:
    resolver = StaticResolver(TEST_NAMES)
    with pytest.raises(UnsafeTargetError, match=r"192\.168\.1\.10 is a private"):
        resolve_target(
            "mixed.example.test", 443, resolver=resolver, allow_private=False
        )
    assert resolver.calls == ["mixed.example.test"]


def test_resolve_target_returns_answers_when_private_allowed() -> None:
    resolver = StaticResolver(TEST_NAMES)
    addresses = resolve_target(
        "mixed.example.test", 443, resolver=resolver, allow_private=True
    )
    assert [str(address) for address in addresses] == ["8.8.8.8", "192.168.1.10"]


def test_resolve_target_reads_legacy_ipv4_spellings() -> None:
    resolver = StaticResolver()
    for host in ("127.1", "2130706433", "0x7f000001"):
        with pytest.raises(UnsafeTargetError, match=r"127\.0\.0\.1 is a loopback"):
            resolve_target(host, 443, resolver=resolver, allow_private=False)


@pytest.mark.parametrize(("host", "reason"), REJECTED_HOSTS)
def test_sender_rejects_before_connecting(
    host: str,
    reason: str,
    receiver: Receiver,
    connect_tripwire: ConnectTripwire,
) -> None:
    resolver = StaticResolver(TEST_NAMES)
    sender = Sender(allow_private=False, resolver=resolver)
    url = f"https://{host}:{receiver.port}/hook"
    try:
        with connect_tripwire:
            result = sender.send(url, b"{}", {})
    finally:
        sender.close()
    assert connect_tripwire.blocked == []
    assert receiver.connections == 0
    assert receiver.requests == []
    assert not result.delivered
    assert result.status_code is None
    assert result.error is not None
    assert result.error.startswith("rejected target")
    assert reason in result.error


@pytest.mark.parametrize(("host", "reason"), REJECTED_HOSTS)
def test_transport_rejects_before_connecting(
    host: str,
    reason: str,
    receiver: Receiver,
    connect_tripwire: ConnectTripwire,
) -> None:
    # The transport alone, without the URL check the sender runs first.
    transport = GuardedTransport(
        resolver=StaticResolver(TEST_NAMES), allow_private=False
    )
    with httpx.Client(transport=transport, trust_env=False) as client, connect_tripwire:
        for scheme in ("http", "https"):
            url = f"{scheme}://{host}:{receiver.port}/hook"
            with pytest.raises(UnsafeTargetError, match=reason):
                client.post(url, content=b"{}")
    assert connect_tripwire.blocked == []
    assert receiver.connections == 0


def test_transport_dials_checked_address_keeping_host(receiver: Receiver) -> None:
    resolver = StaticResolver(TEST_NAMES)
    transport = GuardedTransport(resolver=resolver, allow_private=True)
    with httpx.Client(transport=transport, trust_env=False) as client:
        url = f"http://receiver.example.test:{receiver.port}/hook"
        response = client.post(url, content=b"{}")
    assert response.status_code == 200
    assert resolver.calls == ["receiver.example.test"]
    assert receiver.requests[0].headers["host"] == (
        f"receiver.example.test:{receiver.port}"
    )


def test_transport_checks_tls_on_name(
    make_receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    certificates = make_certificates("receiver.example.test", tmp_path)
    receiver = make_receiver(tls=certificates.server_context)
    sender = Sender(
        allow_private=True,
        resolver=StaticResolver(TEST_NAMES),
        verify=certificates.client_context,
    )
    try:
        good = sender.send(f"https://receiver.example.test:{receiver.port}/", b"{}", {})
        wrong = sender.send(f"https://other.example.test:{receiver.port}/", b"{}", {})
    finally:
        sender.close()
    assert good.delivered
    assert good.status_code == 200
    assert "receiver.example.test" in receiver.server_names
    assert receiver.requests[0].headers["host"] == (
        f"receiver.example.test:{receiver.port}"
    )
    assert not wrong.delivered
    assert wrong.error is not None
    assert "certificate" in wrong.error.lower()
    assert len(receiver.requests) == 1


def test_sender_does_not_follow_redirect(
    make_receiver: Callable[..., Receiver],
) -> None:
    target = make_receiver()
    redirecting = make_receiver(
        Reply(status=307, headers={"location": target.url("/moved")})
    )
    sender = Sender(allow_private=True)
    try:
        result = sender.send(redirecting.url(), b"{}", {})
    finally:
        sender.close()
    assert not result.delivered
    assert result.status_code == 307
    assert result.error is not None
    assert "not followed" in result.error
    assert target.connections == 0


def test_sender_ignores_proxy_variables(
    make_receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = make_receiver()
    proxy = make_receiver()
    monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
    monkeypatch.setenv("ALL_PROXY", proxy.url(""))
    sender = Sender(allow_private=True)
    try:
        result = sender.send(receiver.url(), b"{}", {})
    finally:
        sender.close()
    assert result.delivered
    assert proxy.connections == 0
    assert len(receiver.requests) == 1


def test_sender_times_out(make_receiver: Callable[..., Receiver]) -> None:
    receiver = make_receiver(Reply(delay=2.0))
    sender = Sender(allow_private=True, timeout=0.3)
    try:
        result = sender.send(receiver.url(), b"{}", {})
    finally:
        sender.close()
    assert not result.delivered
    assert result.status_code is None
    assert result.error is not None
    assert "timed out after 0.3 s" in result.error


def test_sender_counts_only_2xx(make_receiver: Callable[..., Receiver]) -> None:
    receiver = make_receiver(
        Reply(status=204, body=b""),
        Reply(status=299),
        Reply(status=300),
        Reply(status=404),
        Reply(status=500),
    )
    sender = Sender(allow_private=True)
    try:
        results = [sender.send(receiver.url(), b"{}", {}) for _ in range(5)]
    finally:
        sender.close()
    assert [result.delivered for result in results] == [True, True, False, False, False]
    assert [result.status_code for result in results] == [204, 299, 300, 404, 500]
