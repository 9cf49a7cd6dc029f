"""Patching, endpoint protection, file integrity and backup checks."""

from __future__ import annotations

from typing import List, Tuple, Union

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.packages import (
    BACKUP,
    FREQ_DAYS,
    PACKAGES,
    SECURITY_SOFTWARE,
    AideDatabaseFacts,
    BackupFacts,
    BackupJobFacts,
    NetdiskUploadFacts,
    ProductFacts,
    ProductKind,
)

# What LNX-EDR-001 accepts: EDR, anti-malware or HIDS; file-integrity tools ("fim") have their own check.
_PROTECTION_KINDS: Tuple[ProductKind, ...] = ("edr", "av", "hids")


@check(
    id="LNX-PKG-001",
    title=Text(zh="没有待安装的安全更新", en="No security updates are pending"),
    remediation=Text(
        zh="安装安全更新：Debian/Ubuntu 执行 apt-get update && apt-get upgrade；openEuler/RHEL 执行 dnf upgrade --security；需要时重启。",
        en="Install security updates: apt-get update && apt-get upgrade on Debian/Ubuntu, dnf upgrade --security on openEuler/RHEL; reboot where required.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(PACKAGES,),
    # Package indexes older than this may hide newer advisories.
    params={"max_pending": 0, "max_index_age_days": 30},
)
def security_updates(ev: EvidenceView, p: Params) -> Verdict:
    su = ev.facts(PACKAGES)["security_updates"]
    if not su["available"]:
        return Verdict.manual(f"pending updates could not be listed: {su.get('reason')}")
    count = su.get("count", 0)
    observed = {"count": count, "packages": list(su.get("packages") or [])[:20], "basis": su.get("basis")}
    if su.get("advisories"):
        observed["advisories"] = list(su["advisories"])[:20]
    age = su.get("lists_age_days")
    if age is not None:
        observed["index_age_days"] = age
    if count > int(p["max_pending"]):
        return Verdict.fail(f"{count} package(s) have pending security updates", **observed)
    if age is not None and age > int(p["max_index_age_days"]):
        return Verdict.manual(
            f"no pending updates in package indexes that are {age} days old; refresh them (apt update) and re-assess",
            **observed,
        )
    return Verdict.ok("no pending security updates in the local package metadata", **observed)


@check(
    id="LNX-PKG-002",
    title=Text(zh="已配置自动安装安全更新", en="Automatic security updates are configured"),
    remediation=Text(
        zh='Debian/Ubuntu：apt install unattended-upgrades，并在 /etc/apt/apt.conf.d/20auto-upgrades 中设置 APT::Periodic::Unattended-Upgrade "1";。openEuler/RHEL：dnf install dnf-automatic，在 /etc/dnf/automatic.conf 中设置 upgrade_type = security 与 apply_updates = yes，执行 systemctl enable --now dnf-automatic.timer。',
        en='Debian/Ubuntu: apt install unattended-upgrades and set APT::Periodic::Unattended-Upgrade "1"; in /etc/apt/apt.conf.d/20auto-upgrades. openEuler/RHEL: dnf install dnf-automatic, set upgrade_type = security and apply_updates = yes in /etc/dnf/automatic.conf, then systemctl enable --now dnf-automatic.timer.',
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=(CoverageLine.CYBER_EXTORTION,),
    needs=(PACKAGES,),
)
def auto_updates(ev: EvidenceView, p: Params) -> Verdict:
    au = ev.facts(PACKAGES)["auto_updates"]
    if au["enabled"]:
        return Verdict.ok(f"{au['mechanism']} applies updates automatically", **au)
    return Verdict.fail(f"{au['mechanism']} is not installed or not enabled", **au)


def _products(ev: EvidenceView) -> List[ProductFacts]:
    return list(ev.facts(SECURITY_SOFTWARE)["products"])


@check(
    id="LNX-EDR-001",
    title=Text(zh="已部署防恶意代码、EDR 或主机入侵检测软件", en="Anti-malware, EDR or host intrusion detection is deployed"),
    remediation=Text(
        zh="部署企业 EDR/防病毒或 HIDS 代理（例如 Wazuh agent、ClamAV + freshclam、或厂商 EDR），并接入统一管理平台。",
        en="Deploy an enterprise EDR/anti-malware or HIDS agent (e.g. Wazuh agent, ClamAV with freshclam, or a vendor EDR) managed from a central console.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-23", "L3-CES1-22"),
    domains=(InsurerDomain.ENDPOINT_PROTECTION,),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(SECURITY_SOFTWARE,),
    high_risk_case="6.4.4.1",
)
def endpoint_protection(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SECURITY_SOFTWARE)
    found = [x for x in _products(ev) if x["kind"] in _PROTECTION_KINDS]
    products = [{"name": x["name"], "kind": x["kind"], "running": x["running"]} for x in found]
    running = [x for x in found if x["running"]]
    if running:
        return Verdict.ok(f"running: {', '.join(x['name'] for x in running)}", products=products)
    if not found:
        left = [x["name"] for x in facts["leftovers"]]
        why = f"; only leftover files of {', '.join(left)}" if left else ""
        return Verdict.fail(f"no EDR, anti-malware or HIDS product installed (packages, units, processes){why}")
    names = ", ".join(x["name"] for x in found)
    if not facts["process_table_seen"]:
        return Verdict.manual(f"{names} installed; the process table could not be read to confirm it runs", products=products)
    return Verdict.manual(
        f"{names} installed but no process of it is running; start and enable it (systemctl enable --now <unit>)",
        products=products,
    )


@check(
    id="LNX-EDR-002",
    title=Text(zh="防病毒特征库保持更新", en="Anti-malware signatures are up to date"),
    remediation=Text(
        zh="确认特征库自动更新正常（例如 systemctl enable --now clamav-freshclam，检查 /etc/clamav/freshclam.conf 的镜像地址与代理），必要时手动执行 freshclam。",
        en="Make signature updates work (e.g. systemctl enable --now clamav-freshclam; check mirrors and proxy in /etc/clamav/freshclam.conf); run freshclam manually if needed.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-23",),
    domains=(InsurerDomain.ENDPOINT_PROTECTION,),
    coverage=(CoverageLine.CYBER_EXTORTION,),
    needs=(SECURITY_SOFTWARE,),
    high_risk_case="6.4.4.1",
    params={"max_age_days": 30},
)
def av_signatures_fresh(ev: EvidenceView, p: Params) -> Verdict:
    avs = [x for x in _products(ev) if x.get("signatures") is not None]
    if not avs:
        return Verdict.na("no anti-malware product with a locally inspectable signature database")
    for av in avs:
        sig = av["signatures"]
        age = sig["age_days"]
        if age is None:
            return Verdict.manual(f"{av['name']} signature age unknown: {sig.get('reason')}")
        if age > int(p["max_age_days"]):
            return Verdict.fail(
                f"{av['name']} signatures are {age} days old", product=av["name"], age_days=age, database=sig["database"]
            )
    return Verdict.ok("signatures are fresh", ages={a["name"]: a["signatures"]["age_days"] for a in avs})


@check(
    id="LNX-EDR-003",
    title=Text(zh="部署文件完整性监控并已建立基线库", en="File integrity monitoring is installed with a baseline database"),
    remediation=Text(
        zh="安装 AIDE（apt install aide / dnf install aide），执行 aideinit（Debian）或 aide --init 后将 aide.db.new.gz 改名为 aide.db.gz，并配置每日校验任务。",
        en="Install AIDE (apt install aide / dnf install aide), build the baseline with aideinit (Debian) or aide --init and rename aide.db.new.gz to aide.db.gz, then schedule a daily check.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-24", "L3-CES1-26"),
    domains=(InsurerDomain.INTEGRITY_BOOT,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(SECURITY_SOFTWARE,),
)
def file_integrity(ev: EvidenceView, p: Params) -> Verdict:
    fims = [x for x in _products(ev) if x["kind"] == "fim"]
    if not fims:
        return Verdict.fail("no file integrity tool (AIDE, Tripwire) found")
    dbs: List[AideDatabaseFacts] = []
    for fim in fims:
        db = fim.get("database")
        if db is None or db["present"]:
            return Verdict.ok(f"{fim['name']} is installed with a database", product=fim["name"])
        dbs.append(db)
    if any(db["present"] is None for db in dbs):
        return Verdict.manual("the AIDE database location could not be read")
    return Verdict.fail("AIDE is installed but its database was never initialised", products=[f["name"] for f in fims])


def _backup(ev: EvidenceView) -> BackupFacts:
    return ev.facts(BACKUP)


@check(
    id="LNX-BAK-001",
    title=Text(zh="存在定期数据备份任务", en="A scheduled data backup job exists"),
    remediation=Text(
        zh="为重要数据配置定期备份（例如 restic/borg 的 systemd 定时器，或数据库每日 mysqldump/pg_dump），备份到独立的备份服务器或对象存储，并定期做恢复演练。",
        en="Schedule backups of important data (e.g. a restic/borg systemd timer, or a daily mysqldump/pg_dump) to a separate backup server or object store, and test restores regularly.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-29",),
    domains=(InsurerDomain.BACKUP,),
    coverage=(CoverageLine.DATA_ASSET_REPLACEMENT, CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.CYBER_EXTORTION),
    needs=(BACKUP,),
    high_risk_case="6.4.6.1",
)
def backup_exists(ev: EvidenceView, p: Params) -> Verdict:
    b = _backup(ev)
    jobs = list(b["jobs"])
    if jobs:
        return Verdict.ok(f"{len(jobs)} backup job(s) scheduled", jobs=jobs[:10])
    if not b["complete"]:
        return Verdict.manual(f"no backup job in readable files; could not read {', '.join(b['unreadable'])} (run as root)")
    return Verdict.fail("no scheduled backup job found in cron or systemd timers", netdisk_uploads=len(b["netdisk_uploads"]))


@check(
    id="LNX-BAK-002",
    title=Text(zh="备份频率不低于每周一次", en="Backups run at least weekly"),
    remediation=Text(
        zh="将备份计划调整为至少每周一次（重要数据建议每日），例如 cron `30 2 * * *` 或 systemd OnCalendar=daily。",
        en="Schedule backups at least weekly (daily for important data), e.g. cron `30 2 * * *` or systemd OnCalendar=daily.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-29",),
    domains=(InsurerDomain.BACKUP,),
    coverage=(CoverageLine.DATA_ASSET_REPLACEMENT,),
    needs=(BACKUP,),
    params={"max_interval_days": 7},
)
def backup_frequency(ev: EvidenceView, p: Params) -> Verdict:
    b = _backup(ev)
    copies: List[Union[BackupJobFacts, NetdiskUploadFacts]] = [*b["jobs"], *b["netdisk_uploads"]]
    known = [c for c in copies if c["schedule"] in FREQ_DAYS]
    if not copies:
        if not b["complete"]:
            return Verdict.manual("no backup job visible; some crontabs could not be read")
        return Verdict.na("no backup job to assess")
    if not known:
        return Verdict.manual("backup schedules could not be interpreted", schedules=sorted({c["schedule"] for c in copies}))
    best = min(known, key=lambda c: FREQ_DAYS[c["schedule"]])
    observed = {"most_frequent": best["schedule"], "file": best["file"]}
    if FREQ_DAYS[best["schedule"]] > int(p["max_interval_days"]):
        return Verdict.fail(f"the most frequent backup runs {best['schedule']}", **observed)
    return Verdict.ok(f"backups run {best['schedule']}", **observed)


@check(
    id="LNX-BAK-003",
    title=Text(zh="未将备份上传到互联网网盘", en="Backups are not uploaded to internet net-disks"),
    remediation=Text(
        zh="停止向百度网盘、阿里云盘、115 等公共网盘上传备份，删除网盘中的副本与令牌；改为备份到自有备份服务器或受控的对象存储（开启加密与访问控制）。",
        en="Stop uploading backups to consumer net-disks (Baidu, Aliyun Drive, 115, ...), delete the copies and revoke the tokens; back up to an owned backup server or a controlled, encrypted object store instead.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-29",),
    domains=(InsurerDomain.BACKUP,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.DATA_ASSET_REPLACEMENT),
    needs=(BACKUP,),
    high_risk_case="6.4.6.1",
)
def no_netdisk_backup(ev: EvidenceView, p: Params) -> Verdict:
    b = _backup(ev)
    uploads = list(b["netdisk_uploads"])
    if uploads:
        return Verdict.fail(f"{len(uploads)} scheduled upload(s) to an internet net-disk", uploads=uploads[:10])
    if not b["complete"]:
        return Verdict.manual(f"no net-disk upload in readable files; could not read {', '.join(b['unreadable'])}")
    return Verdict.ok("no scheduled uploads to internet net-disks")
