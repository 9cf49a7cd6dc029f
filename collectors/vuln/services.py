"""Known vulnerabilities of network services, from the version a service states about itself: matched only where reliable.

**How reliability is decided.** A version is matched only when the service
states the *distribution package* it runs: the distribution, the package
revision, and the release (suite) that revision was built for. An upstream
version alone (nmap's ``Apache httpd 2.4.38``, ``nginx 1.14.2``, an
``OpenSSH_9.2p1`` banner with Debian's ``DebianBanner no``) is never matched:
distributions backport fixes without changing the upstream version, so
matching it against upstream ranges would report patched systems as
vulnerable, and saying nothing would read as "no known vulnerability". Such
a service is recorded as seen and not matched, with the reason.

The one form that states all three today is Debian's OpenSSH. Debian's
``package-versioning.patch`` puts the package revision into the
identification string, ``SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2``, which
nmap reports as product ``OpenSSH``, version ``7.9p1 Debian 10+deb10u2``
(``nmap-service-probes``, ``v/$2 Debian $3/``). From it:

- source package ``openssh``, and ``openssh-server`` as the binary that ships sshd;
- package version ``1:7.9p1-10+deb10u2``: Debian's openssh carries epoch 1
  (``dpkg -s openssh-server`` on bookworm: ``1:9.2p1-2+deb12u10`` for the banner
  ``OpenSSH_9.2p1 Debian-2+deb12u10``; DLA-3694-1 names ``1:7.9p1-10+deb10u4``), which the banner omits;
- suite from the stable-update marker ``+debNuM`` (or ``~debNuM``): ``deb10``
  buster, ``deb11`` bullseye, ``deb12`` bookworm, ``deb13`` trixie (table
  :data:`DEBIAN_SUITES`). Debian appends it to every update of a stable release.

Not matched, each with its reason (:class:`Reason`):

- **no suite**: a revision without the marker (``Debian-2``: the release as
  first shipped, or testing/unstable; the revision alone cannot tell),
  backports (``~bpoNN``), and every Ubuntu revision (``Ubuntu-3ubuntu0.6``,
  and old ``Debian-3ubuntu7``): Ubuntu's revision does not name its release,
  and one upstream version ships in several (9.0p1 in 22.10 and 23.04);
- **other distribution**: Raspbian, Maemo and anything else whose security
  data is not the Debian tracker's;
- **upstream version only**, **no version**, **unknown product** (nmap named no product);
- **not in the feed**: the tracker has no entry for the source package, or
  none for that suite (an end-of-life release the tracker dropped): no
  issue there means not assessed, not clean.

A banner is what the service says; one edited to lie makes this answer wrong
like any remote scanner's. Where the host itself is assessed, ``host.vulns``
(the dpkg database) is the authority; this module is what an outside-in scan can say.

Matching is the host matcher's (:func:`collectors.vuln.match.match`): the
Debian Security Tracker's fixed version for that suite, compared by dpkg's
rules, with DSA/DLA, CISA KEV (due date) and FIRST EPSS joined by CVE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from collectors.strictjson import TextEnum
from collectors.vuln.facts import MatchFacts

# Debian's stable-update marker: the release's version number -> its suite (codename).
DEBIAN_SUITES: Mapping[str, str] = {
    "7": "wheezy",
    "8": "jessie",
    "9": "stretch",
    "10": "buster",
    "11": "bullseye",
    "12": "bookworm",
    "13": "trixie",
}


class Reason(TextEnum):
    """Why a version seen was not matched."""

    UNKNOWN_PRODUCT = "unknown_product"  # nmap named no product
    NO_VERSION = "no_version"  # a product, but no version
    UPSTREAM_ONLY = "upstream_only"  # only the upstream version: backported fixes are invisible in it
    NO_SUITE = "no_suite"  # a distribution revision that does not tell the release
    OTHER_DISTRIBUTION = "other_distribution"  # a revision of a distribution whose security data is not used here
    NOT_IN_FEED = "not_in_feed"  # the feed has no data for that source package in that suite


@dataclass(frozen=True)
class Rule:
    """A product whose stated version can carry a distribution revision, and the package it comes from."""

    product: str  # nmap's product name, lower case
    source: str  # Debian source package
    binary: str  # the binary package that ships the daemon
    epoch: str  # Debian's epoch of the package ("" for none): the service never states it
    banner: re.Pattern[str]  # the raw identification line: groups upstream, distributor, revision
    nmap_version: re.Pattern[str]  # nmap's version field: the same groups


RULES: Tuple[Rule, ...] = (
    Rule(
        "openssh",
        "openssh",
        "openssh-server",
        "1",
        re.compile(r"^SSH-[\d.]+-OpenSSH_(?P<upstream>[0-9][\w.]*)(?:[ -]{1,2}(?P<dist>[A-Za-z]+)[ _-](?P<rev>\S+))?\s*$"),
        re.compile(r"^(?P<upstream>[0-9][\w.]*)(?: (?P<dist>[A-Za-z]+) (?P<rev>\S+))?$"),
    ),
)
_BY_PRODUCT: Mapping[str, Rule] = {r.product: r for r in RULES}
_REVISION = re.compile(r"^[0-9][A-Za-z0-9.+~]*$")  # a Debian revision (deb-version(7)): starts with a digit
_UPSTREAM = re.compile(r"^[0-9][A-Za-z0-9.+~]*$")
_STABLE_UPDATE = re.compile(r"[+~]deb(\d+)u\d+")
_BACKPORT = re.compile(r"~bpo(\d+)")


@dataclass(frozen=True)
class Identity:
    """The distribution package a service stated it runs."""

    distribution: str  # "debian"
    suite: str  # "buster"
    source: str  # source package, as the tracker keys it
    binary: str  # binary package that ships the daemon
    version: str  # package version, epoch included
    stated: str  # what the service stated of it, e.g. "Debian 10+deb10u2"


@dataclass(frozen=True)
class NotMatched:
    reason: Reason
    detail: str  # English, for the evidence; the checks explain the reason in both languages


Parsed = Union[Identity, NotMatched]


def _debian(rule: Rule, upstream: str, dist: Optional[str], rev: Optional[str], label: str) -> Parsed:
    """The identity behind ``upstream`` and a distributor's revision, or why there is none."""
    if not dist or not rev:
        return NotMatched(
            Reason.UPSTREAM_ONLY,
            f"{label}: only the upstream version is stated; distributions backport fixes without changing it",
        )
    stated = f"{dist} {rev}"
    if not _UPSTREAM.match(upstream) or not _REVISION.match(rev):
        return NotMatched(Reason.NO_SUITE, f"{label}: '{stated}' is not a Debian package revision")
    if dist.lower() == "ubuntu" or "ubuntu" in rev.lower():
        return NotMatched(
            Reason.NO_SUITE,
            f"{label}: an Ubuntu revision ({rev}) does not name its release, and one upstream version ships in several",
        )
    if dist.lower() != "debian" or "maemo" in rev.lower():
        return NotMatched(Reason.OTHER_DISTRIBUTION, f"{label}: {stated} is not a Debian build; its security data is not matched here")
    if _BACKPORT.search(rev):
        return NotMatched(Reason.NO_SUITE, f"{label}: {rev} is a backport, which the tracker's suite data does not cover")
    marker = _STABLE_UPDATE.search(rev)
    if marker is None:
        return NotMatched(
            Reason.NO_SUITE,
            f"{label}: revision {rev} has no stable-update marker (+debNuM): the Debian release cannot be told",
        )
    suite = DEBIAN_SUITES.get(marker.group(1))
    if suite is None:
        return NotMatched(Reason.NO_SUITE, f"{label}: deb{marker.group(1)} is not a Debian release this agent knows")
    version = f"{rule.epoch}:{upstream}-{rev}" if rule.epoch else f"{upstream}-{rev}"
    return Identity("debian", suite, rule.source, rule.binary, version, stated)


