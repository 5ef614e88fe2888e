"""Webhook URLs may only reach global addresses (no SSRF into our own network)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in a mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network(
        "64:ff9b:1::/48"
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(value: str) -> bool:
    address = ipaddress.ip_address(value.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return address.is_global and not address.is_multicast


def url_parts(url: str):
    """The URL split, or ValueError saying why it is no http(s) URL we may call."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be a URL of at most {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https URL")
    if parts.username or parts.password:
        raise ValueError("must not contain a user name or password")
    return parts


def resolved_addresses(host: str, port: int, allow_private: bool, setting: str) -> list[str]:
    """`host`'s addresses, resolved once; ValueError if it does not resolve or (unless
    `allow_private`) any address is not global – the message names `setting` to allow it."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValueError(f"host {host} does not resolve") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise ValueError(
                    f"resolves to {address}, which is not a public address "
                    f"(set {setting}=1 to allow private networks)"
                )
    return addresses


def check_webhook_url(url: str, allow_private: bool = False) -> list[str]:
    """Resolve the URL's host and return its addresses; ValueError if any is not global."""
    parts = url_parts(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError("has an invalid port") from None
    return resolved_addresses(parts.hostname, port, allow_private, "WEBHOOKS_ALLOW_PRIVATE")
