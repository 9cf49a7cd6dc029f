"""Open ports and the services behind them, seen from outside, with nmap.

Runs one nmap scan per host or network target through python-nmap (imported
lazily: it is only needed when a scan really happens). The command line is
built from constants, the validated target and the validated port list only,
so nothing a user typed can become an nmap option. Root gets a SYN scan;
everyone else a connect scan (nmap refuses -sS without raw sockets).

UDP: the exposure checks name UDP services (TFTP 69, NetBIOS 137/138), so a
run as root with the default port set also UDP-scans that short, fixed list
(``UDP_PORTS``; the probe option ``udp_ports`` replaces it). Without root, or
with an explicit TCP port list, the facts say UDP was not scanned and why,
and the checks say so instead of claiming it.

Open ports that version detection calls a web server (``http``, ``https``,
``http-proxy`` ... or anything in a TLS tunnel named http) are listed as
``web_endpoints``; the network runner assesses each as a URL of its own.
Version detection runs at a low intensity: it is what identifies services on
unusual ports and end-of-life software, and the low intensity keeps silent
ports from stalling the scan.

The facts shape and the key ``PORTS`` live in :mod:`collectors.net.ports_facts`,
which the checks import without this module.
"""

from __future__ import annotations

import ipaddress
import time
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

from collectors.evidence import CollectError, ErrorReason
from collectors.net.ports_facts import PORTS, OpenPortFacts, PortsFacts, ScannedHostFacts, UdpScanFacts, WebEndpointFacts
from collectors.net.registry import NetContext, NetProbe, net_collector, parse_ports
from collectors.net.scope import Target
from collectors.profile import Profile

# Common services plus everything the exposure checks judge (databases, remote
# desktop, file sharing, container and cluster APIs, search engines, caches).
DEFAULT_PORTS = (
    "21,22,23,25,53,69,80,110,111,135,139,143,161,389,443,445,465,512-514,587,636,873,993,995,"
    "1433,1521,2049,2375,2376,2379,3000,3306,3389,5000,5432,5601,5900-5910,5984,5985,5986,6379,6443,"
    "8000,8080,8081,8443,8888,9000,9090,9200,9300,10000,10250,11211,15672,27017"
)
# UDP services the exposure checks name (checks/portlists.py): TFTP, NetBIOS name and datagram services.
UDP_PORTS = "69,137,138"
UDP_OPTION = "udp_ports"  # NetContext.options key: the UDP -p list instead of UDP_PORTS ("" for none)
HOST_TIMEOUT_S = 120  # nmap gives up on one host after this (less when the collector's time budget is shorter)
NETWORK_TIMEOUT_S = 1800  # python-nmap kills a whole network scan after this (idem)
NMAP_EXIT_S = 5.0  # what nmap is left after its host timeout to write its XML, before it is killed
VERSION_INTENSITY = 2  # 0-9; higher sends rarer probes and waits on silent ports for each
# Constant part of the command line; only the target and the -p list are added.
COMMON_ARGS = (
    "-Pn",  # the targets are declared; skip host discovery (without root it only tries 80/443)
    "-n",  # no reverse DNS lookups leaving the scope
    "-T4",
    "--max-retries",
    "1",
    "-sV",
    "--version-intensity",
    str(VERSION_INTENSITY),
)


def _duration(seconds: float) -> str:
    """An nmap time value: whole seconds as ``120s``, anything else in milliseconds."""
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{max(int(seconds * 1000), 1)}ms"


def nmap_arguments(privileged: bool, ipv6: bool, udp: bool = False, host_timeout_s: Optional[float] = None) -> List[str]:
    """nmap options for one scan (without -oX, hosts and -p, which python-nmap adds)."""
    host_timeout = HOST_TIMEOUT_S if host_timeout_s is None else host_timeout_s
    args = ["-sS" if privileged else "-sT", *(["-sU"] if udp else []), *COMMON_ARGS, "--host-timeout", _duration(host_timeout)]
    if ipv6:
        args.append("-6")
    return args


