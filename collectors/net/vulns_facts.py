"""Facts shape and key of ``net.vulns``: known vulnerabilities of the services a port scan saw.

One row per open port of the scan (:mod:`collectors.net.vulns`): what nmap
reported, and either the distribution package the service stated (matched
against the feeds) or why it was not matched (``collectors.vuln.services.Reason``).
Nothing seen is left out, so a check can tell "no open vulnerability" from
"nothing could be matched". Kept apart from the collector so that the checks
import it without the probe code.
"""

from __future__ import annotations

from typing import Dict, List, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey
from collectors.vuln.facts import FeedFacts, MatchFacts


class IdentityFacts(TypedDict):
    """The distribution package a service stated it runs."""

    distribution: str  # "debian"
    suite: str
    source: str  # source package, as the tracker keys it
    package: str  # the binary package that ships the daemon
    version: str  # package version, epoch included
    stated: str  # what the service stated of it, e.g. "Debian 10+deb10u2"


class SeenServiceFacts(TypedDict):
    address: str
    port: int
    proto: str
    service: str  # nmap's service name
    product: str  # as nmap reported them ("" when unknown)
    version: str
    extrainfo: str
    identity: Optional[IdentityFacts]  # None: not matched
    not_matched: Optional[str]  # the reason code (collectors.vuln.services.Reason); None when matched
    detail: Optional[str]  # why not matched, in English
    matches: List[MatchFacts]  # open matches (installed < the suite's fixed version)
    unfixed: int  # issues open in the suite with no fix yet


class NetVulnCountsFacts(TypedDict):
    seen: int  # open ports
    matched: int  # of which the version was matched reliably
    not_matched: int
    open: int  # open matches, over all ports
    kev: int
    by_severity: Dict[str, int]


class _NetVulnBase(CollectedFacts):
    feeds: List[FeedFacts]
    missing_feeds: List[str]
    stale_feeds: List[str]
    max_age_days: int
    scanned: str  # what the port scan was told to scan
    incomplete: List[str]  # hosts the port scan gave up on: their services are unknown
    services: List[SeenServiceFacts]
    counts: NetVulnCountsFacts


class NetVulnFacts(_NetVulnBase, total=False):
    epss_date: str  # the EPSS file's score date, when a match was scored


NET_VULNS = FactsKey[NetVulnFacts]("net.vulns", NetVulnFacts)
