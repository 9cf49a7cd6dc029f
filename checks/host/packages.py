"""Patching, endpoint protection, file integrity and backup checks."""

from __future__ import annotations

from typing import Dict, List, Tuple, Union, cast

from checks.messages import message
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


UPDATES_UNLISTED = message(
    "LNX-PKG-001/unlisted", en="pending updates could not be listed: {detail}", zh="无法列出待安装的更新：{detail}"
)
PENDING = message(
    "LNX-PKG-001/pending", en="{count} package(s) have pending security updates", zh="{count} 个软件包有待安装的安全更新"
)
STALE_INDEX = message(
    "LNX-PKG-001/stale-index",
    en="no pending updates in package indexes that are {age} days old; refresh them (apt update) and re-assess",
    zh="软件包索引已有 {age} 天未更新，其中没有待安装的更新；请刷新索引（apt update）后重新评估",
)
NO_PENDING = message(
    "LNX-PKG-001/none",
    en="no pending security updates in the local package metadata",
    zh="本地软件包元数据中没有待安装的安全更新",
)


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
        return Verdict.manual(UPDATES_UNLISTED(detail=su.get("reason")))
    count = su.get("count", 0)
    observed = {"count": count, "packages": list(su.get("packages") or [])[:20], "basis": su.get("basis")}
    if su.get("advisories"):
        observed["advisories"] = list(su["advisories"])[:20]
    age = su.get("lists_age_days")
    if age is not None:
        observed["index_age_days"] = age
    if count > int(p["max_pending"]):
        return Verdict.fail(PENDING(count=count), **observed)
    if age is not None and age > int(p["max_index_age_days"]):
        return Verdict.manual(STALE_INDEX(age=age), **observed)
    return Verdict.ok(NO_PENDING(), **observed)


AUTO_ON = message("LNX-PKG-002/enabled", en="{mechanism} applies updates automatically", zh="{mechanism} 自动安装更新")
AUTO_OFF = message("LNX-PKG-002/disabled", en="{mechanism} is not installed or not enabled", zh="{mechanism} 未安装或未启用")


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
        return Verdict.ok(AUTO_ON(mechanism=au["mechanism"]), **au)
    return Verdict.fail(AUTO_OFF(mechanism=au["mechanism"]), **au)


def _products(ev: EvidenceView) -> List[ProductFacts]:
    return list(ev.facts(SECURITY_SOFTWARE)["products"])


PROTECTION_RUNNING = message("LNX-EDR-001/running", en="running: {products}", zh="正在运行：{products}")
_NO_PROTECTION_EN = "no EDR, anti-malware or HIDS product installed (packages, units, processes)"
_NO_PROTECTION_ZH = "未安装 EDR、防恶意代码或 HIDS 产品（已检查软件包、单元、进程）"
NO_PROTECTION = message("LNX-EDR-001/none", en=_NO_PROTECTION_EN, zh=_NO_PROTECTION_ZH)
LEFTOVERS_ONLY = message(
    "LNX-EDR-001/leftovers-only",
    en=_NO_PROTECTION_EN + "; only leftover files of {leftovers}",
    zh=_NO_PROTECTION_ZH + "；仅有 {leftovers} 的残留文件",
)
NOT_CONFIRMED = message(
    "LNX-EDR-001/not-confirmed",
    en="{products} installed; the process table could not be read to confirm it runs",
    zh="已安装 {products}；无法读取进程表以确认其正在运行",
)
NOT_RUNNING = message(
    "LNX-EDR-001/not-running",
    en="{products} installed but no process of it is running; start and enable it (systemctl enable --now <unit>)",
    zh="已安装 {products}，但没有其进程在运行；请启动并设为开机启用（systemctl enable --now <单元>）",
)


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
        return Verdict.ok(PROTECTION_RUNNING(products=[x["name"] for x in running]), products=products)
    if not found:
        left = [x["name"] for x in facts["leftovers"]]
        return Verdict.fail(LEFTOVERS_ONLY(leftovers=left) if left else NO_PROTECTION())
    names = [x["name"] for x in found]
    if not facts["process_table_seen"]:
        return Verdict.manual(NOT_CONFIRMED(products=names), products=products)
    return Verdict.manual(NOT_RUNNING(products=names), products=products)


