"""The declared scope of a network assessment, validated strictly.

A target string never reaches a tool as anything but a validated address,
network, host name or URL: nothing that starts with ``-`` or holds spaces,
shell or option syntax gets through, so it cannot become an nmap option.
Publicly routable addresses need an explicit opt-in, and probes check every
address they connect to against the scope (redirects included).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_ALLOWED_CHARS = re.compile(r"^[A-Za-z0-9.:/\[\]_%-]+$")
MAX_IPV4_PREFIX = 22  # at most 1,024 addresses per network target
MAX_IPV6_PREFIX = 118


class ScopeError(ValueError):
    """A target is malformed, unsafe, or outside what the user allowed."""


@dataclass(frozen=True)
class Target:
    """One validated scope entry."""

    kind: str  # "host" (address or name), "network" (CIDR) or "url"
    text: str  # normalised form, safe to pass to tools
    host: str  # address or host name (no brackets)
    addresses: Tuple[str, ...]  # resolved addresses (one network string for kind network)
    port: Optional[int] = None
    scheme: Optional[str] = None
    found_by: Optional[str] = None  # None: declared; else the target whose port scan found it (a web server)

    @property
    def endpoint(self) -> str:
        if self.kind == "url":
            return self.text
        return self.host


def _is_hostname(name: str) -> bool:
    if len(name) > 253 or name.endswith("."):
        name = name[:-1] if name.endswith(".") else name
        if len(name) > 253:
            return False
    labels = name.split(".")
    return bool(labels) and all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def _resolve(name: str) -> Tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise ScopeError(f"{name}: cannot resolve host name ({exc.strerror})") from None
    return tuple(sorted({str(info[4][0]).split("%")[0] for info in infos}))


def _check_public(text: str, addresses: Iterable[IPAddress], allow_public: bool) -> None:
    public = [str(a) for a in addresses if a.is_global]
    if public and not allow_public:
        raise ScopeError(
            f"{text}: {', '.join(public)} is a public address; pass --allow-public to assess internet-facing "
            "systems you are authorised to test"
        )


def parse_target(raw: str, *, allow_public: bool = False, resolve: bool = True) -> Target:
    """Validate one target: IP, CIDR, host name, or http(s) URL."""
    text = raw.strip()
    if not text:
        raise ScopeError("empty target")
    if text.startswith("-"):
        raise ScopeError(f"{text!r}: a target cannot start with '-' (it would be read as an option)")
    if not _ALLOWED_CHARS.match(text):
        raise ScopeError(
            f"{text!r}: targets are an address, a network (CIDR), a host name or an http(s) URL; no spaces or options"
        )
    if "://" in text:
        return _parse_url(text, allow_public, resolve)
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ScopeError(f"{text!r}: not a valid network in CIDR form") from None
        limit = MAX_IPV4_PREFIX if net.version == 4 else MAX_IPV6_PREFIX
        if net.prefixlen < limit:
            raise ScopeError(f"{text}: networks larger than /{limit} are refused; split the scope into smaller ranges")
        _check_public(text, (net.network_address, net.broadcast_address), allow_public)
        return Target("network", str(net), str(net), (str(net),))
    host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        _check_public(text, (ip,), allow_public)
        return Target("host", str(ip), str(ip), (str(ip),))
    if not _is_hostname(host):
        raise ScopeError(f"{text!r}: not a valid address or host name")
    addresses = _resolve(host) if resolve else ()
    _check_public(text, (ipaddress.ip_address(a) for a in addresses), allow_public)
    return Target("host", host.lower(), host.lower(), addresses)


def _parse_url(text: str, allow_public: bool, resolve: bool) -> Target:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ScopeError(f"{text!r}: only http and https URLs can be assessed")
    if parts.username or parts.password:
        raise ScopeError(f"{text!r}: credentials in URLs are refused")
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ScopeError(f"{text!r}: invalid port") from None
    inner = parse_target(host if ":" not in host else f"[{host}]", allow_public=allow_public, resolve=resolve)
    netloc = f"[{inner.host}]" if ":" in inner.host else inner.host
    if port is not None:
        netloc += f":{port}"
    path = parts.path or "/"
    normalised = f"{parts.scheme}://{netloc}{path}"
    default_port = 443 if parts.scheme == "https" else 80
    return Target("url", normalised, inner.host, inner.addresses, port or default_port, parts.scheme)


@dataclass
class Scope:
    """Everything the user allowed to be probed, and the targets to probe.

    ``targets`` starts as the declared targets. A web server that a port scan finds on a declared
    host joins it (:meth:`add_discovered`) as a URL target of its own: it is inside what was allowed,
    its evidence is about a target of the scope, and the report's scope lists it.
    """

    targets: Tuple[Target, ...]
    allow_public: bool = False

    @property
    def declared(self) -> Tuple[Target, ...]:
        return tuple(t for t in self.targets if t.found_by is None)

    def add_discovered(self, target: Target) -> None:
        """Add an endpoint found inside the scope; anything the scope does not allow is refused."""
        if target.found_by is None:
            raise ValueError(f"{target.text}: a discovered target names the target whose scan found it")
        outside = [a for a in (target.addresses or (target.host,)) if not self.allows(a)]
        if outside:
            raise ScopeError(f"{target.text}: {', '.join(outside)} is outside the declared scope")
        if all(t.endpoint != target.endpoint for t in self.targets):
            self.targets = (*self.targets, target)

    def approved(self, host: str) -> Tuple[str, ...]:
        """The addresses a connection to ``host`` may go to, IPv4 first; () when the scope approves none.

        An address stands for itself when the scope allows it. A name gets the addresses it resolved
        to when the scope was read, and nothing else: probes connect to these, never to the name,
        so a resolver that answers differently later (DNS rebinding) cannot move a probe.
        """
        text = host.strip("[]")
        try:
            ip: Optional[IPAddress] = ipaddress.ip_address(text)
        except ValueError:
            ip = None
        if ip is not None:
            return (str(ip),) if self.allows(str(ip)) else ()
        found: List[str] = []
        for t in self.targets:
            if t.kind != "network" and t.host == text.lower():
                found += [a for a in t.addresses if a not in found and self.allows(a)]
        return tuple(sorted(found, key=lambda a: ipaddress.ip_address(a).version))

    def allows(self, host: str) -> bool:
        """Whether connecting to ``host`` (name or address) stays inside the scope."""
        try:
            ip: Optional[IPAddress] = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            ip = None
        for t in self.targets:
            if ip is None:
                if host.lower() == t.host:
                    return True
                continue
            if t.kind == "network" and ip in ipaddress.ip_network(t.text):
                return True
            if str(ip) in t.addresses or str(ip) == t.host:
                return True
        return False


def parse_scope(raw_targets: Sequence[str], *, allow_public: bool = False, source: str = "--target") -> Scope:
    """Validate every target; the first bad one is an error naming where it came from."""
    targets: List[Target] = []
    for i, raw in enumerate(raw_targets, 1):
        try:
            targets.append(parse_target(raw, allow_public=allow_public))
        except ScopeError as exc:
            raise ScopeError(f"{source} #{i}: {exc}") from None
    return Scope(tuple(targets), allow_public)


def read_scope_file(text: str, path: str) -> List[Tuple[int, str]]:
    """Targets from a scope file: one per line, ``#`` comments, blank lines ignored."""
    out: List[Tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append((number, line))
    if not out:
        raise ScopeError(f"{path}: no targets in the scope file")
    return out
