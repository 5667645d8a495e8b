"""Where a webhook may be sent: department systems on the network, never the server itself or the addresses of
cloud metadata and other link-local, multicast or reserved services (an administrator's URL, or a name that
resolves to such an address, would otherwise make the scheduler send requests inward: SSRF). Loopback is allowed
only where the configuration says so (tests and a developer's machine post to a receiver on 127.0.0.1)."""
import ipaddress
import socket

from flask import current_app

# Besides link-local (169.254.169.254 and fe80::/10), where cloud platforms answer metadata requests: Alibaba Cloud's
# 100.100.100.200 lies in the shared address space 100.64.0.0/10, AWS's IPv6 endpoint is fd00:ec2::254, and
# 192.0.0.0/24 and the 6to4 and NAT64 prefixes can wrap any IPv4 address, those above included. Department systems
# sit on the intranet's private (RFC 1918) addresses, which stay allowed.
_NEVER = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10", "192.0.0.0/24", "fd00:ec2::254/128", "2002::/16", "64:ff9b::/96", "64:ff9b:1::/48"))


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not current_app.config.get("WEBHOOK_ALLOW_LOOPBACK", False)
    return (ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved
            or any(ip.version == net.version and ip in net for net in _NEVER))


def refused_literal(host: str) -> bool:
    """Whether `host`, if it is an IP address or "localhost", names an address webhooks may not go to."""
    if host.lower().rstrip(".") == "localhost":
        return _refused(ipaddress.ip_address("127.0.0.1"))
    try:
        return _refused(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    try:
        # The forms the system's resolver reads as an IPv4 address too: 127.1, 2130706433, 0x7f000001, 017700000001.
        return _refused(ipaddress.IPv4Address(socket.inet_aton(host)))
    except (OSError, ValueError):
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
