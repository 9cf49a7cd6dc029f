"""The facts shape of ``host.vulns``: what checks read, without the matching code or the feed parsers."""

from __future__ import annotations

from typing import Dict, List, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey


class FeedFacts(TypedDict):
    id: str
    file: str
    sha256: str
    fetched_at: Optional[str]  # from the feed manifest; None when the manifest does not say
    age_days: Optional[int]


class KevFacts(TypedDict):
    date_added: str
    due_date: str
    ransomware: str


class EpssFacts(TypedDict):
    """As published (decimal text): a signed report carries no floats."""

    score: str
    percentile: str


class ServiceFacts(TypedDict):
    process: str
    ports: List[int]
    exposed: Optional[bool]  # None: reach from outside could not be told


class MatchFacts(TypedDict):
    cve: str
    source: str
    packages: List[str]  # installed binaries built from ``source``
    installed: str
    fixed: str
    advisory: Optional[str]  # DSA/DLA, USN, RHSA or openEuler-SA id, where the feeds give one
    fix_date: Optional[str]  # the advisory's date: when the fix became available
    fix_age_days: Optional[int]
    urgency: str  # the distribution's own rating (Debian urgency, Ubuntu priority, Red Hat impact, openEuler severity)
    cvss: Optional[str]  # base score as published; the tracker's JSON carries none
    severity: str  # critical/high/medium/low/unknown, from urgency (and CVSS where present)
    kev: Optional[KevFacts]
    epss: Optional[EpssFacts]
    service: Optional[ServiceFacts]


class CountsFacts(TypedDict):
    open: int
    unfixed: int
    kev: int
    kev_exposed: int
    by_severity: Dict[str, int]
    oldest_fix_age_days: Optional[int]


class _VulnBase(CollectedFacts):
    manager: str
    suite: str
    feeds: List[FeedFacts]
    missing_feeds: List[str]
    stale_feeds: List[str]
    max_age_days: int
    packages: int
    sources: Dict[str, str]  # binary -> "source" or "source (version)", only where it differs from the binary
    matches: List[MatchFacts]  # open matches only (installed older than the suite's fixed version)
    counts: CountsFacts


class VulnFacts(_VulnBase, total=False):
    epss_date: str
    services_reason: str  # why listening services are unknown (then no match has a service)


VULN = FactsKey[VulnFacts]("host.vulns", VulnFacts)

FEED_IDS = ("debian", "ubuntu", "redhat", "openeuler", "kev", "epss")  # the dated feeds (the advisory lists carry no date)
SEVERITIES = ("critical", "high", "medium", "low", "unknown")
