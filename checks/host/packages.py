"""Patching, endpoint protection, file integrity and backup checks."""

from __future__ import annotations

from typing import Dict, List, Tuple, Union, cast

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.packages import (
    BACKUP,
    FREQ_DAYS,
    OFF_HOST,
    PACKAGES,
    SECURITY_SOFTWARE,
    BackupFacts,
    BackupJobFacts,
    NetdiskUploadFacts,
    ProductFacts,
    ProductKind,
)
from collectors.strictjson import JSON

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
    basis="L3-CES1-21 (8.1.4.4 e) asks that known vulnerabilities be found and patched promptly; security updates pending in the package metadata are known, published vulnerabilities not yet patched on this host.",
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
    basis="L3-CES1-21 (8.1.4.4 e): automatic installation of security updates is how a host keeps patching known vulnerabilities promptly between assessments.",
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
    high_risk_case="6.4.4.1",
    domains=(InsurerDomain.ENDPOINT_PROTECTION,),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(SECURITY_SOFTWARE,),
    basis="L3-CES1-23 (8.1.4.5 a) requires anti-malware that spots and blocks intrusion and virus behaviour, and L3-CES1-22 (8.1.4.4 f) intrusion detection on important nodes: a running EDR, anti-malware or HIDS agent is that measure; none at all is high-risk case 6.4.4.1.",
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
    high_risk_case="6.4.4.1",
    domains=(InsurerDomain.ENDPOINT_PROTECTION,),
    coverage=(CoverageLine.CYBER_EXTORTION,),
    needs=(SECURITY_SOFTWARE,),
    params={"max_age_days": 30},
    basis="L3-CES1-23 (8.1.4.5 a): anti-malware only identifies what its signatures know; signatures more than a month old are the second condition of high-risk case 6.4.4.1.",
)
def av_signatures_fresh(ev: EvidenceView, p: Params) -> Verdict:
    """Every product with a signature database is judged: a stale one fails even when another's age is unknown."""
    avs = [x for x in _products(ev) if x.get("signatures") is not None]
    if not avs:
        return Verdict.na("no anti-malware product with a locally inspectable signature database")
    limit = int(p["max_age_days"])
    ages: Dict[str, JSON] = {}
    stale: List[str] = []
    unknown: List[str] = []
    for av in avs:
        sig = av["signatures"]
        age = sig["age_days"]
        ages[av["name"]] = age
        if age is None:
            unknown.append(f"{av['name']} ({sig.get('reason') or 'no database time'})")
        elif age > limit:
            stale.append(f"{av['name']} signatures are {age} days old ({sig['database']})")
    if stale:
        extra = f"; age unknown for {', '.join(unknown)}" if unknown else ""
        return Verdict.fail("; ".join(stale) + extra, ages=ages, max_age_days=limit)
    if unknown:
        return Verdict.manual(f"signature age unknown for {', '.join(unknown)}", ages=ages)
    return Verdict.ok("signatures are fresh", ages=ages)


