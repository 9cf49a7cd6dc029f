"""Facts shape and key of ``tls.endpoint``, the TLS posture of one https endpoint.

The collector (:mod:`collectors.net.tls`) reports which protocol versions and
weak or dated cipher classes the endpoint accepts, the size of the
finite-field Diffie-Hellman group it uses for DHE, what a default client
negotiates, the leaf certificate and whether its chain is trusted. The shapes
live apart from the collector so that the checks, and the MQTT collector's
certificate facts, import them without loading ``ssl``, ``cryptography`` and
the probe code on every assessment.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Tuple, TypedDict

from collectors.facts import CollectedFacts, FactsKey

# Cipher classes below Mozilla's "intermediate" server configuration that are not broken outright
# (keys of ``medium_ciphers``): CBC-mode suites, and RSA key exchange without forward secrecy.
CBC_CLASS = "CBC"
STATIC_RSA_CLASS = "static-RSA"
MEDIUM_CLASS_NAMES: Tuple[str, ...] = (CBC_CLASS, STATIC_RSA_CLASS)

# Names of the protocol results (keys of ``protocols``), older than TLS 1.2 and from TLS 1.2 on.
# The collector's ssl.TLSVersion table (collectors.net.tls.VERSIONS) is held to these at import.
LEGACY_VERSIONS: Tuple[str, ...] = ("TLSv1", "TLSv1.1")
MODERN_VERSIONS: Tuple[str, ...] = ("TLSv1.2", "TLSv1.3")

ProbeStatus = Literal["accepted", "refused", "untestable", "error"]


class _VersionBase(TypedDict):
    status: ProbeStatus


class VersionFacts(_VersionBase, total=False):
    """One protocol version offered alone: ``cipher``/``negotiated`` when accepted, else ``reason``."""

    cipher: Optional[str]
    negotiated: Optional[str]
    reason: str


class _CipherClassBase(TypedDict):
    status: ProbeStatus


class CipherClassFacts(_CipherClassBase, total=False):
    """One cipher class offered alone; ``method`` is absent only when the class was untestable."""

    method: Literal["openssl", "raw-hello"]
    cipher: Optional[str]  # OpenSSL name, or "0x000A" from a raw hello
    protocol: Optional[str]
    reason: str


class NegotiatedFacts(TypedDict, total=False):
    """What a default client gets: protocol, cipher and bits, or ``error`` alone."""

    protocol: Optional[str]
    cipher: Optional[str]
    bits: Optional[int]
    error: str


class _KeyBase(TypedDict):
    type: str  # RSA, EC, DSA, Ed25519, Ed448 or the key class name
    bits: Optional[int]


class KeyFacts(_KeyBase, total=False):
    curve: str  # EC keys only


class _CertificateBase(TypedDict):
    subject_cn: Optional[str]
    subject: str
    issuer: str
    san_dns: List[str]
    san_ip: List[str]
    not_before: str
    not_after: str
    days_to_expiry: int
    not_yet_valid: bool
    key: KeyFacts
    signature_hash: Optional[str]
    signature_algorithm: str
    self_signed: Optional[bool]  # None: issuer equals subject but the signature could not be checked
    hostname_match: bool
    sha256: str


class CertificateFacts(_CertificateBase, total=False):
    """Leaf certificate facts (shared with the MQTT probe)."""

    self_signed_basis: str  # how self_signed was decided (names, key identifiers, the signature itself)


class CaFileFacts(TypedDict):
    """A file of extra trust anchors (``scan --ca-file``), as it was read."""

    path: str
    sha256: str
    certificates: int


ChainStatus = Literal["valid", "invalid", "error"]


class _ChainBase(TypedDict):
    ca_files: List[CaFileFacts]  # extra trust anchors added to the system store
    store: str
    status: ChainStatus


class ChainFacts(_ChainBase, total=False):
    verify_code: int  # invalid only
    reason: str  # invalid and error


class _DhBase(TypedDict):
    status: Literal["accepted", "refused", "error"]


class DhFacts(_DhBase, total=False):
    """A hello offering only DHE suites: the suite chosen and the bit size of the group's prime, else ``reason``."""

    method: Literal["raw-hello"]
    suite: str  # "0x009F"
    protocol: str  # version of the ServerHello
    bits: int
    reason: str


class TlsEndpointFacts(CollectedFacts):
    host: str
    port: int
    address: str
    openssl: str
    protocols: Dict[str, VersionFacts]  # LEGACY_VERSIONS and MODERN_VERSIONS name -> result
    weak_ciphers: Dict[str, CipherClassFacts]  # collectors.net.tls.WEAK_CLASSES name -> result
    medium_ciphers: Dict[str, CipherClassFacts]  # collectors.net.tls.MEDIUM_CLASSES name -> result
    dh: DhFacts  # finite-field DHE: accepted or not, and the group size
    negotiated: NegotiatedFacts
    certificate: CertificateFacts
    chain: ChainFacts


TLS_ENDPOINT = FactsKey[TlsEndpointFacts]("tls.endpoint", TlsEndpointFacts)
