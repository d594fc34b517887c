"""Where a delivery may go: the destination's host resolved once, every address it resolves to public."""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app


class Refused(Exception):
    """The destination may not be called now (its name does not resolve): the delivery is retried."""


class Forbidden(Refused):
    """The destination is an address the platform never calls: the delivery fails at once."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def private_allowed() -> bool:
    allowed = current_app.config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")
    return current_app.config["ENV"] == "local" if allowed is None else bool(allowed)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is on the public internet, an IPv4 address carried inside an IPv6 one (mapped,
    6to4, NAT64) included: ``::ffff:127.0.0.1`` and ``64:ff9b::a9fe:a9fe`` are internal too."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not inner.is_global:
            return False
    return address.is_global


def names_a_private_host(url: str) -> bool:
    """Whether the address visibly names a non-public host (an IP literal or ``localhost``), refused when
    the subscription is saved; a name is checked each time a delivery resolves it."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:
        return False


def checked_address(url: str) -> str:
    """Resolve the host of ``url`` once and return the address to connect to: the first one, after every
    one was found public. Refuses private, loopback and link-local addresses (the cluster's own services,
    the cloud's metadata endpoint) unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` allows them (local runs and
    tests). The caller connects to this very address: resolving again when connecting would let a host
    that answered a public address here answer 127.0.0.1 there (DNS rebinding)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        raise Refused(f"cannot resolve {host}: {error}") from None
    if not addresses:
        raise Refused(f"cannot resolve {host}: no address")
    checked = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
    if not private_allowed():
        for address in checked:
            if not is_public(address):
                raise Forbidden(
                    f"{host} resolves to a non-public address ({address}); webhooks are only sent to "
                    "public addresses"
                )
    return str(checked[0])
