"""client_ip: the socket's address unless trusted proxies are configured, then
the address the outermost trusted proxy saw; never an invalid address."""

import pytest
from django.test import RequestFactory

from yichuang.lib.audit import client_ip


def request(remote="192.0.2.10", forwarded=None):
    meta = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    req = RequestFactory().get("/", **meta)
    if remote is None:
        del req.META["REMOTE_ADDR"]
    else:
        req.META["REMOTE_ADDR"] = remote
    return req


def test_it_is_none_without_a_request():
    assert client_ip(None) is None


@pytest.mark.parametrize("forwarded", [None, "", "1.2.3.4", "1.2.3.4, 5.6.7.8", "x"])
def test_without_trusted_proxies_it_ignores_the_header(settings, forwarded):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request(forwarded=forwarded)) == "192.0.2.10"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("1.2.3.4, 203.0.113.7", "203.0.113.7"),
        ("1.2.3.4,203.0.113.7", "203.0.113.7"),
        ("  203.0.113.7  ", "203.0.113.7"),
        ("1.1.1.1, 2.2.2.2, 203.0.113.7", "203.0.113.7"),
        (None, "192.0.2.10"),
        ("", "192.0.2.10"),
        ("   ", "192.0.2.10"),
        ("x", "192.0.2.10"),
        ("1.2.3.4, x", "192.0.2.10"),
        ("1.2.3.4, ", "192.0.2.10"),
        ("999.1.1.1", "192.0.2.10"),
        ("01.2.3.4", "192.0.2.10"),
        ("example.org", "192.0.2.10"),
        ("1.2.3.4\x00", "192.0.2.10"),
        ("1.2.3.4; DROP TABLE", "192.0.2.10"),
        ("1" * 5000, "192.0.2.10"),
    ],
)
def test_behind_one_proxy_it_takes_the_rightmost_address(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.1, 203.0.113.7", "198.51.100.1"),
        ("6.6.6.6, 198.51.100.1, 203.0.113.7", "198.51.100.1"),
        ("203.0.113.7", "192.0.2.10"),  # shorter than the proxies: the socket
        ("garbage, 203.0.113.7", "192.0.2.10"),
        (None, "192.0.2.10"),
    ],
)
def test_behind_two_proxies_it_takes_the_second_from_the_right(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:4431", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25eth0]:80", "fe80::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),
        ('"[2001:db8::1]:80"', "2001:db8::1"),
        ("[2001:db8::1", "192.0.2.10"),
        ("[2001:db8::1]x", "192.0.2.10"),
        ("[2001:db8::1]:http", "192.0.2.10"),
        ("203.0.113.7:port", "192.0.2.10"),
        ("2001:db8::g", "192.0.2.10"),
    ],
)
def test_it_parses_ipv6_ports_and_zones(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.parametrize("proxies", [0, 1])
def test_it_validates_the_socket_address_too(settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(request(remote="::1")) == "::1"
    assert client_ip(request(remote="")) is None
    assert client_ip(request(remote="unix:/run/yichuang.sock")) is None
    assert client_ip(request(remote=None)) is None
    assert client_ip(request(remote=None, forwarded="x")) is None


def test_a_trusted_proxys_address_wins_over_a_broken_socket_address(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request(remote="", forwarded="203.0.113.7")) == "203.0.113.7"