@check(
    id="LNX-EDR-003",
    title=Text(zh="部署文件完整性监控并已建立基线库", en="File integrity monitoring is installed with a baseline database"),
    remediation=Text(
        zh="安装 AIDE（apt install aide / dnf install aide），执行 aideinit（Debian）或 aide --init 后将 aide.db.new.gz 改名为 aide.db.gz，并配置每日校验任务。",
        en="Install AIDE (apt install aide / dnf install aide), build the baseline with aideinit (Debian) or aide --init and rename aide.db.new.gz to aide.db.gz, then schedule a daily check.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-26", "L3-CES1-22"),
    domains=(InsurerDomain.INTEGRITY_BOOT,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(SECURITY_SOFTWARE,),
    basis="L3-CES1-24 (8.1.4.6 a) verifies system programs and configuration against a trusted baseline and L3-CES1-26 (8.1.4.7 b) the integrity of important data at rest: a file-integrity tool does both only once its baseline database exists.",
)
def file_integrity(ev: EvidenceView, p: Params) -> Verdict:
    """An integrity tool without a baseline database checks nothing: the database is required, for every tool."""
    fims = [x for x in _products(ev) if x["kind"] == "fim"]
    if not fims:
        return Verdict.fail("no file integrity tool (AIDE, Tripwire) found")
    missing: List[str] = []
    unknown: List[str] = []
    for fim in fims:
        db = fim.get("database")
        if db is None:
            unknown.append(f"{fim['name']} (its database was not looked for)")
        elif db["present"]:
            return Verdict.ok(
                f"{fim['name']} is installed with a baseline database", product=fim["name"], database=db.get("path")
            )
        elif db["present"] is None:
            unknown.append(f"{fim['name']} ({db.get('reason') or 'database location unreadable'})")
        else:
            missing.append(fim["name"])
    names = [f["name"] for f in fims]
    if unknown:
        why = f"; {', '.join(missing)} has no database" if missing else ""
        return Verdict.manual(f"whether a baseline database exists could not be read: {', '.join(unknown)}{why}", products=names)
    return Verdict.fail(
        f"{', '.join(missing)} installed but the baseline database was never initialised (aide --init / tripwire --init)",
        products=names,
    )


def _backup(ev: EvidenceView) -> BackupFacts:
    return ev.facts(BACKUP)


Copy = Union[BackupJobFacts, NetdiskUploadFacts]


def _copies(b: BackupFacts) -> List[Copy]:
    """Every scheduled backup copy: the jobs and the net-disk uploads, judged alike by LNX-BAK-001, -002 and -003."""
    return [*b["jobs"], *b["netdisk_uploads"]]


def _where(c: Copy) -> str:
    """One copy in a reason: tool and target, and the file that schedules it."""
    if "tool" in c:
        job = cast(BackupJobFacts, c)
        what = f"{job['tool']} -> {job.get('target') or job['destination']}"
    else:
        what = f"upload to {c['service']}"
    via = f" via {c['via']}" if c.get("via") else ""
    return f"{what} ({c['file']}{via})"


def _job_view(j: BackupJobFacts) -> Dict[str, JSON]:
    out: Dict[str, JSON] = {"tool": j["tool"], "schedule": j["schedule"], "file": j["file"], "destination": j["destination"]}
    for key in ("target", "via"):
        if key in j:
            out[key] = j[key]
    if "last_success" in j:
        out["last_success_days"] = j["last_success"]["age_days"]
    return out


@check(
    id="LNX-BAK-001",
    title=Text(
        zh="存在定期数据备份任务，且备份副本保存在本机之外",
        en="A scheduled data backup job exists and keeps its copy off this host",
    ),
    remediation=Text(
        zh="为重要数据配置定期备份（例如 restic/borg 的 systemd 定时器，或数据库每日 mysqldump/pg_dump），备份到独立的备份服务器或对象存储（不要只留在本机磁盘），并定期做恢复演练、检查最近一次成功备份的时间。",
        en="Schedule backups of important data (e.g. a restic/borg systemd timer, or a daily mysqldump/pg_dump) to a separate backup server or object store (not only a disk of this host), test restores regularly and watch the time of the last successful backup.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-29",),
    high_risk_case="6.4.6.1",
    domains=(InsurerDomain.BACKUP,),
    coverage=(CoverageLine.DATA_ASSET_REPLACEMENT, CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.CYBER_EXTORTION),
    needs=(BACKUP,),
    # Age of the last successful off-host copy, where the tool keeps a record (DOMAIN §7: weekly is the common carrier line).
    params={"max_age_days": 7},
    basis="L3-CES1-29 (8.1.4.9 a) requires backup and recovery of important data, and high-risk case 6.4.6.1 is no backup or backups on an internet net-disk; a scheduled job is the evidence, and only a copy that leaves the host survives the loss of the host (DOMAIN §7 Q28-29).",
)
def backup_exists(ev: EvidenceView, p: Params) -> Verdict:
    """A backup counts when its copy leaves the host; a copy on this host's own disks dies with it (ransomware, disk loss)."""
    b = _backup(ev)
    copies = _copies(b)
    jobs = list(b["jobs"])
    observed: Dict[str, JSON] = {"jobs": [_job_view(j) for j in jobs[:10]], "netdisk_uploads": len(b["netdisk_uploads"])}
    if not copies:
        if not b["complete"]:
            return Verdict.manual(f"no backup job in readable files; could not read {', '.join(b['unreadable'])} (run as root)")
        return Verdict.fail("no scheduled backup job found in cron, the scripts cron runs, or systemd timers")
    limit = int(p["max_age_days"])
    off = [j for j in jobs if j["destination"] in OFF_HOST]
    if off:
        fresh = [j for j in off if "last_success" not in j or j["last_success"]["age_days"] <= limit]
        if fresh:
            ages = [j["last_success"]["age_days"] for j in fresh if "last_success" in j]
            when = f"; last success {min(ages)} day(s) ago" if ages else "; no local record of the last success"
            return Verdict.ok(
                f"{len(off)} backup job(s) copy data off this host: {', '.join(_where(j) for j in off[:5])}{when}", **observed
            )
        newest = min(j["last_success"]["age_days"] for j in off if "last_success" in j)
        basis = next(j["last_success"]["basis"] for j in off if j["last_success"]["age_days"] == newest)
        return Verdict.fail(
            f"off-host backups exist but the last one succeeded {newest} days ago (limit {limit}; from the {basis})",
            last_success_days=newest,
            **observed,
        )
    unknown = [j for j in jobs if j["destination"] == "unknown"]
    same = [j for j in jobs if j["destination"] == "same_host"]
    netdisk: List[Copy] = [*b["netdisk_uploads"]]
    rest = [*(_where(c) for c in same), *(_where(c) for c in netdisk)]
    if unknown:
        also = f"; the other copies stay on this host or go to a net-disk: {', '.join(rest[:5])}" if rest else ""
        return Verdict.manual(
            f"where {len(unknown)} backup job(s) put the copy could not be determined: {', '.join(_where(j) for j in unknown[:5])}{also}",
            **observed,
        )
    if not b["complete"]:
        return Verdict.manual(
            f"the backups found do not leave this host ({', '.join(rest[:5])}); could not read {', '.join(b['unreadable'])}, "
            "where an off-host job may be (run as root)",
            **observed,
        )
    parts = []
    if same:
        parts.append(
            f"same-host copy only: {', '.join(_where(j) for j in same[:5])}; a disk failure, ransomware or the loss of this host takes it too"
        )
    if netdisk:
        which = "the other copies go" if same else "the only copies go"
        parts.append(f"{which} to an internet net-disk (see LNX-BAK-003): {', '.join(_where(c) for c in netdisk[:5])}")
    return Verdict.fail("no backup copy leaves this host for a backup server or object store: " + "; ".join(parts), **observed)


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
    basis="L3-CES1-29 (8.1.4.9 a): GB/T 28448 examines the backup strategy; a backup older than the data lost is no recovery, and carriers ask for at least weekly backups (DOMAIN §7 Q28).",
)
def backup_frequency(ev: EvidenceView, p: Params) -> Verdict:
    b = _backup(ev)
    copies = _copies(b)
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
        zh="停止向百度网盘、阿里云盘、115、OneDrive 等公共网盘上传备份（包括经 rclone 或 restic -r rclone: 上传），删除网盘中的副本与令牌；改为备份到自有备份服务器或受控的对象存储（开启加密与访问控制）。",
        en="Stop uploading backups to consumer net-disks (Baidu, Aliyun Drive, 115, OneDrive, ..., including through rclone or restic -r rclone:), delete the copies and revoke the tokens; back up to an owned backup server or a controlled, encrypted object store instead.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-29",),
    high_risk_case="6.4.6.1",
    domains=(InsurerDomain.BACKUP,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.DATA_ASSET_REPLACEMENT),
    needs=(BACKUP,),
    basis="L3-CES1-29 (8.1.4.9 a) with high-risk case 6.4.6.1: backups kept on an internet net-disk are high risk and cannot be mitigated.",
)
def no_netdisk_backup(ev: EvidenceView, p: Params) -> Verdict:
    """Judged over the same copies as LNX-BAK-001: with no backup at all there is nothing to judge (not applicable)."""
    b = _backup(ev)
    uploads = list(b["netdisk_uploads"])
    if uploads:
        return Verdict.fail(f"{len(uploads)} scheduled upload(s) to an internet net-disk", uploads=uploads[:10])
    if not _copies(b):
        if not b["complete"]:
            return Verdict.manual(f"no backup job in readable files; could not read {', '.join(b['unreadable'])}")
        return Verdict.na("no backup job to assess (see LNX-BAK-001)")
    if not b["complete"]:
        return Verdict.manual(f"no net-disk upload in readable files; could not read {', '.join(b['unreadable'])}")
    return Verdict.ok(f"{len(b['jobs'])} backup job(s); none uploads to an internet net-disk")
