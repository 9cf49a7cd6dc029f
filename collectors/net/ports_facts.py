"""Facts shape and key of ``net.ports``, the open ports of a host or network seen from outside.

The collector (:mod:`collectors.net.ports`) reports what nmap was told to
scan and how (TCP, and a short UDP list when run as root), each host's
port-state counts and, per open port, the service, product, version, CPEs
and TLS tunnel that version detection found, and the web servers among them. The
shapes live apart from the collector so that the checks import them without
loading the nmap XML parsing and the probe code on every assessment.
"""

from __future__ import annotations

from typing import Dict, List, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey


class OpenPortFacts(TypedDict):
    """One open port and what nmap's version detection says listens on it ("" when unknown)."""

    port: int
    proto: str  # tcp, udp, sctp
    service: str  # nmap service name, e.g. "http"
    product: str
    version: str
    extrainfo: str
    cpes: List[str]
    tunnel: str  # "ssl" for a TLS-wrapped service, else ""
    confidence: Optional[int]


class ScannedHostFacts(TypedDict):
    address: str
    hostnames: List[str]
    state: str  # nmap host state: up, down, unknown
    state_counts: Dict[str, int]  # port state -> count, collapsed ports included
    open_ports: List[OpenPortFacts]


class _UdpScanBase(TypedDict):
    scanned: bool
    ports: str  # the UDP -p list scanned ("" when none)


class UdpScanFacts(_UdpScanBase, total=False):
    """The bounded UDP scan: which ports, or why there was none; ports that never answered."""

    reason: str  # why UDP was not scanned
    no_reply: List[str]  # "address:port" in state open|filtered: nothing answered nmap's probes


class WebEndpointFacts(TypedDict):
    """An open port nmap identified as a web server: the URL the web and TLS probes are run against."""

    url: str
    address: str
    port: int
    scheme: str  # http or https (a TLS tunnel or an https service name)


class PortsFacts(CollectedFacts):
    scanner: str
    nmap_version: str
    scan_type: str
    privileged: bool
    arguments: List[str]
    ports: str  # the -p list scanned
    default_ports: bool
    scanned: str  # what nmap was told to scan
    hosts: List[ScannedHostFacts]
    hosts_up: int
    hosts_total: int
    timed_out_hosts: List[str]  # hosts nmap gave up on (network targets only)
    open_ports: int  # open ports on all hosts
    udp: UdpScanFacts
    web_endpoints: List[WebEndpointFacts]  # assessed as URL targets of their own (collectors.net.registry)
    nmap_messages: List[str]
    elapsed_ms: int
    left_to_probes: Dict[str, str]  # port -> the read-only probe that identifies it instead of nmap


PORTS = FactsKey[PortsFacts]("net.ports", PortsFacts)
