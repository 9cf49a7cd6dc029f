"""Cleartext credentials in scheduled jobs, units and application configuration."""

from __future__ import annotations

from typing import Dict, List

from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.credentials import CREDENTIALS, CredentialFindingFacts
from collectors.strictjson import JSON

# How a finding is listed in the observed findings: "cron /etc/cron.d/backup line 3: curl -u credentials".
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
    exposed = " (readable by all users)" if _readable_by_all(f) else ""
    return f"{where}: {f['kind']}{exposed}"


def _readable_by_all(f: CredentialFindingFacts) -> bool:
    """A file any user can read (credential files are reported for that alone, so it is not repeated)."""
    return bool(f["readable_by_all"]) and f["source"] != "credential_file"


def _located(f: CredentialFindingFacts) -> str:
    """A finding as data for a reason: ``/etc/cron.d/backup:3 (curl -u credentials)`` (the kind is the collector's)."""
    where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
    return f"{where} ({f['kind']})"


# The first three findings are named; the count says how many there are in all.
FOUND = message("LNX-CRED-001/found", en="{count} cleartext credential(s): {findings}", zh="发现 {count} 处明文凭据：{findings}")
FOUND_MORE = message(
    "LNX-CRED-001/found-more",
    en="{count} cleartext credential(s): {findings} and {more} more",
    zh="发现 {count} 处明文凭据：{findings}，另有 {more} 处",
)
FOUND_READABLE = message(
    "LNX-CRED-001/found-readable",
    en="{count} cleartext credential(s): {findings}; readable by all users: {readable}",
    zh="发现 {count} 处明文凭据：{findings}；其中所有用户可读的文件：{readable}",
)
FOUND_MORE_READABLE = message(
    "LNX-CRED-001/found-more-readable",
    en="{count} cleartext credential(s): {findings} and {more} more; readable by all users: {readable}",
    zh="发现 {count} 处明文凭据：{findings}，另有 {more} 处；其中所有用户可读的文件：{readable}",
)
UNREADABLE = message(
    "LNX-CRED-001/unreadable",
    en="no cleartext credential in {files_scanned} readable file(s); could not read {unreadable} (run as root)",
    zh="已读取的 {files_scanned} 个文件中没有明文凭据；无法读取 {unreadable}（请以 root 身份运行）",
)
TRUNCATED = message(
    "LNX-CRED-001/truncated",
    en="no cleartext credential in {files_scanned} file(s), but the scan stopped at its limit; "
    "review the application directories by hand",
    zh="已扫描的 {files_scanned} 个文件中没有明文凭据，但扫描达到上限后停止；需人工核查应用目录",
)
CLEAN = message(
    "LNX-CRED-001/clean",
    en="no cleartext credential in {files_scanned} file(s): cron, the scripts it runs, units, environment and configuration",
    zh="{files_scanned} 个文件中没有明文凭据：cron 及其运行的脚本、服务单元、环境变量文件与配置文件",
)


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
        shown = list(facts["findings"])[:3]
        findings = [_located(f) for f in shown]
        readable = sorted({f["file"] for f in shown if _readable_by_all(f)})
        more = facts["count"] - 3
        observed: Dict[str, JSON] = {"findings": found[:50], "count": facts["count"]}
        if more > 0 and readable:
            return Verdict.fail(
                FOUND_MORE_READABLE(count=facts["count"], findings=findings, more=more, readable=readable), **observed
            )
        if more > 0:
            return Verdict.fail(FOUND_MORE(count=facts["count"], findings=findings, more=more), **observed)
        if readable:
            return Verdict.fail(FOUND_READABLE(count=facts["count"], findings=findings, readable=readable), **observed)
        return Verdict.fail(FOUND(count=facts["count"], findings=findings), **observed)
    if facts["unreadable"]:
        return Verdict.manual(
            UNREADABLE(files_scanned=facts["files_scanned"], unreadable=list(facts["unreadable"][:5])),
            unreadable=list(facts["unreadable"]),
        )
    if facts["truncated"]:
        return Verdict.manual(TRUNCATED(files_scanned=facts["files_scanned"]), files_scanned=facts["files_scanned"])
    skipped = {"skipped_too_large": list(facts["skipped"])} if facts["skipped"] else {}
    return Verdict.ok(CLEAN(files_scanned=facts["files_scanned"]), files_scanned=facts["files_scanned"], **skipped)
