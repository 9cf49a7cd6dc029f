"""Volatile state, read first because it changes fastest: processes, sockets, sessions, kernel modules.

Read from ``/proc`` directly, so the snapshot sees what the kernel reports
and not what a possibly replaced ``ps`` or ``ss`` prints. Each process has
its executable hashed through ``/proc/PID/exe``, which still reaches a binary
that was deleted after it started (``deleted: true``), a classic sign of an
intruder's tool. Command lines are cleaned like every copied text; process
environments are never read. Sockets are those of the snapshot's own
network namespace. A recorded host without a ``/proc`` tree falls back to
its recorded process table and sockets.
"""

from __future__ import annotations

import datetime as _dt
import os
import socket
import struct
from typing import Any, Dict, Iterator, List, Optional, Tuple

from collectors.evidence import CollectError
from collectors.snapshot.model import Artefact, Builder, clean
from collectors.snapshot.secrets import scrub_line
from collectors.snapshot.session import Session

PF_KTHREAD = 0x00200000
MAX_CMDLINE = 8192
TCP_STATES = {
    "01": "established",
    "02": "syn_sent",
    "03": "syn_recv",
    "04": "fin_wait1",
    "05": "fin_wait2",
    "06": "time_wait",
    "07": "close",
    "08": "close_wait",
    "09": "last_ack",
    "0A": "listen",
    "0B": "closing",
}
KEPT_TCP = frozenset({"listen", "established", "syn_sent", "syn_recv", "close_wait"})


def utc(epoch: Optional[int]) -> Optional[str]:
    if epoch is None:
        return None
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _small(s: Session, b: Builder, path: str, limit: int = 65536) -> Optional[bytes]:
    try:
        got = s.reader.read(path, limit)
    except CollectError as exc:
        b.gap(path, exc.message)
        return None
    return got.data if got is not None else None


def boot_time(s: Session, b: Builder) -> Optional[int]:
    data = _small(s, b, "/proc/stat", 1 << 20)
    for line in (data or b"").decode("ascii", "replace").splitlines():
        if line.startswith("btime "):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def _pids(s: Session, b: Builder) -> List[int]:
    try:
        return sorted(int(n) for n in s.reader.names("/proc") if n.isdigit())
    except CollectError as exc:
        b.gap("/proc", exc.message)
        return []


def _parse_stat(text: str) -> Optional[Tuple[str, int, int, int]]:
    """(comm, ppid, flags, starttime ticks) from /proc/PID/stat; comm may hold spaces and parentheses."""
    open_, close = text.find("("), text.rfind(")")
    if open_ < 0 or close < open_:
        return None
    rest = text[close + 2 :].split()
    try:
        return text[open_ + 1 : close], int(rest[1]), int(rest[6]), int(rest[19])
    except (IndexError, ValueError):
        return None


def _status_ids(text: str) -> Dict[str, List[int]]:
    out: Dict[str, List[int]] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Gid"):
            try:
                out[key] = [int(v) for v in value.split()]
            except ValueError:
                continue
    return out


def _process(s: Session, b: Builder, pid: int, btime: Optional[int], ticks: int) -> Optional[Dict[str, Any]]:
    r = s.reader
    base = f"/proc/{pid}"
    stat = _small(s, b, f"{base}/stat")
    if stat is None:
        return None  # it ended while the table was read
    parsed = _parse_stat(stat.decode("utf-8", "backslashreplace"))
    if parsed is None:
        b.gap(f"{base}/stat", "unrecognised format")
        return None
    comm, ppid, flags, start_ticks = parsed
    ids = _status_ids((_small(s, b, f"{base}/status") or b"").decode("utf-8", "replace"))
    uids = ids.get("Uid", [])
    started = btime + start_ticks // ticks if btime is not None else None
    proc: Dict[str, Any] = {
        "pid": pid,
        "ppid": ppid,
        "name": clean(comm),
        "uid": uids[0] if uids else None,
        "euid": uids[1] if len(uids) > 1 else None,
        "user": s.user_name(uids[0] if uids else None),
        "started": started,
        "started_at": utc(started),
        "kernel_thread": bool(flags & PF_KTHREAD),
    }
    if proc["kernel_thread"]:
        return proc
    raw = _small(s, b, f"{base}/cmdline", MAX_CMDLINE) or b""
    args = [a.decode("utf-8", "backslashreplace") for a in raw.rstrip(b"\x00").split(b"\x00")] if raw else []
    line, hidden = scrub_line(" ".join(args), s.scrub)
    proc["cmdline"] = line
    if hidden:
        proc["redactions"] = hidden
        b.redactions += hidden
    target, why = r.link(f"{base}/exe")
    cwd = r.link_target(f"{base}/cwd")
    proc["cwd"] = clean(cwd) if cwd is not None else None
    if target is None:
        proc["exe"] = None
        if s.reader.ctx.live:
            if why == "permission denied":
                why += ": another user's process (run as root)" if not s.reader.ctx.privileged else " (the kernel hides this process's executable)"
            else:
                why = "no executable link: the process is exiting or a zombie"
            b.gap(f"{base}/exe", why)
        return proc
    deleted = target.endswith(" (deleted)")
    proc["exe"] = clean(target[: -len(" (deleted)")] if deleted else target)
    proc["deleted"] = deleted
    if r.expired():
        proc["exe_sha256"] = None
        b.limit("executables of the later processes not hashed: the time budget was spent")
        return proc
    try:
        digest = r.digest(f"{base}/exe", max_bytes=s.limits.hash_bytes)
        proc["exe_sha256"] = digest.sha256 if digest is not None else None
    except CollectError as exc:
        proc["exe_sha256"] = None
        b.gap(f"{base}/exe", exc.message)
    return proc


