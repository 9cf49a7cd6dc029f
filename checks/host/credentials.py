"""Cleartext credentials in scheduled jobs, units and application configuration."""

from __future__ import annotations

from typing import List

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.credentials import CREDENTIALS, CredentialFindingFacts

# How a finding's place is named in a reason: "cron /etc/cron.d/backup line 3: curl -u credentials".
_SOURCE_NAMES = {
    "cron": "cron",
    "script": "script",
    "unit": "unit",
    "environment": "environment file",
    "config": "config",
    "credential_file": "credential file",
}


def describe(f: CredentialFindingFacts) -> str:
    """Where a credential is and what kind it is; never the value."""
    where = f"{_SOURCE_NAMES.get(f['source'], f['source'])} {f['file']}"
    if f["line"]:
        where += f" line {f['line']}"
    exposed = " (readable by all users)" if f["readable_by_all"] and f["source"] != "credential_file" else ""
    return f"{where}: {f['kind']}{exposed}"


@check(
    id="LNX-CRED-001",
    title=Text(
        zh="计划任务、服务单元与应用配置中没有明文凭据",
        en="No cleartext credentials in scheduled jobs, service units or application configuration",
    ),
    remediation=Text(
        zh="把口令、令牌和访问密钥从 cron 命令行、脚本、systemd 单元和应用配置文件中移出：放入仅属主可读（0600）的凭据文件"
        "（如 mysql --defaults-extra-file、curl --netrc-file、restic --password-file、systemd LoadCredential=）或密钥管理服务；"
        "轮换每一个已暴露的凭据，并把凭据文件权限收紧为 0600。",
        en="Move passwords, tokens and access keys out of cron command lines, scripts, systemd units and application "
        "configuration files into credential files readable by their owner only (0600; e.g. mysql --defaults-extra-file, "
        "curl --netrc-file, restic --password-file, systemd LoadCredential=) or a secret manager; rotate every credential "
        "found, and restrict credential files to mode 0600.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-28",),
    high_risk_case="6.4.5.2",
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(CREDENTIALS,),
    needs_root=True,
    basis="L3-CES1-28 (8.1.4.8 b) requires the confidentiality of important data at rest, authentication data (鉴别数据) first among "
    "them: a password or token written out in a cron line, script, unit or configuration file is authentication data stored "
    "in cleartext, readable by whoever reads the file: case 6.4.5.2.",
)
def no_cleartext_credentials(ev: EvidenceView, p: Params) -> Verdict:
    """A credential found is a failure wherever the rest of the scan stands; a clean scan passes only if it was complete."""
    facts = ev.facts(CREDENTIALS)
    found: List[str] = [describe(f) for f in facts["findings"]]
    if found:
        more = f" and {facts['count'] - 3} more" if facts["count"] > 3 else ""
        return Verdict.fail(
            f"{facts['count']} cleartext credential(s): {'; '.join(found[:3])}{more}",
            findings=found[:50],
            count=facts["count"],
        )
    if facts["unreadable"]:
        return Verdict.manual(
            f"no cleartext credential in {facts['files_scanned']} readable file(s); could not read "
            f"{', '.join(facts['unreadable'][:5])} (run as root)",
            unreadable=list(facts["unreadable"]),
        )
    if facts["truncated"]:
        return Verdict.manual(
            f"no cleartext credential in {facts['files_scanned']} file(s), but the scan stopped at its limit; "
            "review the application directories by hand",
            files_scanned=facts["files_scanned"],
        )
    skipped = {"skipped_too_large": list(facts["skipped"])} if facts["skipped"] else {}
    return Verdict.ok(
        f"no cleartext credential in {facts['files_scanned']} file(s): cron, the scripts it runs, units, environment and configuration",
        files_scanned=facts["files_scanned"],
        **skipped,
    )