def identify(product: str, version: str, extrainfo: str = "") -> Parsed:
    """The package identity behind what nmap's version detection reported, or why it cannot be told."""
    product, version = product.strip(), version.strip()
    label = " ".join(p for p in (product, version) if p) or "(unidentified)"
    if not product:
        return NotMatched(Reason.UNKNOWN_PRODUCT, "nmap did not identify the product")
    if not version:
        return NotMatched(Reason.NO_VERSION, f"{product}: no version stated")
    rule = _BY_PRODUCT.get(product.lower())
    if rule is None:
        return NotMatched(
            Reason.UPSTREAM_ONLY,
            f"{label}: only the upstream version is stated; distributions backport fixes without changing it",
        )
    m = rule.nmap_version.match(version)
    if m is None:
        return NotMatched(Reason.UPSTREAM_ONLY, f"{label}: no package revision in the version")
    return _debian(rule, m.group("upstream"), m.group("dist"), m.group("rev"), label)


def identify_banner(banner: str) -> Parsed:
    """The package identity behind a raw identification line (``SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2``)."""
    line = banner.strip("\r\n")
    for rule in RULES:
        m = rule.banner.match(line)
        if m is not None:
            return _debian(rule, m.group("upstream"), m.group("dist"), m.group("rev"), line)
    ssh = re.match(r"^SSH-[\d.]+-(\S+)", line)  # RFC 4253: SSH-protoversion-softwareversion SP comments
    if ssh is not None:
        return NotMatched(Reason.UPSTREAM_ONLY, f"{ssh.group(1)}: no package revision is read from this SSH software's banner")
    return NotMatched(Reason.UNKNOWN_PRODUCT, "no rule reads a package revision from this banner")