def processes(s: Session) -> Iterator[Artefact]:
    b = s.builder("volatile/processes")
    b.source("/proc")
    pids = _pids(s, b)
    table: List[Dict[str, Any]] = []
    method = "proc"
    if pids:
        btime = boot_time(s, b)
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        for pid in pids:
            p = _process(s, b, pid, btime, ticks)
            if p is not None:
                table.append(p)
    elif not s.reader.ctx.live:
        method = "recorded"
        b.source("recorded process table")
        for rp in s.reader.processes():
            table.append(
                {
                    "pid": rp.pid,
                    "ppid": rp.ppid,
                    "name": rp.name,
                    "user": rp.user,
                    "exe": rp.exe,
                    "started": rp.started,
                    "started_at": utc(rp.started),
                }
            )
    table.sort(key=lambda p: (p["pid"], p.get("started") or 0))
    yield b.json({"method": method, "processes": table}, len(table))


# ------------------------------------------------------------------------------------------ sockets


def _address(hexaddr: str) -> Tuple[str, int]:
    """``0100007F:0050`` -> ("127.0.0.1", 80); IPv6 as four little-endian words."""
    host, _, port = hexaddr.partition(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:
        words = struct.unpack("<4I", raw)
        addr = socket.inet_ntop(socket.AF_INET6, struct.pack(">4I", *words))
    return addr, int(port, 16)


def parse_proc_net(text: str, proto: str) -> List[Dict[str, Any]]:
    """Rows of /proc/net/{tcp,tcp6,udp,udp6} that are listening, bound or connected."""
    rows: List[Dict[str, Any]] = []
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) < 10:
            continue
        try:
            laddr, lport = _address(f[1])
            raddr, rport = _address(f[2])
            uid, inode = int(f[7]), int(f[9])
        except (ValueError, OSError, struct.error):
            continue
        if proto.startswith("tcp"):
            state = TCP_STATES.get(f[3].upper(), f[3])
            if state not in KEPT_TCP:
                continue
        else:
            state = "established" if rport else "bound"
        rows.append(
            {
                "proto": proto,
                "state": state,
                "local_address": laddr,
                "local_port": lport,
                "remote_address": raddr if rport else None,
                "remote_port": rport or None,
                "uid": uid,
                "inode": inode,
            }
        )
    return rows


def _socket_owners(s: Session, pids: List[int]) -> Dict[int, List[int]]:
    """Socket inode -> pids holding it, from the links in /proc/PID/fd."""
    owners: Dict[int, List[int]] = {}
    r = s.reader
    for pid in pids:
        try:
            fds = r.names(f"/proc/{pid}/fd")
        except CollectError:
            continue  # not ours to see (unprivileged): the socket is listed without its process
        for fd in fds:
            target = r.link_target(f"/proc/{pid}/fd/{fd}")
            if target and target.startswith("socket:[") and target.endswith("]"):
                try:
                    owners.setdefault(int(target[8:-1]), []).append(pid)
                except ValueError:
                    continue
    return owners


