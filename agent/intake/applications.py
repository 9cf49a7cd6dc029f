"""Receive one application package: unpack it privately, verify it as ``riskagent verify DIR`` does, store it whatever the result.

The body is the package as ``agent.package_archive.pack`` writes it (a plain
tar of the directory ``riskagent apply`` wrote). The order is the one reports
follow (``ingest.receive``):

1. the same bytes from the same applicant again are the same record (by
   sha256), answered from the database without verifying twice;
2. the archive is unpacked into a private temporary directory (0700, files
   0600, removed afterwards) by the hostile-input-safe ``unpack``, and the
   directory verified by ``agent.apply.verify_package`` with the intake's trust
   store and clock, outside any transaction;
3. one short write transaction stores the archive unchanged with the result.

An archive that does not unpack is stored too, rejected, with the rule it
broke; nothing is dropped. An applicant registered with a 统一社会信用代码
sends only applications signed by a key of that organisation (the rule of
``ingest.organisation_problem``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.ingest import organisation_problem
from agent.intake.models import Applicant, ApplicationRecord, Status
from agent.intake.once import receive_once

MAX_MEMBERS = 1000


@dataclass(frozen=True)
class Checked:
    """What the intake keeps of an application's verification, beside the archive itself."""

    outcome: str
    reason: Optional[str]
    problems: Tuple[str, ...]
    signers: Tuple[Dict[str, Any], ...]
    verified_at: dt.datetime
    genuine: bool  # the application is what its signer signed and follows from its contents (valid or policy_failed)
    application_id: Optional[str] = None
    organisation_id: Optional[str] = None
    organisation_name: Optional[str] = None
    assets: Tuple[Dict[str, Any], ...] = ()
    reason_zh: Optional[str] = None
    problems_zh: Tuple[str, ...] = ()


def _signer(key: Any) -> Dict[str, Any]:
    """A trusted key as report records keep their signers (``ingest.extract``)."""
    return {
        "keyid": key.keyid,
        "label": key.label,
        "role": key.role.value if key.role is not None else None,
        "organisation_id": key.entry.organisation_id if key.entry is not None else None,
        "valid_until": key.entry.valid_until if key.entry is not None else None,
    }


def _plain(text: str, folder: Path, package: str = "the package") -> str:
    """A problem's text without the temporary directory's name (it means nothing to the applicant, and differs every time)."""
    return text.replace(f"{folder}/", "").replace(str(folder), package)


def checked_of(v: Any, folder: Path) -> Checked:
    """The fields of an ``ApplicationVerification``; what the application says only when it is genuine."""
    from report.verification import Outcome

    problems = tuple(_plain(p.text, folder) for p in v.problems)
    problems_zh = tuple(_plain(p.text_in("zh"), folder, "申请包") for p in v.problems)
    genuine = v.predicate is not None and v.outcome in (Outcome.VALID, Outcome.POLICY_FAILED)
    base = Checked(
        outcome=v.outcome.value,
        reason=problems[0] if problems else None,
        problems=problems,
        reason_zh=problems_zh[0] if problems_zh else None,
        problems_zh=problems_zh,
        signers=(_signer(v.signer),) if v.signer is not None else (),
        verified_at=_utc(v.verified_at),
        genuine=genuine,
    )
    if not genuine:
        return base
    p = v.predicate
    return dataclasses.replace(
        base,
        application_id=p.application_id,
        organisation_id=p.applicant.organisation_id,
        organisation_name=p.applicant.name,
        assets=tuple({"asset": a, "subject": r.subject, "report_id": r.report_id} for r in p.reports for a in r.assets),
    )


def _utc(text: str) -> dt.datetime:
    from report.trust import parse_time

    return parse_time(text)


def limits_for(config: IntakeConfig) -> Any:
    """What an archive may hold at this intake: no more than the body limit, in files of at most that size."""
    from agent.package_archive import ArchiveLimits

    return ArchiveLimits(max_members=MAX_MEMBERS, max_member_bytes=config.max_bytes, max_total_bytes=config.max_bytes)


def check(data: bytes, config: IntakeConfig, now: dt.datetime) -> Checked:
    """Unpack ``data`` into a private temporary directory and verify the package there; never raises for bad input."""
    from agent.apply import verify_package
    from agent.package_archive import ArchiveError, unpack
    from report.application import ENVELOPE_NAME
    from report.verification import Outcome

    stamp = now.astimezone(dt.timezone.utc).replace(microsecond=0)

    def refused(reason: str) -> Checked:
        return Checked(Outcome.INVALID.value, reason, (reason,), (), stamp, False)

    with tempfile.TemporaryDirectory(prefix="riskagent-application-") as tmp:  # mkdtemp: 0700, ours alone
        folder = Path(tmp)
        try:
            unpack(data, folder, limits_for(config))
        except ArchiveError as exc:
            return refused(f"intake: the body is not an application package archive: {exc}")
        if not (folder / ENVELOPE_NAME).is_file():
            return refused(
                f"intake: the archive holds no {ENVELOPE_NAME} at its top level "
                "(send the package directory's files as riskagent submit-application packs them)"
            )
        v = verify_package(folder, config.trusted, now=now, max_bytes=config.max_bytes, policy=config.policy)
        return checked_of(v, folder)


def find(session: Session, applicant_id: int, sha256: str) -> Optional[ApplicationRecord]:
    return session.scalars(
        sa.select(ApplicationRecord)
        .options(sa.orm.defer(ApplicationRecord.archive))
        .where(ApplicationRecord.applicant_id == applicant_id, ApplicationRecord.archive_sha256 == sha256)
    ).first()


def receive_application(
    db: Database, config: IntakeConfig, applicant_id: int, token_id: Optional[int], data: bytes
) -> Tuple[ApplicationRecord, bool]:
    """Store ``data`` for the applicant; the record and whether it is new (False: the same bytes came before)."""
    sha256 = hashlib.sha256(data).hexdigest()
    now = config.clock()
    return receive_once(
        db,
        lambda session: find(session, applicant_id, sha256),
        lambda: check(data, config, now),
        lambda session, checked: _store(session, applicant_id, token_id, data, sha256, checked, now),
    )


def _store(session: Session, applicant_id: int, token_id: Optional[int], data: bytes, sha256: str, c: Checked, now: dt.datetime) -> ApplicationRecord:
    from report.verification import Outcome

    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise LookupError(f"no applicant {applicant_id}")
    intake_problem = organisation_problem(applicant, c.genuine, c.signers, "application")
    accepted = c.outcome == Outcome.VALID.value and intake_problem is None
    record = ApplicationRecord(
        applicant_id=applicant_id,
        token_id=token_id,
        archive_sha256=sha256,
        archive=data,
        size=len(data),
        received_at=now,
        status=Status.ACCEPTED if accepted else Status.REJECTED,
        outcome=c.outcome,
        reason=intake_problem.en if intake_problem else c.reason,
        problems=[*([intake_problem.en] if intake_problem else []), *c.problems],
        reason_zh=intake_problem.zh if intake_problem else c.reason_zh,
        problems_zh=[*([intake_problem.zh] if intake_problem else []), *c.problems_zh],
        signers=list(c.signers),
        verified_at=c.verified_at,
        application_id=c.application_id,
        organisation_id=c.organisation_id,
        organisation_name=c.organisation_name,
        assets=list(c.assets),
    )
    session.add(record)
    session.flush()
    return record