NO_SIGNATURE_DB = message(
    "LNX-EDR-002/no-database",
    en="no anti-malware product with a locally inspectable signature database",
    zh="没有可在本地检查特征库的防恶意代码产品",
)
_STALE_EN = "{product} signatures are {age} days old ({database})"
_STALE_ZH = "{product} 特征库已有 {age} 天未更新（{database}）"
_ALSO_EN, _ALSO_ZH = "; also stale: {others}", "；特征库同样过期的还有：{others}"
_UNKNOWN_EN, _UNKNOWN_ZH = "; age unknown for {unknown}", "；无法确定特征库时间：{unknown}"
STALE = message("LNX-EDR-002/stale", en=_STALE_EN, zh=_STALE_ZH)
STALE_MORE = message("LNX-EDR-002/stale-several", en=_STALE_EN + _ALSO_EN, zh=_STALE_ZH + _ALSO_ZH)
STALE_SOME_UNKNOWN = message("LNX-EDR-002/stale-some-unknown", en=_STALE_EN + _UNKNOWN_EN, zh=_STALE_ZH + _UNKNOWN_ZH)
STALE_MORE_SOME_UNKNOWN = message(
    "LNX-EDR-002/stale-several-some-unknown",
    en=_STALE_EN + _ALSO_EN + _UNKNOWN_EN,
    zh=_STALE_ZH + _ALSO_ZH + _UNKNOWN_ZH,
)
AGE_UNKNOWN = message("LNX-EDR-002/age-unknown", en="signature age unknown for {unknown}", zh="无法确定特征库时间：{unknown}")
FRESH = message("LNX-EDR-002/fresh", en="signatures are fresh", zh="特征库均在有效期内")


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
        return Verdict.na(NO_SIGNATURE_DB())
    limit = int(p["max_age_days"])
    ages: Dict[str, JSON] = {}
    stale: List[Dict[str, JSON]] = []
    unknown: List[str] = []
    for av in avs:
        sig = av["signatures"]
        age = sig["age_days"]
        ages[av["name"]] = age
        if age is None:
            why = sig.get("reason")
            unknown.append(f"{av['name']} ({why})" if why else av["name"])
        elif age > limit:
            stale.append({"product": av["name"], "age": age, "database": sig["database"]})
    if stale:
        first, others = stale[0], [str(s["product"]) for s in stale[1:]]
        if others and unknown:
            reason = STALE_MORE_SOME_UNKNOWN(**first, others=others, unknown=unknown)
        elif others:
            reason = STALE_MORE(**first, others=others)
        elif unknown:
            reason = STALE_SOME_UNKNOWN(**first, unknown=unknown)
        else:
            reason = STALE(**first)
        return Verdict.fail(reason, ages=ages, max_age_days=limit)
    if unknown:
        return Verdict.manual(AGE_UNKNOWN(unknown=unknown), ages=ages)
    return Verdict.ok(FRESH(), ages=ages)