# -- matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matched:
    """The open matches of one identity (installed < the suite's fixed version) and its issues without a fix."""

    matches: List[MatchFacts]
    unfixed: int


Outcome = Union[Matched, NotMatched]


def match_identities(
    feeds_dir: Path, identities: Sequence[Identity], feed_ids: AbstractSet[str], today: str
) -> Tuple[Dict[Identity, Outcome], Optional[str]]:
    """Each identity against the Debian Security Tracker feed of its suite, with DSA/DLA, KEV and EPSS; and the
    EPSS score date. Every identity gets an outcome: matched (maybe with no open issue) or not in the feed."""
    from collectors.vuln import feeds as feedstore
    from collectors.vuln.feeddata import advisory_index, debian_index, epss_index, kev_index
    from collectors.vuln.match import Installed, match

    wanted = sorted(set(identities), key=lambda i: (i.suite, i.source, i.version))
    if not wanted:
        return {}, None
    kev = kev_index(feedstore.feed_path(feeds_dir, "kev")) if "kev" in feed_ids else {}
    texts = [
        (feeds_dir / n).read_text(encoding="utf-8", errors="replace")
        for n in ("dsa.list", "dla.list")
        if (feeds_dir / n).is_file()
    ]
    out: Dict[Identity, Outcome] = {}
    for suite in sorted({i.suite for i in wanted}):
        ids = [i for i in wanted if i.suite == suite]
        issues = debian_index(feedstore.feed_path(feeds_dir, "debian"), suite, {i.source for i in ids})
        advisories = advisory_index(texts, suite)
        for ident in ids:
            found = issues.get(ident.source)
            if found is None:
                out[ident] = NotMatched(Reason.NOT_IN_FEED, f"the tracker feed has no entry for source package {ident.source}")
                continue
            if not found:
                out[ident] = NotMatched(
                    Reason.NOT_IN_FEED, f"the tracker feed holds no data for {ident.source} in {suite}: not assessed, not clean"
                )
                continue
            pkg = Installed(ident.binary, ident.version, ident.source, ident.version)
            result = match([pkg], {ident.source: found}, kev, None, advisories, {}, today)
            out[ident] = Matched(result.matches, result.unfixed)
    score_date: Optional[str] = None
    cves = {m["cve"] for o in out.values() if isinstance(o, Matched) for m in o.matches}
    if "epss" in feed_ids and cves:
        epss = epss_index(feedstore.feed_path(feeds_dir, "epss"), cves)
        score_date = epss.score_date
        for o in out.values():
            if isinstance(o, Matched):
                for m in o.matches:
                    e = epss.scores.get(m["cve"])
                    m["epss"] = {"score": e.score, "percentile": e.percentile} if e else None
    return out, score_date
