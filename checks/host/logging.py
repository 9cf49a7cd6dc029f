"""Audit, logging, log retention and time synchronisation checks."""

from __future__ import annotations

from typing import List, Optional

from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.logging import (
    AUDIT,
    AUDITD_DEFAULT_MAX_LOG_FILE_ACTION,
    AUDITD_DISK_ACTIONS,
    AUDITD_MAX_LOG_FILE_ACTIONS,
    CORE_IDENTITY_FILES,
    LOG_RETENTION,
    SYSLOG,
    TIMESYNC,
    AuditRulesFacts,
    LogRetentionEntryFacts,
)

_IR = (CoverageLine.INCIDENT_RESPONSE, CoverageLine.DATA_BREACH_LIABILITY)


NO_AUDITD = message("LNX-AUD/not-installed", en="auditd is not installed", zh="未安装 auditd")


def _no_auditd() -> Verdict:
    return Verdict.fail(NO_AUDITD(), installed=False)


AUDIT_RUNTIME_UNREADABLE = message(
    "LNX-AUD-001/runtime-unreadable",
    en="auditd is installed but its runtime state could not be read: {detail}",
    zh="auditd 已安装，但无法读取其运行状态：{detail}",
)
AUDIT_NOT_RUNNING = message(
    "LNX-AUD-001/not-running",
    en="the kernel audit system is disabled or auditd is not running",
    zh="内核审计功能已禁用，或 auditd 未运行",
)
AUDIT_RULES_UNLISTED = message(
    "LNX-AUD-001/rules-unlisted",
    en="auditd runs but the loaded rules could not be listed",
    zh="auditd 正在运行，但无法列出已加载的审计规则",
)
AUDIT_NO_RULES = message(
    "LNX-AUD-001/no-rules", en="auditd runs with no audit rules loaded", zh="auditd 正在运行，但未加载任何审计规则"
)
AUDIT_RUNNING = message("LNX-AUD-001/running", en="auditd runs with rules loaded", zh="auditd 正在运行并已加载审计规则")


@check(
    id="LNX-AUD-001",
    title=Text(zh="auditd 已安装、运行并加载了审计规则", en="auditd is installed, running and has audit rules loaded"),
    remediation=Text(
        zh="安装并启用 auditd（apt install auditd 或 dnf install audit；systemctl enable --now auditd），在 /etc/audit/rules.d/ 下配置规则后执行 augenrules --load。",
        en="Install and enable auditd (apt install auditd / dnf install audit; systemctl enable --now auditd), add rules under /etc/audit/rules.d/ and run augenrules --load.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-12",),
    domains=(InsurerDomain.LOGGING, InsurerDomain.AUDIT_INTEGRITY),
    coverage=_IR,
    needs=(AUDIT,),
    needs_root=True,
    basis="auditd running with rules is audit enabled for every user (8.1.4.3 a).",
)
def auditd_running(ev: EvidenceView, p: Params) -> Verdict:
    audit = ev.facts(AUDIT)
    if not audit["installed"]:
        return _no_auditd()
    rt = audit["runtime"]
    if not rt["available"]:
        return Verdict.manual(AUDIT_RUNTIME_UNREADABLE(detail=rt.get("reason")), installed=True)
    rules = rt.get("rules")
    loaded = rules["rule_count"] if rules is not None else None
    observed = {"enabled": rt.get("enabled"), "pid": rt.get("pid"), "loaded_rules": loaded}
    if rt.get("enabled") not in (1, 2) or not rt.get("pid"):
        return Verdict.fail(AUDIT_NOT_RUNNING(), **observed)
    if loaded is None:
        return Verdict.manual(AUDIT_RULES_UNLISTED(), **observed)
    if loaded == 0:
        return Verdict.fail(AUDIT_NO_RULES(), **observed)
    return Verdict.ok(AUDIT_RUNNING(), **observed)