def sockets(s: Session) -> Iterator[Artefact]:
    b = s.builder("volatile/sockets")
    rows: List[Dict[str, Any]] = []
    method = "proc"
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        path = f"/proc/net/{proto}"
        b.source(path)
        data = _small(s, b, path, 64 * 1024 * 1024)
        if data is not None:
            rows += parse_proc_net(data.decode("ascii", "replace"), proto)
    pids = _pids(s, b)
    if pids:
        owners = _socket_owners(s, pids)
        names = {}
        for pid in {p for ps in owners.values() for p in ps}:
            stat = _small(s, b, f"/proc/{pid}/stat")
            parsed = _parse_stat(stat.decode("utf-8", "backslashreplace")) if stat else None
            names[pid] = clean(parsed[0]) if parsed else None
        for row in rows:
            held = sorted(set(owners.get(row["inode"], [])))
            row["pids"] = held
            row["processes"] = sorted({n for n in (names.get(p) for p in held) if n})
            row["user"] = s.user_name(row["uid"])
    elif not rows and not s.reader.ctx.live:
        method = "recorded"
        b.source("recorded listening sockets")
        for ls in s.reader.listening():
            rows.append(
                {
                    "proto": ls.proto,
                    "state": "listen" if ls.proto.startswith("tcp") else "bound",
                    "local_address": ls.address,
                    "local_port": ls.port,
                    "pids": [ls.pid] if ls.pid is not None else [],
                    "processes": [ls.process] if ls.process else [],
                    "user": ls.user,
                }
            )
    for row in rows:
        row.pop("inode", None)  # inodes change on every boot: not a fact to compare
    rows.sort(
        key=lambda r: (
            r["proto"],
            r["state"],
            r["local_address"],
            r["local_port"],
            r.get("remote_address") or "",
            r.get("remote_port") or 0,
            r.get("pids") or [],
        )
    )
    yield b.json({"method": method, "sockets": rows}, len(rows))


# ------------------------------------------------------------------------------------------ sessions (utmp)

UTMP = struct.Struct("<hhi32s4s32s256shhiii16s20s")  # glibc struct utmp on 64-bit Linux: 384 bytes
UT_TYPES = {1: "run_level", 2: "boot_time", 3: "new_time", 4: "old_time", 5: "init", 6: "login", 7: "user", 8: "dead"}


def _text(raw: bytes) -> str:
    return clean(raw.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape"))


def _ip(raw: bytes) -> Optional[str]:
    if raw == b"\x00" * 16:
        return None
    if raw[4:] == b"\x00" * 12:
        return socket.inet_ntop(socket.AF_INET, raw[:4])
    return socket.inet_ntop(socket.AF_INET6, raw)


def parse_utmp(data: bytes) -> List[Dict[str, Any]]:
    """Records of a utmp/wtmp/btmp file (a cut record at the end is ignored)."""
    out: List[Dict[str, Any]] = []
    for off in range(0, len(data) - UTMP.size + 1, UTMP.size):
        f = UTMP.unpack_from(data, off)
        kind = UT_TYPES.get(f[0])
        if kind is None:
            continue
        out.append(
            {
                "type": kind,
                "pid": f[2],
                "line": _text(f[3]),
                "user": _text(f[5]),
                "host": _text(f[6]),
                "time": f[10],
                "at": utc(f[10]) if f[10] > 0 else None,
                "address": _ip(f[12]),
            }
        )
    return out


def sessions(s: Session) -> Iterator[Artefact]:
    b = s.builder("volatile/sessions")
    rows: List[Dict[str, Any]] = []
    found = None
    for path in ("/run/utmp", "/var/run/utmp"):
        data = _small(s, b, path, 4 * 1024 * 1024)
        if data is not None:
            b.source(path)
            found = path
            rows = [r for r in parse_utmp(data) if r["type"] in ("user", "boot_time", "run_level")]
            break
    rows.sort(key=lambda r: (r["time"], r["line"], r["user"], r["pid"]))
    yield b.json({"utmp": found, "sessions": rows}, len(rows))


# ------------------------------------------------------------------------------------------ kernel modules


def modules(s: Session) -> Iterator[Artefact]:
    b = s.builder("volatile/kernel_modules")
    b.source("/proc/modules")
    data = _small(s, b, "/proc/modules", 4 * 1024 * 1024)
    rows: List[Dict[str, Any]] = []
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        taint = _small(s, b, f"/sys/module/{f[0]}/taint", 64)
        rows.append(
            {
                "name": clean(f[0]),
                "size": int(f[1]) if f[1].isdigit() else None,
                "refcount": int(f[2]) if f[2].isdigit() else None,
                "used_by": sorted(x for x in f[3].split(",") if x and x != "-"),
                "state": f[4].lower(),
                "taint": taint.decode("ascii", "replace").strip() or None if taint is not None else None,
            }
        )
    tainted = _small(s, b, "/proc/sys/kernel/tainted", 64)
    rows.sort(key=lambda m: m["name"])
    doc = {
        "modules": rows,
        "kernel_tainted": int(tainted.strip()) if tainted and tainted.strip().isdigit() else None,
        "present": data is not None,
    }
    yield b.json(doc, len(rows))