NO_FIM = message(
    "LNX-EDR-003/none", en="no file integrity tool (AIDE, Tripwire) found", zh="未发现文件完整性工具（AIDE、Tripwire）"
)
BASELINE = message(
    "LNX-EDR-003/baseline", en="{product} is installed with a baseline database", zh="已安装 {product} 并已建立基线库"
)
_BASELINE_UNKNOWN_EN = "whether a baseline database exists could not be read: {unknown}"
_BASELINE_UNKNOWN_ZH = "无法读取基线库是否存在：{unknown}"
BASELINE_UNKNOWN = message("LNX-EDR-003/baseline-unknown", en=_BASELINE_UNKNOWN_EN, zh=_BASELINE_UNKNOWN_ZH)
BASELINE_UNKNOWN_SOME_MISSING = message(
    "LNX-EDR-003/baseline-unknown-some-missing",
    en=_BASELINE_UNKNOWN_EN + "; {missing} has no database",
    zh=_BASELINE_UNKNOWN_ZH + "；{missing} 没有基线库",
)
NO_BASELINE = message(
    "LNX-EDR-003/no-baseline",
    en="{missing} installed but the baseline database was never initialised (aide --init / tripwire --init)",
    zh="已安装 {missing}，但从未初始化基线库（aide --init / tripwire --init）",
)


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
        return Verdict.fail(NO_FIM())
    missing: List[str] = []
    unknown: List[str] = []
    for fim in fims:
        db = fim.get("database")
        if db is None:
            unknown.append(fim["name"])  # evidence from before the database was looked for
        elif db["present"]:
            return Verdict.ok(BASELINE(product=fim["name"]), product=fim["name"], database=db.get("path"))
        elif db["present"] is None:
            why = db.get("reason")
            unknown.append(f"{fim['name']} ({why})" if why else fim["name"])
        else:
            missing.append(fim["name"])
    names = [f["name"] for f in fims]
    if unknown:
        reason = BASELINE_UNKNOWN_SOME_MISSING(unknown=unknown, missing=missing) if missing else BASELINE_UNKNOWN(unknown=unknown)
        return Verdict.manual(reason, products=names)
    return Verdict.fail(NO_BASELINE(missing=missing), products=names)


def _backup(ev: EvidenceView) -> BackupFacts:
    return ev.facts(BACKUP)


Copy = Union[BackupJobFacts, NetdiskUploadFacts]


def _copies(b: BackupFacts) -> List[Copy]:
    """Every scheduled backup copy: the jobs and the net-disk uploads, judged alike by LNX-BAK-001, -002 and -003."""
    return [*b["jobs"], *b["netdisk_uploads"]]


def _where(c: Copy) -> str:
    """One copy in a reason (data, the same in every language): tool -> target, or the net-disk, and
    the file that schedules it (-> the script it runs, when the copy is made there)."""
    if "tool" in c:
        job = cast(BackupJobFacts, c)
        what = f"{job['tool']} -> {job.get('target') or job['destination']}"
    else:
        what = c["service"]
    via = f" -> {c['via']}" if c.get("via") else ""
    return f"{what} ({c['file']}{via})"


def _job_view(j: BackupJobFacts) -> Dict[str, JSON]:
    out: Dict[str, JSON] = {"tool": j["tool"], "schedule": j["schedule"], "file": j["file"], "destination": j["destination"]}
    for key in ("target", "via"):
        if key in j:
            out[key] = j[key]
    if "last_success" in j:
        out["last_success_days"] = j["last_success"]["age_days"]
    return out


