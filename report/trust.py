"""The insurer's trust store: who each signing key belongs to, when, and for which assets.

In the spirit of OpenSSH's ``allowed_signers``: a key id alone says nothing to
an underwriter, so the insurer keeps a file that binds each public key to an
identity (organisation and 统一社会信用代码, or an assessor and their
certificate number), a role (applicant, assessor, insurer), a validity window
and the assets it may sign for. ``riskagent keys identity`` prints the entry an
applicant or assessor sends; the insurer checks the identity out of band and
adds it. The file is JSON::

    {"riskagent_trust_store": 1,
     "signers": [{"name": "...", "role": "applicant", "organisation_id": "9131...",
                  "public_key": "-----BEGIN PUBLIC KEY-----...", "keyid": "<sha256 hex>",
                  "valid_from": "2026-01-01", "valid_until": "2027-01-01",
                  "targets": ["host:web-*", "machine:8dfc9844*"]}]}
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Literal, Optional, Sequence, Tuple

from checks.model import Text
from collectors.strictjson import JsonShapeError, TextEnum, from_json, json_field

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_TRUST_STORE_BYTES = 4 * 1024 * 1024


class Role(TextEnum):
    APPLICANT = "applicant"  # the insured enterprise
    ASSESSOR = "assessor"  # an assessor on site (测评机构 / 评估人员)
    INSURER = "insurer"


class TrustError(ValueError):
    """A trust store that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class TrustedSigner:
    """One trust store entry."""

    name: str
    role: Role
    public_key: str  # PEM SubjectPublicKeyInfo, Ed25519
    keyid: str  # sha256 of the DER public key, hex; must match public_key
    targets: Tuple[str, ...]  # patterns over asset names (host:NAME, website:URL, machine:ID, ip:ADDR, cloud:ID)
    organisation_id: Optional[str] = field(default=None, metadata=json_field(omit_none=True))  # 统一社会信用代码
    certificate: Optional[str] = field(default=None, metadata=json_field(omit_none=True))  # assessor certificate no.
    valid_from: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    valid_until: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    comment: Optional[str] = field(default=None, metadata=json_field(omit_none=True))

    @property
    def label(self) -> str:
        """How a person reads this signer: name, role and the number that identifies them."""
        ident = self.organisation_id or self.certificate
        return f"{self.name} ({self.role}{', ' + ident if ident else ''})"


@dataclass(frozen=True)
class TrustStoreFile:
    riskagent_trust_store: Literal[1]
    signers: Tuple[TrustedSigner, ...]


@dataclass(frozen=True)
class TrustedKey:
    """A key the verifier trusts: an entry of the trust store, or a bare ``--key`` (no identity, no limits)."""

    keyid: str
    key: Ed25519PublicKey
    entry: Optional[TrustedSigner]
    source: str

    @property
    def label(self) -> str:
        return self.entry.label if self.entry is not None else f"{self.source} (no identity)"

    @property
    def role(self) -> Optional[Role]:
        return self.entry.role if self.entry is not None else None


# ------------------------------------------------------------------------------------------ identity numbers

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_problem(code: str) -> Optional[str]:
    """Why ``code`` is not a valid 统一社会信用代码 (GB 32100-2015), or None."""
    if len(code) != 18:
        return f"a unified social credit code has 18 characters, {code!r} has {len(code)}"
    bad = [c for c in code if c not in _USCC_CHARS]
    if bad:
        return f"{code!r} holds {bad[0]!r}, which no unified social credit code contains (I, O, S, V and Z are never used)"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    if _USCC_CHARS[check] != code[17]:
        return f"{code!r} fails its check character (expected {_USCC_CHARS[check]!r} at the end): mistyped?"
    return None


# ------------------------------------------------------------------------------------------ times


def parse_time(text: str) -> dt.datetime:
    """An RFC 3339 UTC time (``2026-01-01T00:00:00Z``) or a date (midnight UTC)."""
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    if not text.endswith("Z"):
        raise ValueError(f"{text!r} is not a UTC time ending in Z")
    return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.timezone.utc)


def window_problem(entry: TrustedSigner, at: dt.datetime, what: str) -> Optional[str]:
    """Why the key may not sign at ``at`` (``what`` names the moment: "the report's time", "now")."""
    said = window_problem_text(entry, at, what, what)
    return said.en if said is not None else None


def window_problem_text(entry: TrustedSigner, at: dt.datetime, what_zh: str, what_en: str) -> Optional[Text]:
    """:func:`window_problem` in both languages."""
    stamp = f"{at:%Y-%m-%dT%H:%M:%SZ}"
    if entry.valid_from is not None and at < parse_time(entry.valid_from):
        return Text(
            f"{entry.label} 自 {entry.valid_from} 起才受信任，晚于{what_zh}（{stamp}）",
            f"{entry.label} is trusted only from {entry.valid_from}, after {what_en} ({stamp})",
        )
    if entry.valid_until is not None and at >= parse_time(entry.valid_until):
        return Text(
            f"{entry.label} 仅在 {entry.valid_until} 之前受信任，早于{what_zh}（{stamp}）",
            f"{entry.label} was trusted only until {entry.valid_until}, before {what_en} ({stamp})",
        )
    return None


IDENTIFIER_KINDS = ("machine:", "ip:", "cloud:")


