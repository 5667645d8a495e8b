"""Where a webhook may be sent: department systems on the network, never the server itself or the addresses of
cloud metadata and other link-local, multicast or reserved services (an administrator's URL, or a name that
resolves to such an address, would otherwise make the scheduler send requests inward: SSRF). Loopback is allowed
only where the configuration says so (tests and a developer's machine post to a receiver on 127.0.0.1)."""
import ipaddress
import socket

from flask import current_app


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not current_app.config.get("WEBHOOK_ALLOW_LOOPBACK", False)
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved


def refused_literal(host: str) -> bool:
    """Whether `host`, if it is an IP address or "localhost", names an address webhooks may not go to."""
    if host.lower().rstrip(".") == "localhost":
        return _refused(ipaddress.ip_address("127.0.0.1"))
    try:
        return _refused(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return False  # a name: checked when it is resolved, at each delivery


def resolve_allowed(host: str, port: int) -> str | None:
    """The address to connect to for `host`, resolved once; None if any address it resolves to is refused. The
    delivery connects to this very address (webhooks.py), so a name that resolves elsewhere a moment later (DNS
    rebinding) cannot turn the checked request inward."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    addresses = [info[4][0] for info in infos]
    if not addresses or any(_refused(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        return None
    return addresses[0]