AUDIT_IMMUTABLE = message(
    "LNX-AUD-002/immutable",
    en="the running audit configuration is immutable (enabled 2)",
    zh="运行中的审计配置已锁定（enabled 2）",
)
AUDIT_MUTABLE = message(
    "LNX-AUD-002/mutable",
    en="audit rules can be changed at run time (enabled {enabled})",
    zh="审计规则可在运行时修改（enabled {enabled}）",
)
AUDIT_IMMUTABLE_UNKNOWN = message(
    "LNX-AUD-002/runtime-unavailable",
    en="runtime state unavailable ({detail}); configured rules immutable: {configured}",
    zh="无法取得运行状态（{detail}）；配置的规则是否锁定：{configured}",
)


@check(
    id="LNX-AUD-002",
    title=Text(zh="审计规则已锁定（-e 2），防止未授权中断", en="Audit rules are locked (-e 2) against unauthorised changes"),
    remediation=Text(
        zh="在 /etc/audit/rules.d/99-finalize.rules 末尾加入一行 `-e 2`，执行 augenrules --load 并重启生效。",
        en="Add `-e 2` as the last line of /etc/audit/rules.d/99-finalize.rules, run augenrules --load and reboot.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-15",),
    domains=(InsurerDomain.AUDIT_INTEGRITY,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(AUDIT,),
    needs_root=True,
    basis="Locked audit rules (-e 2) protect the audit process from unauthorised interruption (8.1.4.3 d).",
)
def audit_immutable(ev: EvidenceView, p: Params) -> Verdict:
    audit = ev.facts(AUDIT)
    if not audit["installed"]:
        return _no_auditd()
    rt = audit["runtime"]
    if rt["available"]:
        if rt.get("enabled") == 2:
            return Verdict.ok(AUDIT_IMMUTABLE(), enabled=2)
        return Verdict.fail(AUDIT_MUTABLE(enabled=rt.get("enabled")), enabled=rt.get("enabled"))
    configured_rules = audit["rules"]
    configured = configured_rules["immutable"] if configured_rules is not None else None
    return Verdict.manual(
        AUDIT_IMMUTABLE_UNKNOWN(detail=rt.get("reason"), configured=configured), configured_immutable=configured
    )


AUDIT_RULES_UNREADABLE = message(
    "LNX-AUD-003/rules-unreadable", en="audit rules could not be read: {detail}", zh="无法读取审计规则：{detail}"
)
WATCHES_MISSING = message(
    "LNX-AUD-003/missing",
    en="missing watches on {missing}; time-change rules: {time_change_rules}",
    zh="缺少对 {missing} 的监视规则；时间修改审计规则：{time_change_rules}",
)
WATCHED = message("LNX-AUD-003/watched", en="identity files and time changes are audited", zh="身份文件与时间修改均已纳入审计")


@check(
    id="LNX-AUD-003",
    title=Text(
        zh="审计规则覆盖身份文件、提权命令与时间修改",
        en="Audit rules watch identity files, privileged commands and time changes",
    ),
    remediation=Text(
        zh="在 /etc/audit/rules.d/50-identity.rules 中加入：-w /etc/passwd -p wa -k identity、-w /etc/shadow -p wa -k identity、-w /etc/group -p wa -k identity、-w /etc/sudoers -p wa -k scope，以及 time-change 规则，然后执行 augenrules --load。",
        en="Add to /etc/audit/rules.d/50-identity.rules: -w /etc/passwd -p wa -k identity, -w /etc/shadow -p wa -k identity, -w /etc/group -p wa -k identity, -w /etc/sudoers -p wa -k scope, plus time-change rules; then run augenrules --load.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-12",),
    domains=(InsurerDomain.AUDIT_INTEGRITY, InsurerDomain.LOGGING),
    coverage=_IR,
    needs=(AUDIT,),
    needs_root=True,
    basis="Watch rules on identity files, privileged commands and time changes are the important events 8.1.4.3 a asks to audit.",
)
def audit_identity_watches(ev: EvidenceView, p: Params) -> Verdict:
    audit = ev.facts(AUDIT)
    if not audit["installed"]:
        return _no_auditd()
    rt = audit["runtime"]
    rules: Optional[AuditRulesFacts] = rt.get("rules") if rt["available"] else None
    basis = "auditctl -l"
    if rules is None:
        rules = audit["rules"]
        basis = audit.get("rules_source") or "configured rules"
    if rules is None:
        return Verdict.manual(AUDIT_RULES_UNREADABLE(detail=audit.get("rules_error") or rt.get("reason")))
    watched = set(rules["identity_watches"])
    missing = [f for f in CORE_IDENTITY_FILES if f not in watched]
    observed = {
        "basis": basis,
        "missing_watches": missing,
        "time_change_rules": rules["time_change_rules"],
        "privileged_command_rules": rules["privileged_command_rules"],
    }
    if missing or not rules["time_change_rules"]:
        return Verdict.fail(WATCHES_MISSING(missing=missing, time_change_rules=rules["time_change_rules"]), **observed)
    return Verdict.ok(WATCHED(), **observed)


AUDITD_CONF_UNREADABLE = message(
    "LNX-AUD-004/config-unreadable", en="auditd.conf could not be read: {detail}", zh="无法读取 auditd.conf：{detail}"
)
AUDITD_CONF_MISSING = message("LNX-AUD-004/config-missing", en="auditd.conf could not be read: missing", zh="auditd.conf 不存在")
INVALID_ACTION = message(
    "LNX-AUD-004/invalid-action",
    en="max_log_file_action={action} is not a valid value (auditd.conf(5): {valid}); actions set to ignore: {ignored}",
    zh="max_log_file_action={action} 不是有效值（auditd.conf(5)：{valid}）；设为 ignore 的动作：{ignored}",
)
DROPS_RECORDS = message(
    "LNX-AUD-004/drops-records",
    en="max_log_file_action={action}; actions set to ignore: {ignored}",
    zh="max_log_file_action={action}；设为 ignore 的动作：{ignored}",
)
KEEPS_LOGS = message(
    "LNX-AUD-004/keeps-logs",
    en="max_log_file_action={action} keeps old audit logs",
    zh="max_log_file_action={action}，旧审计日志得以保留",
)


@check(
    id="LNX-AUD-004",
    title=Text(zh="审计日志写满时不会静默丢弃或覆盖记录", en="A full audit log does not silently drop or overwrite records"),
    remediation=Text(
        zh="在 /etc/audit/auditd.conf 中设置 max_log_file_action = keep_logs、space_left_action = email（或 syslog）、admin_space_left_action = single、disk_full_action = halt，并把审计日志转发到日志服务器。",
        en="In /etc/audit/auditd.conf set max_log_file_action = keep_logs, space_left_action = email (or syslog), admin_space_left_action = single, disk_full_action = halt, and forward audit logs to a log server.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-14",),
    domains=(InsurerDomain.AUDIT_INTEGRITY,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(AUDIT,),
    params={"accepted_max_log_file_actions": ["keep_logs", "suspend"]},
    needs_root=True,
    basis="A full log that drops or overwrites records fails 'avoid unexpected deletion or overwriting' (8.1.4.3 c).",
)
def audit_full_action(ev: EvidenceView, p: Params) -> Verdict:
    """Only keep_logs and suspend keep every record once the log file is full (auditd.conf(5)).

    single and halt are disk_full_action / admin_space_left_action values, not
    max_log_file_action ones: auditd rejects them there, so they are never accepted.
    """
    audit = ev.facts(AUDIT)
    if not audit["installed"]:
        return _no_auditd()
    conf = audit["config"]
    if conf is None:
        error = audit.get("config_error")
        return Verdict.manual(AUDITD_CONF_UNREADABLE(detail=error) if error else AUDITD_CONF_MISSING())
    action = conf.get("max_log_file_action", AUDITD_DEFAULT_MAX_LOG_FILE_ACTION)
    accepted = [str(a).lower() for a in p["accepted_max_log_file_actions"] if str(a).lower() in AUDITD_MAX_LOG_FILE_ACTIONS]
    silent: List[str] = [k for k in AUDITD_DISK_ACTIONS if conf.get(k) == "ignore"]
    observed = {"max_log_file_action": action, "ignored": silent}
    if action not in AUDITD_MAX_LOG_FILE_ACTIONS:
        return Verdict.fail(INVALID_ACTION(action=action, valid=list(AUDITD_MAX_LOG_FILE_ACTIONS), ignored=silent), **observed)
    if action not in accepted or silent:
        return Verdict.fail(DROPS_RECORDS(action=action, ignored=silent), **observed)
    return Verdict.ok(KEEPS_LOGS(action=action), **observed)


FORWARDED = message("LNX-LOG-001/forwarded", en="logs forwarded to {hosts}", zh="日志已转发至 {hosts}")
FORWARDING_UNREADABLE = message(
    "LNX-LOG-001/unreadable",
    en="no forwarding found, but could not read {files}",
    zh="未发现日志转发配置，但无法读取 {files}",
)
NOT_FORWARDED = message(
    "LNX-LOG-001/not-forwarded",
    en="no remote log forwarding configured; logs stay on the host",
    zh="未配置远程日志转发；日志只保存在本机",
)


@check(
    id="LNX-LOG-001",
    title=Text(zh="日志转发到集中日志服务器", en="Logs are forwarded to a central log server"),
    remediation=Text(
        zh="在 /etc/rsyslog.d/60-remote.conf 中加入 `*.* @@logs.example.internal:6514`（建议 TLS/RELP），然后 systemctl restart rsyslog。",
        en="Add `*.* @@logs.example.internal:6514` to /etc/rsyslog.d/60-remote.conf (TLS or RELP preferred) and run systemctl restart rsyslog.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-SMC1-10", "L3-CES1-14"),
    domains=(InsurerDomain.LOGGING,),
    coverage=_IR,
    needs=(SYSLOG,),
    basis="Forwarding logs to a central server is the collection of scattered audit data that 8.1.5.4 d requires, and a copy outside the host (8.1.4.3 c).",
)
def remote_logging(ev: EvidenceView, p: Params) -> Verdict:
    sl = ev.facts(SYSLOG)
    targets = [{"daemon": t["daemon"], "host": t["host"], "protocol": t["protocol"]} for t in sl["remote_targets"]]
    if targets:
        return Verdict.ok(FORWARDED(hosts=sorted({t["host"] for t in targets})), targets=targets)
    if sl["unreadable"]:
        return Verdict.manual(FORWARDING_UNREADABLE(files=list(sl["unreadable"])))
    return Verdict.fail(NOT_FORWARDED(), daemons=sl["daemons"])


NO_JOURNALD = message(
    "LNX-LOG-002/no-journald",
    en="systemd is not the running init and systemd-journald is not installed: there is no journal "
    "(log retention is judged by LNX-LOG-003)",
    zh="systemd 不是当前运行的 init，且未安装 systemd-journald：不存在 journal（日志保留由 LNX-LOG-003 评估）",
)
PERSISTENT_CONFIGURED = message(
    "LNX-LOG-002/persistent-configured",
    en="journald's configuration keeps the journal on disk (systemd is not the running init: judged from journald.conf)",
    zh="journald 配置将日志保存在磁盘上（systemd 不是当前运行的 init：依据 journald.conf 判断）",
)
VOLATILE_CONFIGURED = message(
    "LNX-LOG-002/volatile-configured",
    en="systemd is not the running init, so journald is not running here; its configuration would keep the journal "
    "in memory only (Storage={storage}, /var/log/journal absent)",
    zh="systemd 不是当前运行的 init，journald 未在此运行；按其配置日志只会保存在内存中（Storage={storage}，/var/log/journal 不存在）",
)
VOLATILE_CONFIGURED_DIR = message(
    "LNX-LOG-002/volatile-configured-dir-present",
    en="systemd is not the running init, so journald is not running here; its configuration would keep the journal "
    "in memory only (Storage={storage}, /var/log/journal present)",
    zh="systemd 不是当前运行的 init，journald 未在此运行；按其配置日志只会保存在内存中（Storage={storage}，/var/log/journal 存在）",
)
PERSISTENT = message("LNX-LOG-002/persistent", en="the journal is stored on disk", zh="journal 日志保存在磁盘上")
VOLATILE = message(
    "LNX-LOG-002/volatile",
    en="the journal is kept in memory only and is lost on reboot",
    zh="journal 日志只保存在内存中，重启后丢失",
)


@check(
    id="LNX-LOG-002",
    title=Text(zh="journald 日志持久化保存", en="journald keeps logs across reboots"),
    remediation=Text(
        zh="在 /etc/systemd/journald.conf.d/persistent.conf 中设置 [Journal] Storage=persistent，然后 systemctl restart systemd-journald。",
        en="Set [Journal] Storage=persistent in /etc/systemd/journald.conf.d/persistent.conf and run systemctl restart systemd-journald.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-14",),
    domains=(InsurerDomain.LOGGING,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(SYSLOG,),
    basis="A journal kept only in memory loses audit records on reboot (8.1.4.3 c).",
)
def journald_persistent(ev: EvidenceView, p: Params) -> Verdict:
    j = ev.facts(SYSLOG)["journald"]
    running = j.get("systemd_running", True)  # evidence from before these keys: a systemd host
    observed = {"storage": j["storage"], "journal_dir": j["journal_dir"], "systemd_running": running}
    if not running:
        if not j.get("journald_installed", True):
            return Verdict.na(NO_JOURNALD(), **observed)
        if j["persistent"]:
            return Verdict.ok(PERSISTENT_CONFIGURED(), **observed)
        volatile = VOLATILE_CONFIGURED_DIR if j["journal_dir"] else VOLATILE_CONFIGURED
        return Verdict.manual(volatile(storage=j["storage"]), **observed)
    if j["persistent"]:
        return Verdict.ok(PERSISTENT(), **observed)
    return Verdict.fail(VOLATILE(), **observed)


def _classify(entry: LogRetentionEntryFacts, threshold: int) -> str:
    """'ok', 'short' or 'unknown' for one log against the threshold, using exact days or bounds."""
    days, at_least, at_most = entry["days"], entry["at_least"], entry["at_most"]
    if days is not None:
        return "ok" if days >= threshold else "short"
    if at_most is not None and at_most < threshold:
        return "short"
    if entry["indefinite"] or (at_least is not None and at_least >= threshold):
        return "ok"
    return "unknown"


KEPT_TOO_SHORT = message(
    "LNX-LOG-003/too-short",
    en="{log} is kept at most about {days} days (< {threshold}): {basis}",
    zh="{log} 最多只保留约 {days} 天（少于 {threshold} 天）：{basis}",
)
_UNESTABLISHED_EN = "retention of some key security logs cannot be established; "
_UNESTABLISHED_ZH = "无法确定部分关键安全日志的保留期限："
RETENTION_NO_POLICY = message(
    "LNX-LOG-003/no-policy",
    en=_UNESTABLISHED_EN + "no rotation policy found for the {missing} log",
    zh=_UNESTABLISHED_ZH + "未找到 {missing} 日志的轮转策略",
)
RETENTION_UNKNOWN = message(
    "LNX-LOG-003/unknown",
    en=_UNESTABLISHED_EN + "{unknown}",
    zh=_UNESTABLISHED_ZH + "{unknown}",
)
RETENTION_NO_POLICY_AND_UNKNOWN = message(
    "LNX-LOG-003/no-policy-and-unknown",
    en=_UNESTABLISHED_EN + "no rotation policy found for the {missing} log; {unknown}",
    zh=_UNESTABLISHED_ZH + "未找到 {missing} 日志的轮转策略；{unknown}",
)
KEPT = message(
    "LNX-LOG-003/kept",
    en="every key security log is kept at least {threshold} days",
    zh="所有关键安全日志均保留至少 {threshold} 天",
)


@check(
    id="LNX-LOG-003",
    title=Text(zh="安全日志保留时间不少于 6 个月", en="Security logs are kept for at least 6 months"),
    remediation=Text(
        zh="在 /etc/logrotate.d/rsyslog 中为 /var/log/syslog、auth.log（或 messages、secure）设置 `weekly` 和 `rotate 26`（或更多），并将日志转发到保留 180 天以上的日志服务器。",
        en="In /etc/logrotate.d/rsyslog set `weekly` and `rotate 26` (or more) for /var/log/syslog and auth.log (or messages and secure), and forward logs to a server that keeps them 180+ days.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-SMC1-10", "L3-CES1-14"),
    high_risk_case="6.5.1.2",
    domains=(InsurerDomain.LOGGING,),
    coverage=(CoverageLine.INCIDENT_RESPONSE, CoverageLine.DATA_BREACH_LIABILITY),
    needs=(LOG_RETENTION,),
    params={"min_days": 180},
    basis="Keeping logs at least six months is the retention 8.1.5.4 d requires; less is case 6.5.1.2, which allows no mitigation.",
)
def log_retention(ev: EvidenceView, p: Params) -> Verdict:
    """FAIL if any key log is known to be kept too briefly, MANUAL if any is missing or unknown, else PASS.

    A known shortfall already breaks the requirement, so it wins over unknowns.
    Key logs are the auth, system and (where auditd is installed) audit logs.
    """
    r = ev.facts(LOG_RETENTION)
    threshold = int(p["min_days"])
    key_logs = [e for e in r["logs"] if e["key"]]
    by_class = {c: [e for e in key_logs if _classify(e, threshold) == c] for c in ("ok", "short", "unknown")}
    missing = list(r["missing_key_logs"])
    observed = {
        "min_days": r["min_days"],
        "short": [{"log": e["log"], "days": e["days"], "at_most": e["at_most"]} for e in by_class["short"]],
        "unknown": [e["log"] for e in by_class["unknown"]],
        "missing": missing,
    }
    if by_class["short"]:
        worst = by_class["short"][0]
        kept = worst["days"] if worst["days"] is not None else worst["at_most"]
        return Verdict.fail(KEPT_TOO_SHORT(log=worst["log"], days=kept, threshold=threshold, basis=worst["basis"]), **observed)
    if missing or by_class["unknown"]:
        unknown = [f"{e['log']}: {e['basis']}" for e in by_class["unknown"]]
        if missing and unknown:
            gaps = RETENTION_NO_POLICY_AND_UNKNOWN(missing=missing, unknown=unknown)
        elif missing:
            gaps = RETENTION_NO_POLICY(missing=missing)
        else:
            gaps = RETENTION_UNKNOWN(unknown=unknown)
        return Verdict.manual(gaps, **observed)
    return Verdict.ok(KEPT(threshold=threshold), **observed)


SYNCHRONISED = message("LNX-TIME-001/synchronised", en="clock synchronised ({basis})", zh="时钟已同步（{basis}）")
NOT_SYNCHRONISED = message("LNX-TIME-001/not-synchronised", en="the clock is not synchronised", zh="时钟未同步")
NOT_CONFIGURED = message(
    "LNX-TIME-001/not-configured",
    en="no time synchronisation daemon with servers is configured",
    zh="未配置带有时间服务器的时间同步服务",
)
SYNC_UNKNOWN = message(
    "LNX-TIME-001/state-unknown",
    en="time servers are configured but the synchronisation state could not be read",
    zh="已配置时间服务器，但无法读取同步状态",
)


@check(
    id="LNX-TIME-001",
    title=Text(zh="系统时间与可信时间源同步", en="System clock is synchronised with a time source"),
    remediation=Text(
        zh="安装 chrony，在 /etc/chrony/chrony.conf（或 /etc/chrony.conf）中配置 `server ntp.example.internal iburst`，执行 systemctl enable --now chronyd（Debian 上为 chrony）。",
        en="Install chrony, add `server ntp.example.internal iburst` to /etc/chrony/chrony.conf (or /etc/chrony.conf) and run systemctl enable --now chrony (chronyd on RHEL).",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-13", "L3-SMC1-10"),
    domains=(InsurerDomain.TIME_SYNC,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(TIMESYNC,),
    basis="Audit records must carry correct date and time (8.1.4.3 b) and be analysed across devices (8.1.5.4 d); both need a synchronised clock. No clause names NTP.",
)
def time_synchronised(ev: EvidenceView, p: Params) -> Verdict:
    t = ev.facts(TIMESYNC)
    daemons = [d["daemon"] for d in t["daemons"] if d["servers"]]
    observed = {"daemons": daemons, "synchronised": t["synchronised"], "basis": t["sync_basis"]}
    if t["synchronised"] is True:
        return Verdict.ok(SYNCHRONISED(basis=t["sync_basis"]), **observed)
    if t["synchronised"] is False:
        return Verdict.fail(NOT_SYNCHRONISED(), **observed)
    if not t["configured"]:
        return Verdict.fail(NOT_CONFIGURED(), **observed)
    return Verdict.manual(SYNC_UNKNOWN(), **observed)