def udp_plan(ctx: NetContext) -> Tuple[str, Optional[str]]:
    """The UDP ports to scan, or "" and why none are (shown in the facts and the verdicts)."""
    if not ctx.privileged:
        return "", "a UDP scan needs root (nmap -sU); run riskagent as root to assess UDP services"
    if UDP_OPTION in ctx.options:
        spec = str(ctx.options[UDP_OPTION] or "")
        if not spec:
            return "", "no UDP ports were asked for"
        try:
            return parse_ports(spec), None
        except ValueError as exc:
            raise CollectError(ErrorReason.UNSUPPORTED, f"option {UDP_OPTION}: {exc}") from None
    if ctx.ports is not None:
        return "", "an explicit port list (--ports) is scanned over TCP only"
    return UDP_PORTS, None


_WEB_SERVICES = ("http", "https")  # nmap service names starting so: http, https, http-proxy, http-alt, https-alt ...


def web_endpoints(hosts: List[ScannedHostFacts]) -> List[WebEndpointFacts]:
    """Open TCP ports that version detection identified as a web server, as the URLs to assess them at."""
    out: List[WebEndpointFacts] = []
    for host in hosts:
        address = host["address"]
        netloc = f"[{address}]" if ":" in address else address
        for port in host["open_ports"]:
            service = port["service"].lower()
            if port["proto"] != "tcp" or not service.startswith(_WEB_SERVICES):
                continue
            scheme = "https" if port["tunnel"] == "ssl" or service.startswith("https") else "http"
            url = f"{scheme}://{netloc}:{port['port']}/"
            out.append({"url": url, "address": address, "port": port["port"], "scheme": scheme})
    return out


def _scan_address(target: Target) -> str:
    """What nmap is told to scan: the address the scope check approved, not a name to resolve again."""
    if target.kind == "network" or not target.addresses:
        return target.text
    v4 = [a for a in target.addresses if ipaddress.ip_address(a).version == 4]
    return (v4 or list(target.addresses))[0]


def _is_ipv6(hosts: str) -> bool:
    try:
        return ipaddress.ip_network(hosts, strict=False).version == 6
    except ValueError:
        return False


PortKey = Tuple[str, str, int]  # (address, proto, port)


def _xml_details(xml_text: str) -> Tuple[Dict[str, Dict[str, int]], Dict[PortKey, str], Dict[PortKey, List[str]], List[str]]:
    """From nmap's XML: collapsed port-state counts, TLS tunnels, all CPEs, hosts that timed out.

    python-nmap drops ``<extraports>`` (e.g. "990 closed") and the service
    ``tunnel`` attribute (``ssl/http``), and keeps only the last CPE of a
    service (often the OS, not the product); the checks need all three.
    """
    counts: Dict[str, Dict[str, int]] = {}
    tunnels: Dict[PortKey, str] = {}
    cpes: Dict[PortKey, List[str]] = {}
    timed_out: List[str] = []
    try:
        root = ET.fromstring(xml_text)  # noqa: S314 - output of the local nmap binary, not remote input
    except ET.ParseError:
        return counts, tunnels, cpes, timed_out
    for host in root.iter("host"):
        addr_el = host.find("address")
        addr = addr_el.get("addr", "") if addr_el is not None else ""
        if host.get("timedout") == "true":
            timed_out.append(addr)
        per = counts.setdefault(addr, {})
        for extra in host.iter("extraports"):
            state = extra.get("state", "unknown")
            per[state] = per.get(state, 0) + int(extra.get("count", "0"))
        for port in host.iter("port"):
            svc = port.find("service")
            if svc is None:
                continue
            key = (addr, port.get("protocol", "tcp"), int(port.get("portid", "0")))
            if svc.get("tunnel"):
                tunnels[key] = svc.get("tunnel", "")
            cpes[key] = [c.text for c in svc.iter("cpe") if c.text]
    return counts, tunnels, cpes, timed_out


