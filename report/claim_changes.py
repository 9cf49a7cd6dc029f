"""What changed between the last verified assessment before an incident and a post-incident snapshot.

The snapshot is verified first (signature, trust store, every artefact's
hash); one that does not verify is refused whole and nothing is compared.
Then its artefacts are compared item by item with the evidence the basis
report carries:

* accounts (``host.passwd``) → new accounts and new UID 0 accounts
  (an existing account turned UID 0 is one too), ``accounts/users``;
* listening sockets (``host.listening``) → new listening ports, by transport
  and port and, where both sides know it, the process (connections and the
  ports a UDP client is handed are not services), ``volatile/sockets``;
* enabled systemd units (``host.services``, and what ran: ``host.unit_activity``)
  → new enablement links under /etc/systemd/system, ``persistence/systemd``;
* cron jobs, ``authorized_keys``, ``/etc/ld.so.preload`` and ``rc.local``
  (``host.persistence``) → new jobs by schedule, user and the command's
  sha256; new keys by fingerprint; changed boot hooks by sha256;
* package integrity (``packages/integrity``): programs, PAM modules and the
  loader that no longer match the package database, with both digests.

A difference seen only because one side could not read something (a gap, an
unreadable file, a line withheld for holding a credential) is not a change:
it is said in the notes, as is everything that could not be compared and
why. Only additions are listed: what an intruder removes is for the
investigator, not for the warranty questions a claim answers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from checks.model import Text
from collectors.digest import sha256_hex
from collectors.evidence import EvidenceStatus
from report.claim import Change

if TYPE_CHECKING:
    from report.model import Report
    from report.snapshot import ArtefactRecord, SnapshotManifest
    from report.trust import TrustedKey

KIND_ORDER = ("uid0_account", "account", "persistence", "authorized_key", "modified_binary", "listening")
CRON_SCRIPT_DIRS = ("/etc/cron.hourly/", "/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/", "/etc/cron.yearly/")
BOOT_FILES = {"/etc/ld.so.preload": "persistence/ld_preload", "/etc/rc.local": "persistence/init", "/etc/rc.d/rc.local": "persistence/init"}
UDP_EPHEMERAL = 32768  # Linux's default ip_local_port_range starts here: a UDP socket bound above it is a client's
WITHHELD = "[line withheld by riskagent"  # collectors.snapshot.secrets.WITHHELD_LINE
REDACTED = "[redacted]"  # report.redact.REDACTED
MAX_SHOWN = 200  # characters of a copied command shown in a change
_ENABLE_LINK = re.compile(r"^/etc/systemd/system/([^/]+)\.(wants|requires)/([^/]+)$")
_TEMPLATE = re.compile(r"@[^@.]*\.")

# What a comparison is of, as the notes name it ("… not compared: …").
ACCOUNTS = Text(zh="账户", en="accounts")
LISTENING = Text(zh="监听端口", en="listening ports")
UNITS = Text(zh="已启用的 systemd 服务单元", en="enabled systemd units")
UNITS_ACTIVE = Text(zh="评估时处于活动状态的服务单元", en="units active at the assessment")
CRON = Text(zh="计划任务（cron）", en="cron jobs")
KEYS = Text(zh="授权密钥（authorized_keys）", en="authorized_keys")
KEYS_OF_ACCOUNTS = Text(zh="现有账户的授权密钥（authorized_keys）", en="authorized_keys of existing accounts")
BOOT = Text(zh="/etc/ld.so.preload 与 rc.local", en="/etc/ld.so.preload and rc.local")
PERSISTENCE = Text(zh="计划任务（cron）、授权密钥（authorized_keys）、/etc/ld.so.preload 与 rc.local", en="cron jobs, authorized_keys, /etc/ld.so.preload and rc.local")
BINARIES = Text(zh="系统程序", en="system binaries")
NO_BASIS = Text(zh="快照已验证但未比对：事故前没有经验证的评估报告", en="the snapshot was verified but not compared: there is no verified assessment before the incident")
NOT_ROOT = Text(
    zh="快照不是以 root 身份采集的：仅 root 可读的内容不在快照中，未比对",
    en="the snapshot was not taken as root: what only root can read is missing from it and was not compared",
)


EVIDENCE_STATUS_ZH = {"error": "错误", "not_applicable": "不适用"}


def not_compared(what: Text, zh: str, en: str) -> Text:
    """"<what> not compared: <why>" in both languages."""
    space = " " if what.zh[-1:].isascii() else ""  # "rc.local 未比对", "账户未比对"
    return Text(zh=f"{what.zh}{space}未比对：{zh}", en=f"{what.en} not compared: {en}")


class SnapshotRejected(Exception):
    """The snapshot cannot be compared at all (it does not verify, or is of another host); ``hint`` says what to do.

    ``agent.claim`` turns it into an AgentError (``report`` does not import ``agent``)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class SnapshotChanges:
    """The verified snapshot's reference in the claim, what changed, and what could not be compared (notes)."""

    ref: Mapping[str, Any]
    changes: Tuple[Change, ...]
    notes: Tuple[Text, ...]