def matches(patterns: Sequence[str], subject: str, identifiers: Sequence[str]) -> bool:
    """Whether an asset is covered by ``patterns`` (case-insensitive globs).

    Patterns for the subject (``host:NAME``, ``website:URL``, ``*``) are matched against the subject
    alone, and at least one must match. Patterns of an identifier kind (``machine:``, ``ip:``,
    ``cloud:``) each narrow further: when the patterns name a kind, one identifier of that kind must
    match. So ``["host:web-*", "machine:8dfc*"]`` covers only a host called web-something that is
    also that machine, and an address shared by many private networks never widens a key's reach.
    """
    subject_patterns = [p.lower() for p in patterns if not p.lower().startswith(IDENTIFIER_KINDS)]
    if subject_patterns and not any(fnmatch.fnmatchcase(subject.lower(), p) for p in subject_patterns):
        return False
    for kind in IDENTIFIER_KINDS:
        kind_patterns = [p.lower() for p in patterns if p.lower().startswith(kind)]
        if not kind_patterns:
            continue
        ids = [i.lower() for i in identifiers if i.lower().startswith(kind)]
        if not any(fnmatch.fnmatchcase(i, p) for p in kind_patterns for i in ids):
            return False
    return True


def covers(entry: TrustedSigner, subject: str, identifiers: Sequence[str]) -> bool:
    """Whether the entry's target patterns cover the asset (see :func:`matches`)."""
    return matches(entry.targets, subject, identifiers)


# ------------------------------------------------------------------------------------------ loading


def _hidden(text: str) -> bool:
    from report.terminal import safe

    return safe(text) != text or "\n" in text or "\t" in text


def _check_entry(i: int, e: TrustedSigner, where: str) -> Ed25519PublicKey:
    from report.signing import VerificationError, key_id, load_public_key

    at = f"{where}: signers[{i}]"
    for field_name in ("name", "organisation_id", "certificate", "comment"):
        value = getattr(e, field_name)
        if value is not None and (_hidden(value) or len(value) > 200):
            raise TrustError(f"{at}: {field_name} holds control or invisible characters, or is longer than 200 characters")
    for pattern in e.targets:
        if _hidden(pattern) or not pattern.strip():
            raise TrustError(f"{at}: targets: {pattern!r} is not a pattern")
    if not e.name.strip():
        raise TrustError(f"{at}: the name is empty")
    at = f"{at} ({e.name})"
    try:
        key = load_public_key(e.public_key.encode("utf-8"), at)
    except VerificationError as exc:
        raise TrustError(str(exc)) from None
    if key_id(key) != e.keyid:
        raise TrustError(f"{at}: keyid {e.keyid[:16]}… is not the id of its public key ({key_id(key)[:16]}…)")
    if e.organisation_id is not None:
        problem = uscc_problem(e.organisation_id)
        if problem:
            raise TrustError(f"{at}: organisation_id: {problem}")
    if e.role is Role.ASSESSOR and not e.certificate:
        raise TrustError(f"{at}: an assessor entry names the assessor's certificate number (certificate)")
    if e.role is not Role.ASSESSOR and not e.organisation_id:
        raise TrustError(f"{at}: an {e.role} entry names the organisation's unified social credit code (organisation_id)")
    if not e.targets:
        raise TrustError(f"{at}: targets is empty; list the assets this key may sign for (\"*\" for any)")
    for name in ("valid_from", "valid_until"):
        value = getattr(e, name)
        if value is not None:
            try:
                parse_time(value)
            except ValueError:
                raise TrustError(f"{at}: {name}: {value!r} is not a date (YYYY-MM-DD) or a UTC time (…Z)") from None
    if e.valid_from and e.valid_until and parse_time(e.valid_from) >= parse_time(e.valid_until):
        raise TrustError(f"{at}: valid_from {e.valid_from} is not before valid_until {e.valid_until}")
    return key


def parse_trust_store(data: bytes, where: str) -> Dict[str, TrustedKey]:
    """The trusted signers of a trust store file, by key id; every problem names the file and the entry."""
    from report.canonical import CanonicalError, strict_loads

    if len(data) > MAX_TRUST_STORE_BYTES:
        raise TrustError(f"{where}: larger than {MAX_TRUST_STORE_BYTES // (1024 * 1024)} MiB; is this a trust store?")
    try:
        raw = strict_loads(data, where)
    except CanonicalError as exc:
        raise TrustError(str(exc)) from None
    try:
        store = from_json(TrustStoreFile, raw)
    except JsonShapeError as exc:
        raise TrustError(f"{where}: not a riskagent trust store: {exc}") from None
    out: Dict[str, TrustedKey] = {}
    for i, e in enumerate(store.signers):
        key = _check_entry(i, e, where)
        if e.keyid in out:
            raise TrustError(f"{where}: signers[{i}]: key {e.keyid[:16]}… is listed twice; one identity per key")
        out[e.keyid] = TrustedKey(e.keyid, key, e, where)
    return out


def load_trust_store(path: Path) -> Dict[str, TrustedKey]:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TRUST_STORE_BYTES + 1)
    except OSError as exc:
        raise TrustError(f"cannot read trust store {path}: {exc.strerror}") from None
    return parse_trust_store(data, str(path))


def bare_key(path: Path) -> TrustedKey:
    """A public key given with ``--key``: trusted, but with no identity, role, window or target limits."""
    from report.signing import VerificationError, key_id, load_public_key

    try:
        key = load_public_key(path.read_bytes(), str(path))
    except OSError as exc:
        raise TrustError(f"cannot read public key {path}: {exc.strerror}") from None
    except VerificationError as exc:
        raise TrustError(str(exc)) from None
    return TrustedKey(key_id(key), key, None, str(path))