def _conf(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _no_reply(addr: str, data: Dict[str, Any]) -> List[str]:
    """UDP ports nmap saw as open|filtered: no answer to its probes, so open and filtered look the same."""
    return [f"{addr}:{port}" for port, info in sorted((data.get("udp") or {}).items()) if info.get("state") == "open|filtered"]


def _host_facts(
    addr: str, data: Dict[str, Any], extra_counts: Dict[str, int], tunnels: Dict[PortKey, str], cpes: Dict[PortKey, List[str]]
) -> ScannedHostFacts:
    counts: Dict[str, int] = dict(extra_counts)
    open_ports: List[OpenPortFacts] = []
    for proto in ("tcp", "udp", "sctp"):
        for port, info in sorted((data.get(proto) or {}).items()):
            state = str(info.get("state", "unknown"))
            counts[state] = counts.get(state, 0) + 1
            if state != "open":
                continue
            open_ports.append(
                {
                    "port": int(port),
                    "proto": proto,
                    "service": info.get("name") or "",
                    "product": info.get("product") or "",
                    "version": info.get("version") or "",
                    "extrainfo": info.get("extrainfo") or "",
                    "cpes": cpes.get((addr, proto, int(port)), [info["cpe"]] if info.get("cpe") else []),
                    "tunnel": tunnels.get((addr, proto, int(port)), ""),
                    "confidence": _conf(info.get("conf")),
                }
            )
    hostnames = [h.get("name") for h in data.get("hostnames", []) if h.get("name")]
    return {
        "address": addr,
        "hostnames": hostnames,
        "state": (data.get("status") or {}).get("state", "unknown"),
        "state_counts": dict(sorted(counts.items())),
        "open_ports": open_ports,
    }


def _error_reason(message: str) -> ErrorReason:
    lowered = message.lower()
    if "root privileges" in lowered or "operation not permitted" in lowered:
        return ErrorReason.PERMISSION_DENIED
    if "failed to resolve" in lowered:
        return ErrorReason.NOT_FOUND
    return ErrorReason.MALFORMED


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def left_to_probes(ctx: NetContext) -> Dict[str, str]:
    """Industrial ports that ics.identify reads itself: nmap leaves them alone.

    nmap's service detection sends dozens of guesses to a port that does not answer its first
    probe; on a PLC those are writes of unknown meaning. In the ics-gateway profile the read-only
    identity exchange of ics.identify is the only traffic an industrial port gets.
    """
    if ctx.profile is not Profile.ICS_GATEWAY:
        return {}
    from collectors.net.ics import DEFAULT_PORTS as ICS_PORTS

    chosen = {**ICS_PORTS, **dict(ctx.options.get("ics_ports") or {})}
    return {str(port): f"ics.identify ({name})" for name, port in sorted(chosen.items())}


@net_collector(PORTS, "Open TCP ports and service versions seen from outside (nmap)", kinds=("host", "network"))
def collect_ports(probe: NetProbe, target: Target) -> PortsFacts:
    hosts = _scan_address(target)
    if target.kind == "host":
        probe.require_in_scope(target.host)
        probe.require_in_scope(hosts)
    ports = probe.ctx.ports or DEFAULT_PORTS
    udp, no_udp = udp_plan(probe.ctx)
    # Two deadlines, both inside the collector's time budget: nmap's own --host-timeout, then the
    # process deadline after which python-nmap kills it (a little later, so nmap can write its XML).
    overall_s = float(HOST_TIMEOUT_S + 30 if target.kind == "host" else NETWORK_TIMEOUT_S)
    budget_bound = probe.left() < overall_s
    overall_s = round(min(overall_s, probe.left()), 3)
    if overall_s < 1.0:
        probe.record(hosts, "nmap", "time budget exceeded")
        raise probe.out_of_time(hosts, "the nmap scan could start")
    host_timeout_s = round(min(float(HOST_TIMEOUT_S), max(overall_s - NMAP_EXIT_S, 0.6 * overall_s)), 3)
    args = nmap_arguments(probe.ctx.privileged, _is_ipv6(hosts), udp=bool(udp), host_timeout_s=host_timeout_s)
    left = left_to_probes(probe.ctx)
    if left:
        args += ["--exclude-ports", ",".join(sorted(left, key=int))]
    spec = f"T:{ports},U:{udp}" if udp else ports
    why = " (time budget exceeded)" if budget_bound else ""

    try:
        import nmap
    except ImportError as exc:  # a broken install, not a missing binary
        raise CollectError(ErrorReason.TOOL_MISSING, f"python-nmap cannot be imported ({exc}); reinstall riskagent") from None
    try:
        scanner = nmap.PortScanner()
    except nmap.PortScannerError:
        probe.record(hosts, "nmap", "nmap is not installed")
        raise CollectError(ErrorReason.TOOL_MISSING, "nmap is not installed: apt-get install nmap") from None

    shown = spec if len(spec) <= 60 else spec[:57] + "..."
    probe.say(f"nmap: {hosts} ports {shown} ({'syn' if probe.ctx.privileged else 'connect'} scan, service detection)")
    started = time.monotonic()
    try:
        result = scanner.scan(hosts=hosts, ports=spec, arguments=" ".join(args), timeout=overall_s)
    except nmap.PortScannerTimeout:
        probe.record(hosts, "nmap", f"no result within {overall_s:g} s")
        raise CollectError(ErrorReason.TIMEOUT, f"nmap scan of {hosts} did not finish within {overall_s:g} s; stopped{why}") from None
    except nmap.PortScannerError as exc:
        message = _first_line(str(exc.value)) or "nmap produced no XML output"
        probe.record(hosts, "nmap", message)
        raise CollectError(_error_reason(message), f"nmap scan of {hosts} failed: {message}") from None
    elapsed_ms = int((time.monotonic() - started) * 1000)

    info = result.get("nmap", {})
    scaninfo = info.get("scaninfo", {})
    errors = [_first_line(e) for e in scaninfo.get("error", []) if _first_line(e)]
    scanned: Dict[str, Any] = result.get("scan", {})
    if not scanned:
        message = errors[0] if errors else "no host in the scan result"
        probe.record(hosts, "nmap", message)
        raise CollectError(_error_reason(message), f"nmap scan of {hosts} returned no result: {message}")

    counts, tunnels, cpes, timed_out = _xml_details(scanner.get_nmap_last_output() or "")
    if target.kind == "host" and timed_out:
        probe.record(hosts, "nmap", f"host timeout after {host_timeout_s:g} s")
        raise CollectError(ErrorReason.TIMEOUT, f"nmap gave up on {hosts} after its host timeout of {host_timeout_s:g} s{why}")
    host_facts = [_host_facts(a, dict(scanned[a]), counts.get(a, {}), tunnels, cpes) for a in sorted(scanned)]
    for h in host_facts:
        if not probe.ctx.scope.allows(h["address"]):  # nmap reported something it was not asked to scan
            raise CollectError(ErrorReason.MALFORMED, f"nmap reported {h['address']}, which is outside the scope of {hosts}")
    probe.record(hosts, "nmap")

    scan_type = str((scaninfo.get("tcp") or {}).get("method", "syn" if probe.ctx.privileged else "connect"))
    version = ".".join(str(n) for n in scanner.nmap_version())
    open_total = sum(len(h["open_ports"]) for h in host_facts)
    probe.say(f"nmap: {hosts} done, {open_total} open port(s) in {elapsed_ms / 1000:.1f} s")
    stats = info.get("scanstats", {})
    udp_facts: UdpScanFacts = {"scanned": bool(udp), "ports": udp}
    if udp:
        udp_facts["no_reply"] = [p for a in sorted(scanned) for p in _no_reply(a, dict(scanned[a]))]
    elif no_udp:
        udp_facts["reason"] = no_udp
    return {
        "scanner": "nmap",
        "nmap_version": version,
        "scan_type": scan_type,
        "privileged": probe.ctx.privileged,
        "arguments": args,
        "ports": ports,
        "default_ports": probe.ctx.ports is None,
        "scanned": hosts,
        "hosts": host_facts,
        "hosts_up": int(stats.get("uphosts") or 0),
        "hosts_total": int(stats.get("totalhosts") or 0),
        "timed_out_hosts": timed_out,
        "open_ports": open_total,
        "udp": udp_facts,
        "web_endpoints": web_endpoints(host_facts),
        "nmap_messages": errors[:3],
        "elapsed_ms": elapsed_ms,
        "left_to_probes": left,
        "_method": f"nmap {version} {scan_type} scan with service detection (intensity {VERSION_INTENSITY})",
    }