def _utc_ns(ns: Any) -> Optional[str]:
    if not isinstance(ns, int) or isinstance(ns, bool) or ns <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(ns / 1e9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def _short(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


class _Snapshot:
    """The verified snapshot's artefacts, each read once, re-hashed against the signed manifest as it is read."""

    def __init__(self, directory: Path, manifest: SnapshotManifest) -> None:
        self.directory = directory
        self.manifest = manifest
        self._docs: Dict[str, Optional[Dict[str, Any]]] = {}
        self._timeline: Optional[Dict[str, Dict[str, Any]]] = None

    def record(self, name: str) -> Optional[ArtefactRecord]:
        return self.manifest.artefact(name)

    def doc(self, name: str) -> Optional[Dict[str, Any]]:
        if name not in self._docs:
            rec = self.record(name)
            doc = None
            if rec is not None:
                try:
                    data = (self.directory / rec.file).read_bytes()
                except OSError as exc:
                    raise SnapshotRejected(f"artefact {name} of the snapshot cannot be read: {exc.strerror or exc}", "keep the snapshot read-only and make the claim again") from None
                if sha256_hex(data) != rec.sha256:
                    raise SnapshotRejected(
                        f"artefact {name} of the snapshot changed after it was verified", "keep the snapshot read-only and make the claim again"
                    )
                try:
                    loaded = json.loads(data)
                except ValueError:
                    loaded = None
                if not isinstance(loaded, dict):
                    raise SnapshotRejected(f"artefact {name} of the snapshot is not a JSON object", "the snapshot was not written by riskagent")
                doc = loaded
            self._docs[name] = doc
        return self._docs[name]

    def evidence(self, name: str, where: str = "") -> str:
        rec = self.record(name)
        digest = f" (sha256 {rec.sha256})" if rec is not None else ""
        return f"snapshot {name}{digest}" + (f" {where}" if where else "")

    def gaps(self, name: str) -> List[Tuple[str, str]]:
        rec = self.record(name)
        return [(g.path, g.reason) for g in rec.gaps] if rec is not None else []

    def timeline(self, path: str) -> Optional[Dict[str, Any]]:
        if self._timeline is None:
            doc = self.doc("timeline/files") or {}
            self._timeline = {row["path"]: row for row in doc.get("files", []) if isinstance(row, dict) and isinstance(row.get("path"), str)}
        return self._timeline.get(path)

    def mtime(self, path: str, rec: Optional[Mapping[str, Any]] = None) -> Optional[str]:
        """When a file last changed: its record in the artefact at hand, else the snapshot's timeline."""
        if rec is not None and rec.get("mtime_ns"):
            return _utc_ns(rec.get("mtime_ns"))
        row = self.timeline(path)
        return _utc_ns(row.get("mtime_ns")) if row else None


def _files_by_path(doc: Mapping[str, Any], key: str = "files") -> Dict[str, Dict[str, Any]]:
    return {r["path"]: r for r in doc.get(key, []) if isinstance(r, dict) and isinstance(r.get("path"), str)}


def _under(path: str, roots: Set[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _cron_kind(path: str) -> Optional[str]:
    """The kind of cron file: a table cron reads (directly in its directories) or a script run-parts runs."""
    parent, _, name = path.rpartition("/")
    if not name:
        return None
    if path == "/etc/crontab" or parent in ("/etc/cron.d", "/var/spool/cron/crontabs", "/var/spool/cron"):
        return "table"
    if parent + "/" in CRON_SCRIPT_DIRS:
        return "script"
    return None


def _cron_user(path: str, user: Optional[str]) -> Optional[str]:
    """The user a job runs as: the user field of a system table, the owner of a user's table (its file name)."""
    if user:
        return user
    parent, _, name = path.rpartition("/")
    return name if parent in ("/var/spool/cron/crontabs", "/var/spool/cron") else None


class _Compare:
    def __init__(self, snap: _Snapshot, report: Report) -> None:
        self.snap = snap
        self.report = report
        self.changes: List[Change] = []
        self.notes: List[Text] = []
        self._evidence = {e.collector: e for e in report.evidence if e.is_host}

    # -- helpers ---------------------------------------------------------------------------------
    def note(self, text: Text) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def base(self, collector: str, what: Text, *, required: bool = True) -> Optional[Mapping[str, Any]]:
        """The basis report's facts of ``collector``, or None with a note saying why not."""
        ev = self._evidence.get(collector)
        if ev is None:
            if required:
                self.note(
                    not_compared(
                        what,
                        f"基线评估报告中没有 {collector} 证据（生成该报告的 riskagent 版本未记录此项）",
                        f"the basis report has no {collector} evidence (the riskagent that made it did not record it)",
                    )
                )
            return None
        if ev.status is not EvidenceStatus.OK:
            if required:
                self.note(
                    not_compared(
                        what,
                        f"基线评估报告中 {collector} 证据的状态为{EVIDENCE_STATUS_ZH.get(str(ev.status), f' {ev.status}')}（{ev.reason or '未说明原因'}）",
                        f"the basis report's {collector} evidence is {ev.status} ({ev.reason or 'no reason given'})",
                    )
                )
            return None
        return ev.facts

    def doc(self, name: str, what: Text) -> Optional[Dict[str, Any]]:
        doc = self.snap.doc(name)
        if doc is None:
            cut = [c for c in self.snap.manifest.cut if c.startswith(name)]
            zh_cut, en_cut = (f"（{cut[0]}）", f" ({cut[0]})") if cut else ("", "")
            self.note(not_compared(what, f"快照中没有 {name} 证据项{zh_cut}", f"the snapshot holds no {name} artefact{en_cut}"))
        return doc

    def run(self, section: Callable[[], None], what: Text) -> None:
        """One comparison; evidence of a form this build does not know (another riskagent's) is a note, not a crash."""
        try:
            section()
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            why = f"{type(exc).__name__}: {str(exc)[:80]}"
            self.note(not_compared(what, f"证据的格式不是本版本 riskagent 能读取的（{why}）", f"the evidence has a form this riskagent does not read ({why})"))

    def report_ev(self, collector: str) -> str:
        return f"report {self.report.report_id} {collector}"

    def add(self, kind: str, subject: str, before: Optional[str], after: Optional[str], evidence: str, at: Optional[str]) -> None:
        self.changes.append(Change(kind, subject, before, after, evidence, at))

    # -- accounts --------------------------------------------------------------------------------
    def accounts(self) -> None:
        base = self.base("host.passwd", ACCOUNTS)
        doc = self.doc("accounts/users", ACCOUNTS)
        if base is None or doc is None:
            return
        gaps = [g for g in self.snap.gaps("accounts/users") if g[0] == "/etc/passwd"]
        if gaps:
            self.note(not_compared(ACCOUNTS, f"快照未能读取 /etc/passwd（{gaps[0][1]}）", f"the snapshot could not read /etc/passwd ({gaps[0][1]})"))
            return
        pairs = {(u["name"], u["uid"]) for u in base.get("users", [])}
        uids: Dict[str, List[int]] = {}
        for name, uid in sorted(pairs):
            uids.setdefault(name, []).append(uid)
        at = self.snap.mtime("/etc/passwd", _files_by_path(doc).get("/etc/passwd"))
        for u in doc.get("users", []):
            name, uid = u.get("name"), u.get("uid")
            if not isinstance(name, str) or not isinstance(uid, int) or (name, uid) in pairs:
                continue
            if uid != 0 and name in uids:
                continue  # an account whose UID changed, but not to 0: not a new account
            before = None if name not in uids else "uid " + ", ".join(str(x) for x in uids[name])
            after = f"uid {uid}, gid {u.get('gid')}, home {u.get('home')}, shell {u.get('shell')}"
            where = f"/etc/passwd line {u.get('line')}"
            self.add("uid0_account" if uid == 0 else "account", name, before, after, f"{self.snap.evidence('accounts/users', where)}; {self.report_ev('host.passwd')}", at)
        bad = [m for m in doc.get("malformed", []) if isinstance(m, dict) and m.get("file") == "/etc/passwd"]
        if bad:
            n, first = len(bad), bad[0].get("line")
            self.note(
                Text(
                    zh=f"快照中的 /etc/passwd 有 {n} 行格式错误（首个为第 {first} 行）：这些行上的账户未比对",
                    en=f"the snapshot's /etc/passwd has {n} malformed lines (line {first} first): accounts on them were not compared",
                )
            )

    # -- listening sockets -----------------------------------------------------------------------
    def listening(self) -> None:
        if str(self.snap.manifest.mode) == "offline-root":
            self.note(
                not_compared(
                    LISTENING,
                    "快照取自未运行的根文件系统（offline-root），监听端口只存在于运行中的系统",
                    "the snapshot is of a root file system that was not running (offline-root)",
                )
            )
            return
        base = self.base("host.listening", LISTENING)
        doc = self.doc("volatile/sockets", LISTENING)
        if base is None or doc is None:
            return
        gaps = [g for g in self.snap.gaps("volatile/sockets") if g[0].startswith("/proc/net/")]
        if gaps:
            path, why = gaps[0]
            self.note(not_compared(LISTENING, f"快照未能读取 {path}（{why}）", f"the snapshot could not read {path} ({why})"))
            return
        before: Dict[Tuple[str, int], Set[Optional[str]]] = {}
        for s in base.get("sockets", []):
            before.setdefault((str(s.get("proto", ""))[:3], int(s.get("port", -1))), set()).add(s.get("process"))
        started = self._process_starts()
        seen: Set[Tuple[str, int, Tuple[str, ...]]] = set()
        for row in doc.get("sockets", []):
            proto, port, state = str(row.get("proto", "")), row.get("local_port"), row.get("state")
            if not isinstance(port, int):
                continue
            transport = proto[:3]
            if transport == "tcp" and state != "listen":
                continue
            if transport == "udp" and (state != "bound" or row.get("remote_port") or port >= UDP_EPHEMERAL):
                continue
            names = tuple(sorted(str(n) for n in row.get("processes") or []))
            if (transport, port, names) in seen:
                continue
            seen.add((transport, port, names))
            old = before.get((transport, port))
            known = {n for n in (old or set()) if n}
            if old is not None and (not names or not known or set(names) & known):
                continue  # the port was open; the process, where both sides know it, is the same
            after = f"{', '.join(names) or 'process not known'}" + (f" (user {row['user']})" if row.get("user") else "")
            ats = sorted(a for a in (started.get(p) for p in row.get("pids") or []) if a)
            self.add(
                "listening",
                f"{proto} {row.get('local_address')}:{port}",
                None if old is None else f"{transport} port {port}: {', '.join(sorted(known))}",
                after,
                f"{self.snap.evidence('volatile/sockets')}; {self.report_ev('host.listening')}",
                ats[0] if ats else None,
            )
        if not self.snap.manifest.privileged:
            self.note(
                Text(
                    zh="快照不是以 root 身份采集的：其他用户进程的套接字列出时不带所属进程",
                    en="the snapshot was not taken as root: sockets of other users' processes are listed without their process",
                )
            )

    def _process_starts(self) -> Dict[int, str]:
        doc = self.snap.doc("volatile/processes") or {}
        return {p["pid"]: p["started_at"] for p in doc.get("processes", []) if isinstance(p, dict) and isinstance(p.get("pid"), int) and p.get("started_at")}

    # -- systemd ---------------------------------------------------------------------------------
    def systemd(self) -> None:
        base = self.base("host.services", UNITS)
        doc = self.doc("persistence/systemd", UNITS)
        if base is None or doc is None:
            return
        if not base.get("systemd_units_known", True):
            self.note(not_compared(UNITS, "基线评估报告无法确定哪些服务单元已启用", "the basis report could not tell which units were enabled"))
            return
        active = self.base("host.unit_activity", UNITS_ACTIVE, required=False) or {}
        known = set(base.get("enabled", [])) | set(active.get("active", []))
        gaps = [g for g in self.snap.gaps("persistence/systemd") if g[0].startswith("/etc/systemd/system")]
        for path, why in gaps:
            self.note(Text(zh=f"快照未能读取 {path}（{why}）：在此启用的服务单元未比对", en=f"the snapshot could not read {path} ({why}): units enabled there were not compared"))
        for path, rec in sorted(_files_by_path(doc).items()):
            m = _ENABLE_LINK.match(path)
            if m is None or rec.get("type") != "symlink":
                continue
            unit = m.group(3)
            if unit in known or _TEMPLATE.sub("@.", unit, count=1) in known:
                continue
            self.add(
                "persistence",
                f"systemd {unit} ({m.group(1)}.{m.group(2)})",
                None,
                f"enabled: {path} -> {rec.get('target')}",
                f"{self.snap.evidence('persistence/systemd', path)}; {self.report_ev('host.services')}",
                self.snap.mtime(path, rec),
            )

    # -- cron, keys and boot hooks (host.persistence) --------------------------------------------
    def cron(self, base: Mapping[str, Any]) -> None:
        doc = self.doc("persistence/cron", CRON)
        if doc is None:
            return
        unreadable = {u["path"] for u in base.get("unreadable", [])}
        files = {f["path"]: f for f in base.get("cron_files", [])}
        jobs = {(e["file"], e["schedule"], e["user"], e["command_sha256"]) for e in base.get("cron_entries", [])}
        scheduled = {(e["file"], e["schedule"], e["user"]) for e in base.get("cron_entries", [])}
        gaps = dict(self.snap.gaps("persistence/cron"))
        entries: Dict[str, List[Dict[str, Any]]] = {}
        for e in doc.get("entries", []):
            if isinstance(e, dict) and isinstance(e.get("file"), str):
                entries.setdefault(e["file"], []).append(e)
        report_ev = self.report_ev("host.persistence")
        for path, rec in sorted(_files_by_path(doc).items()):
            kind = _cron_kind(path)
            if kind is None or rec.get("type") != "file":
                continue
            if "error" in rec or path in gaps or not rec.get("sha256"):
                why = rec.get("error") or gaps.get(path)
                self.note(
                    Text(
                        zh=f"计划任务（cron）：快照未能读取 {path}（{why or '没有摘要'}），未比对",
                        en=f"cron: the snapshot could not read {path} ({why or 'no digest'}): not compared",
                    )
                )
                continue
            old = files.get(path)
            if _under(path, unreadable) or (old is not None and old["sha256"] is None):
                self.note(Text(zh=f"计划任务（cron）：基线评估报告未能读取 {path}，未比对", en=f"cron: the basis report could not read {path}: not compared"))
                continue
            if old is not None and old["sha256"] == rec["sha256"]:
                continue
            at = self.snap.mtime(path, rec)
            ev = f"{self.snap.evidence('persistence/cron', path)}; {report_ev}"
            before = None if old is None else f"sha256 {old['sha256']}"
            if kind == "script":
                self.add("persistence", f"cron script {path}", before, f"{'changed' if old else 'new'}: sha256 {rec['sha256']}", ev, at)
                continue
            if "text" not in rec:
                why = rec.get("withheld") or "not copied"
                self.add("persistence", f"cron table {path}", before, f"{'changed' if old else 'new'}: sha256 {rec['sha256']} (its text: {why})", ev, at)
                continue
            for e in entries.get(path, []):
                if e.get("malformed"):
                    continue
                schedule, command = str(e.get("schedule", "")), str(e.get("command", ""))
                user = _cron_user(path, e.get("user"))
                line = e.get("line")
                if WITHHELD in f"{schedule} {command}":
                    self.note(
                        Text(
                            zh=f"计划任务（cron）：{path} 第 {line} 行在快照中被隐去（含凭据），未比对",
                            en=f"cron: line {line} of {path} was withheld in the snapshot (it holds a credential): not compared",
                        )
                    )
                    continue
                if (path, schedule, user, sha256_hex(command.encode("utf-8", "surrogateescape"))) in jobs:
                    continue
                if REDACTED in command and (path, schedule, user) in scheduled:
                    self.note(
                        Text(
                            zh=f"计划任务（cron）：{path} 第 {line} 行在快照中含已脱敏的秘密，无法比对其命令",
                            en=f"cron: line {line} of {path} holds a redacted secret in the snapshot: its command could not be compared",
                        )
                    )
                    continue
                self.add(
                    "persistence",
                    f"cron {path}:{line}",
                    None,
                    f"{schedule}" + (f" {user}" if user else "") + f": {_short(command)}",
                    f"{self.snap.evidence('persistence/cron', f'{path} line {line}')}; {report_ev}",
                    at,
                )

    def keys(self, base: Mapping[str, Any]) -> None:
        doc = self.doc("persistence/authorized_keys", KEYS)
        if doc is None:
            return
        from collectors.host.persistence import _key_paths

        known = {(k["file"], k["fingerprint"]) for k in base.get("authorized_keys", [])}
        unreadable = {u["path"] for u in base.get("unreadable", [])}
        patterns = list(base.get("key_file_patterns", []))
        passwd = self.base("host.passwd", KEYS_OF_ACCOUNTS, required=False) or {}
        homes = {u["name"]: (u["uid"], u["home"]) for u in passwd.get("users", [])}
        records = _files_by_path(doc)
        users: Dict[Tuple[str, str], List[str]] = {}  # accounts sharing a home share its keys: one key, one change
        for k in doc.get("keys", []):
            if isinstance(k, dict) and not k.get("malformed"):
                users.setdefault((str(k.get("file")), str(k.get("fingerprint"))), []).append(str(k.get("user")))
        for k in doc.get("keys", []):
            if not isinstance(k, dict) or k.get("malformed"):
                continue
            user, fp, path = str(k.get("user")), str(k.get("fingerprint")), str(k.get("file"))
            if (path, fp) in known or users.get((path, fp), [user])[0] != user:
                continue
            if _under(path, unreadable):
                self.note(
                    Text(
                        zh=f"授权密钥（authorized_keys）：基线评估报告未能读取 {path}，其中的密钥未比对",
                        en=f"authorized_keys: the basis report could not read {path}: its keys were not compared",
                    )
                )
                continue
            looked = [_key_paths(homes[u][1], u, homes[u][0], patterns) for u in users[(path, fp)] if u in homes]
            if looked and not any(path in paths for paths in looked):
                where = " ".join(patterns)
                self.note(
                    Text(
                        zh=f"授权密钥（authorized_keys）：基线评估报告未检查 {path}（当时的 AuthorizedKeysFile 为 {where}），其中的密钥未比对",
                        en=f"authorized_keys: the basis report did not look at {path} (AuthorizedKeysFile was {where}): its keys were not compared",
                    )
                )
                continue
            line, rest = k.get("line"), f" {k['comment']}" if k.get("comment") else ""
            self.add(
                "authorized_key",
                f"{', '.join(users[(path, fp)])}: {fp}",
                None,
                f"{k.get('type')}{rest} in {path}:{line}" + (" (with options)" if k.get("options") else ""),
                f"{self.snap.evidence('persistence/authorized_keys', f'{path} line {line}')}; {self.report_ev('host.persistence')}",
                self.snap.mtime(path, records.get(path)),
            )
        bad = [k for k in doc.get("keys", []) if isinstance(k, dict) and k.get("malformed")]
        if bad:
            self.note(
                Text(
                    zh=f"授权密钥（authorized_keys）：快照中有 {len(bad)} 行不是 sshd 会当作密钥读取的内容，未比对",
                    en=f"authorized_keys: {len(bad)} lines in the snapshot are not keys sshd would read as such: not compared",
                )
            )

    def boot(self, base: Mapping[str, Any]) -> None:
        before = {b["path"]: b["sha256"] for b in base.get("boot_files", [])}
        unreadable = {u["path"] for u in base.get("unreadable", [])}
        for path, artefact in BOOT_FILES.items():
            doc = self.snap.doc(artefact)
            rec = _files_by_path(doc).get(path) if doc is not None else None
            if rec is None or path not in before:
                continue
            if path in unreadable:
                self.note(Text(zh=f"{path}：基线评估报告未能读取该文件，未比对", en=f"{path}: the basis report could not read it: not compared"))
                continue
            if "error" in rec or not rec.get("sha256"):
                why = rec.get("error")
                self.note(Text(zh=f"{path}：快照未能读取该文件（{why or '没有摘要'}），未比对", en=f"{path}: the snapshot could not read it ({why or 'no digest'}): not compared"))
                continue
            if rec["sha256"] == before[path]:
                continue
            after = f"{'changed' if before[path] else 'new'}: sha256 {rec['sha256']}"
            if path == "/etc/ld.so.preload" and doc is not None and doc.get("preloaded"):
                after += f"; preloads {', '.join(str(x) for x in doc['preloaded'])}"
            old = None if before[path] is None else f"sha256 {before[path]}"
            self.add("persistence", path, old, after, f"{self.snap.evidence(artefact, path)}; {self.report_ev('host.persistence')}", self.snap.mtime(path, rec))

    # -- package integrity -----------------------------------------------------------------------
    def binaries(self) -> None:
        from collectors.snapshot.packages import tier

        doc = self.doc("packages/integrity", BINARIES)
        if doc is None:
            return
        error = doc.get("error")
        if doc.get("method") is None:
            self.note(not_compared(BINARIES, f"快照未能检查软件包完整性（{error or '没有软件包数据库'}）", f"the snapshot could not check package integrity ({error or 'no package database'})"))
            return
        if not doc.get("complete", False):
            n = doc.get("not_checked", "?")
            self.note(
                Text(
                    zh=f"快照中的软件包完整性检查不完整（{n} 个文件未检查，或{f' {error}' if error else '被截断'}）：被修改的系统程序可能未全部列出",
                    en=f"package integrity in the snapshot is incomplete ({n} files not checked, or {error or 'cut'}): a modified binary may be missing from this list",
                )
            )
        unreadable = [u for u in doc.get("unreadable", []) if isinstance(u, dict) and tier(str(u.get("path", "")).lstrip("/")) == 0]
        if unreadable:
            n, first = len(unreadable), unreadable[0].get("path")
            self.note(
                Text(
                    zh=f"快照未能读取 {n} 个系统程序（首个为 {first}）：这些程序未与软件包数据库比对",
                    en=f"the snapshot could not read {n} system binaries ({first} first): they were not compared with the package database",
                )
            )
        found: List[Tuple[str, Optional[str], Optional[str]]] = []
        for m in doc.get("mismatched", []):
            path = str(m.get("path", ""))
            if tier(path.lstrip("/")) == 0:
                found.append(
                    (path, f"package {m.get('package')}: md5 {m.get('expected_md5')} (package database)", f"md5 {m.get('md5')}, sha256 {m.get('sha256') or '?'}")
                )
        for c in doc.get("changed", []):  # rpm -Va: the third flag is the digest
            path, flags = str(c.get("path", "")), str(c.get("flags", ""))
            if not c.get("config") and len(flags) >= 3 and flags[2] == "5" and tier(path.lstrip("/")) == 0:
                row = self.snap.timeline(path)
                found.append((path, "package database digest", f"rpm -Va {flags}" + (f", sha256 {row['sha256']}" if row and row.get("sha256") else "")))
        if found:
            self.note(
                Text(
                    zh="被修改的系统程序是与软件包数据库比对的，而非与评估报告比对（评估报告不记录程序摘要）；文件的修改时间表明其何时被改动",
                    en="modified system binaries are compared with the package database, not with the assessment (reports record no program digests): "
                    "the file's time says when it changed",
                )
            )
        for path, before, after in found:
            self.add("modified_binary", path, before, after, self.snap.evidence("packages/integrity", path), self.snap.mtime(path))


def _host_problem(manifest: SnapshotManifest, report: Report) -> Tuple[Optional[str], Optional[Text]]:
    """(why the snapshot cannot be of the report's host, a note when it is by its machine id under another name)."""
    report_ids = {i for i in report.target.identifiers if i.startswith("machine:")}
    snap_ids = set(manifest.identifiers)
    if report_ids and snap_ids and not report_ids & snap_ids:
        return f"the snapshot is of another machine ({manifest.host.name}, {', '.join(sorted(snap_ids))}) than the report ({report.target.name}, {', '.join(sorted(report_ids))})", None
    if manifest.host.name != report.target.name:
        if report_ids & snap_ids:
            snap, rep = manifest.host.name, report.target.name
            return None, Text(zh=f"快照中的主机名为 {snap}，评估报告中为 {rep}：按机器标识为同一台机器", en=f"the snapshot names the host {snap}, the report {rep}: the same machine by its id")
        return f"the snapshot is of host {manifest.host.name}, the report of {report.target.name}, and no machine id links them", None
    return None, None


def read_snapshot_changes(snapshot_dir: Path, trusted: Mapping[str, TrustedKey], basis_report: Optional[Report]) -> SnapshotChanges:
    """Verify the snapshot, then compare it with ``basis_report`` (None: nothing to compare it with)."""
    from collectors.strictjson import to_json
    from report.canonical import canonical_bytes
    from report.snapshot import verify_snapshot

    v = verify_snapshot(snapshot_dir, trusted)
    if v.problems or v.manifest is None:
        why = "; ".join(p.text for p in v.problems[:3]) or "no manifest"
        raise SnapshotRejected(f"the snapshot {snapshot_dir} does not verify: {why}", "nothing was compared; check it with `riskagent snapshot verify`, or make the claim without --snapshot")
    m = v.manifest
    ref: Dict[str, Any] = {
        "id": m.snapshot_id,
        "digest": sha256_hex(canonical_bytes(to_json(m))),
        "collected_at": m.finished_at,
        "started_at": m.started_at,
        "host": m.host.name,
        "mode": str(m.mode),
        "signer": v.signer.label if v.signer is not None else None,
    }
    if basis_report is None:
        return SnapshotChanges(ref, (), (NO_BASIS,))
    problem, note = _host_problem(m, basis_report)
    if problem:
        raise SnapshotRejected(problem, "give the snapshot of the host the reports assess")
    if m.started_at < basis_report.run.started_at:
        raise SnapshotRejected(
            f"the snapshot was taken at {m.started_at}, before the basis assessment ({basis_report.run.started_at}): it is not a post-incident snapshot",
            "give a snapshot taken after the incident",
        )
    cmp = _Compare(_Snapshot(snapshot_dir, m), basis_report)
    if note:
        cmp.note(note)
    if not m.privileged:
        cmp.note(NOT_ROOT)
    cmp.run(cmp.accounts, ACCOUNTS)
    persistence = cmp.base("host.persistence", PERSISTENCE)
    if persistence is not None:
        base = persistence
        cmp.run(lambda: cmp.cron(base), CRON)
        cmp.run(lambda: cmp.keys(base), KEYS)
        cmp.run(lambda: cmp.boot(base), BOOT)
    cmp.run(cmp.systemd, UNITS)
    cmp.run(cmp.binaries, BINARIES)
    cmp.run(cmp.listening, LISTENING)
    changes = sorted(cmp.changes, key=lambda c: (KIND_ORDER.index(c.kind), c.subject))
    return SnapshotChanges(ref, tuple(changes), tuple(cmp.notes))


__all__: Sequence[str] = ("SnapshotChanges", "SnapshotRejected", "read_snapshot_changes")