BACKUP_UNREADABLE = message(
    "LNX-BAK-001/unreadable",
    en="no backup job in readable files; could not read {files} (run as root)",
    zh="可读取的文件中没有备份任务；无法读取 {files}（请以 root 身份运行）",
)
NO_BACKUP = message(
    "LNX-BAK-001/none",
    en="no scheduled backup job found in cron, the scripts cron runs, or systemd timers",
    zh="在 cron、cron 调用的脚本和 systemd 定时器中均未发现定期备份任务",
)
_OFF_HOST_EN = "{count} backup job(s) copy data off this host: {jobs}"
_OFF_HOST_ZH = "{count} 个备份任务将数据复制到本机之外：{jobs}"
OFF_HOST_COPIES = message(
    "LNX-BAK-001/off-host",
    en=_OFF_HOST_EN + "; last success {days} day(s) ago",
    zh=_OFF_HOST_ZH + "；最近一次成功在 {days} 天前",
)
OFF_HOST_NO_RECORD = message(
    "LNX-BAK-001/off-host-no-record",
    en=_OFF_HOST_EN + "; no local record of the last success",
    zh=_OFF_HOST_ZH + "；本机没有最近一次成功的记录",
)
OFF_HOST_STALE = message(
    "LNX-BAK-001/stale",
    en="off-host backups exist but the last one succeeded {days} days ago (limit {limit}; from the {basis})",
    zh="存在异地备份，但最近一次成功在 {days} 天前（上限 {limit} 天；依据：{basis}）",
)
_DESTINATION_UNKNOWN_EN = "where {count} backup job(s) put the copy could not be determined: {jobs}"
_DESTINATION_UNKNOWN_ZH = "无法确定 {count} 个备份任务的副本存放位置：{jobs}"
DESTINATION_UNKNOWN = message("LNX-BAK-001/destination-unknown", en=_DESTINATION_UNKNOWN_EN, zh=_DESTINATION_UNKNOWN_ZH)
DESTINATION_UNKNOWN_WITH_OTHERS = message(
    "LNX-BAK-001/destination-unknown-with-others",
    en=_DESTINATION_UNKNOWN_EN + "; the other copies stay on this host or go to a net-disk: {others}",
    zh=_DESTINATION_UNKNOWN_ZH + "；其余副本留在本机或上传至网盘：{others}",
)
ON_HOST_INCOMPLETE = message(
    "LNX-BAK-001/on-host-incomplete",
    en="the backups found do not leave this host ({copies}); could not read {files}, where an off-host job may be (run as root)",
    zh="发现的备份均未离开本机（{copies}）；无法读取 {files}，其中可能有异地备份任务（请以 root 身份运行）",
)
_NOT_OFF_HOST_EN = "no backup copy leaves this host for a backup server or object store: "
_NOT_OFF_HOST_ZH = "没有备份副本离开本机保存到备份服务器或对象存储："
_SAME_HOST_EN = "same-host copy only: {same_host}; a disk failure, ransomware or the loss of this host takes it too"
_SAME_HOST_ZH = "仅有本机副本：{same_host}；磁盘故障、勒索软件或本机损毁会使其一并丢失"
SAME_HOST_ONLY = message("LNX-BAK-001/same-host-only", en=_NOT_OFF_HOST_EN + _SAME_HOST_EN, zh=_NOT_OFF_HOST_ZH + _SAME_HOST_ZH)
NETDISK_ONLY = message(
    "LNX-BAK-001/netdisk-only",
    en=_NOT_OFF_HOST_EN + "the only copies go to an internet net-disk (see LNX-BAK-003): {netdisk}",
    zh=_NOT_OFF_HOST_ZH + "仅有的副本上传至互联网网盘（见 LNX-BAK-003）：{netdisk}",
)
SAME_HOST_AND_NETDISK = message(
    "LNX-BAK-001/same-host-and-netdisk",
    en=_NOT_OFF_HOST_EN + _SAME_HOST_EN + "; the other copies go to an internet net-disk (see LNX-BAK-003): {netdisk}",
    zh=_NOT_OFF_HOST_ZH + _SAME_HOST_ZH + "；其余副本上传至互联网网盘（见 LNX-BAK-003）：{netdisk}",
)


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
            return Verdict.manual(BACKUP_UNREADABLE(files=list(b["unreadable"])))
        return Verdict.fail(NO_BACKUP())
    limit = int(p["max_age_days"])
    off = [j for j in jobs if j["destination"] in OFF_HOST]
    if off:
        fresh = [j for j in off if "last_success" not in j or j["last_success"]["age_days"] <= limit]
        if fresh:
            ages = [j["last_success"]["age_days"] for j in fresh if "last_success" in j]
            where = [_where(j) for j in off[:5]]
            if ages:
                return Verdict.ok(OFF_HOST_COPIES(count=len(off), jobs=where, days=min(ages)), **observed)
            return Verdict.ok(OFF_HOST_NO_RECORD(count=len(off), jobs=where), **observed)
        newest = min(j["last_success"]["age_days"] for j in off if "last_success" in j)
        basis = next(j["last_success"]["basis"] for j in off if j["last_success"]["age_days"] == newest)
        return Verdict.fail(
            OFF_HOST_STALE(days=newest, limit=limit, basis=basis),
            last_success_days=newest,
            **observed,
        )
    unknown = [j for j in jobs if j["destination"] == "unknown"]
    same = [j for j in jobs if j["destination"] == "same_host"]
    netdisk: List[Copy] = [*b["netdisk_uploads"]]
    rest = [*(_where(c) for c in same), *(_where(c) for c in netdisk)]
    if unknown:
        jobs_unknown = [_where(j) for j in unknown[:5]]
        if rest:
            why = DESTINATION_UNKNOWN_WITH_OTHERS(count=len(unknown), jobs=jobs_unknown, others=rest[:5])
        else:
            why = DESTINATION_UNKNOWN(count=len(unknown), jobs=jobs_unknown)
        return Verdict.manual(why, **observed)
    if not b["complete"]:
        return Verdict.manual(ON_HOST_INCOMPLETE(copies=rest[:5], files=list(b["unreadable"])), **observed)
    same_host = [_where(j) for j in same[:5]]
    uploads = [_where(c) for c in netdisk[:5]]
    if same and netdisk:
        reason = SAME_HOST_AND_NETDISK(same_host=same_host, netdisk=uploads)
    elif same:
        reason = SAME_HOST_ONLY(same_host=same_host)
    else:
        reason = NETDISK_ONLY(netdisk=uploads)
    return Verdict.fail(reason, **observed)


FREQUENCY_UNREADABLE = message(
    "LNX-BAK-002/unreadable",
    en="no backup job visible; some crontabs could not be read",
    zh="未发现备份任务；部分 crontab 无法读取",
)
NOTHING_TO_ASSESS = message("LNX-BAK-002/no-backup", en="no backup job to assess", zh="没有可评估的备份任务")
SCHEDULE_UNKNOWN = message("LNX-BAK-002/schedule-unknown", en="backup schedules could not be interpreted", zh="无法解析备份计划")
TOO_RARE = message("LNX-BAK-002/too-rare", en="the most frequent backup runs {schedule}", zh="最频繁的备份计划为 {schedule}")
OFTEN_ENOUGH = message("LNX-BAK-002/often-enough", en="backups run {schedule}", zh="备份计划为 {schedule}")


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
            return Verdict.manual(FREQUENCY_UNREADABLE())
        return Verdict.na(NOTHING_TO_ASSESS())
    if not known:
        return Verdict.manual(SCHEDULE_UNKNOWN(), schedules=sorted({c["schedule"] for c in copies}))
    best = min(known, key=lambda c: FREQ_DAYS[c["schedule"]])
    observed = {"most_frequent": best["schedule"], "file": best["file"]}
    if FREQ_DAYS[best["schedule"]] > int(p["max_interval_days"]):
        return Verdict.fail(TOO_RARE(schedule=best["schedule"]), **observed)
    return Verdict.ok(OFTEN_ENOUGH(schedule=best["schedule"]), **observed)


NETDISK_UPLOADS = message(
    "LNX-BAK-003/uploads",
    en="{count} scheduled upload(s) to an internet net-disk",
    zh="{count} 个定期上传到互联网网盘的任务",
)
NETDISK_UNREADABLE_NO_BACKUP = message(
    "LNX-BAK-003/unreadable-no-backup",
    en="no backup job in readable files; could not read {files}",
    zh="可读取的文件中没有备份任务；无法读取 {files}",
)
NETDISK_NO_BACKUP = message(
    "LNX-BAK-003/no-backup", en="no backup job to assess (see LNX-BAK-001)", zh="没有可评估的备份任务（见 LNX-BAK-001）"
)
NETDISK_UNREADABLE = message(
    "LNX-BAK-003/unreadable",
    en="no net-disk upload in readable files; could not read {files}",
    zh="可读取的文件中没有网盘上传任务；无法读取 {files}",
)
NO_NETDISK = message(
    "LNX-BAK-003/none",
    en="{count} backup job(s); none uploads to an internet net-disk",
    zh="{count} 个备份任务，均未上传到互联网网盘",
)


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
        return Verdict.fail(NETDISK_UPLOADS(count=len(uploads)), uploads=uploads[:10])
    if not _copies(b):
        if not b["complete"]:
            return Verdict.manual(NETDISK_UNREADABLE_NO_BACKUP(files=list(b["unreadable"])))
        return Verdict.na(NETDISK_NO_BACKUP())
    if not b["complete"]:
        return Verdict.manual(NETDISK_UNREADABLE(files=list(b["unreadable"])))
    return Verdict.ok(NO_NETDISK(count=len(b["jobs"])))
