"""host.packages / host.security_software / host.backup: formats, fixtures, secrets, garbage."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from collectors.catalogue import all_collectors
from collectors.context import FileStat, HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus
from collectors.host.packages import (
    calendar_frequency,
    cron_frequency,
    parse_dpkg_status,
    parse_updateinfo,
    release_date,
)
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import FIXTURE_HOSTS, evidence_map

TOKEN = "FIXTURE-TOKEN-DO-NOT-LEAK"


def _run(name: str, root: Path, files: Dict[str, str], privileged: bool = True) -> Evidence:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    ctx = HostContext(
        root=root / "root",
        runner=RecordedRunner(root / "commands", privileged=privileged),
        processes=RecordedProcessView({}),
        target="t",
        privileged=privileged,
    )
    return run_collector(all_collectors()[name], ctx)


# -- packages ----------------------------------------------------------------


def test_dpkg_status_only_installed() -> None:
    text = (
        "Package: a\nStatus: install ok installed\nVersion: 1.0\nDescription: x\n multi line\n\n"
        "Package: b\nStatus: deinstall ok config-files\nVersion: 2.0\n"
    )
    assert parse_dpkg_status(text) == {"a": "1.0"}


def test_garbage_dpkg_status_is_malformed(tmp_path: Path) -> None:
    ev = _run("host.packages", tmp_path, {"root/var/lib/dpkg/status": "this is not\n\na dpkg database\n"})
    assert ev.status is EvidenceStatus.ERROR
    assert "/var/lib/dpkg/status" in (ev.reason or "")


def test_held_package_counts_as_installed() -> None:
    text = "Package: a\nStatus: hold ok installed\nVersion: 1.0\n\nPackage: b\nStatus: deinstall ok installed\nVersion: 2\n"
    assert parse_dpkg_status(text) == {"a": "1.0", "b": "2"}


def test_updateinfo_parsing_skips_src_and_bugfix() -> None:
    xml = (
        b'<updates><update type="security"><id>SA-1</id><pkglist><collection>'
        b'<package name="openssl" arch="src" version="1" release="2" epoch="1"/>'
        b'<package name="openssl" arch="x86_64" version="1" release="2" epoch="1"/>'
        b'</collection></pkglist></update><update type="bugfix"><id>BA-1</id><pkglist>'
        b'<package name="audit" arch="x86_64" version="9" release="1"/></pkglist></update></updates>'
    )
    assert parse_updateinfo([xml], "x") == [("SA-1", "openssl", "1:1-2")]


def test_updateinfo_entity_declarations_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><updates>&a;</updates>'
    with pytest.raises(Exception, match="DTD or entity"):
        parse_updateinfo([bomb], "/var/cache/dnf/x/updateinfo.xml")


REPOMD = (
    '<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>{ts}</revision>'
    '<data type="updateinfo"><location href="repodata/abc-updateinfo.xml.{ext}"/><timestamp>{ts}</timestamp></data></repomd>'
)
RPM_QA = "commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out"
UPDATEINFO = (
    '<updates><update type="security"><id>openEuler-SA-2024-1</id><pkglist><collection>'
    '<package name="bash" arch="x86_64" version="5.1" release="2" epoch="0"/></collection></pkglist></update></updates>'
)


def _dnf_host(root: Path, ext: str = "gz", ts: int = 1600000000) -> Evidence:
    repo = root / "root/var/cache/dnf/update-0123456789abcdef/repodata"
    repo.mkdir(parents=True)
    (repo / f"abc-updateinfo.xml.{ext}").write_bytes(gzip.compress(UPDATEINFO.encode()))
    return _run(
        "host.packages", root, {f"{repo.relative_to(root)}/repomd.xml": REPOMD.format(ts=ts, ext=ext), RPM_QA: "bash 5.1-1\n"}
    )


def test_dnf_cache_pending_and_age(tmp_path: Path) -> None:
    su = _dnf_host(tmp_path).facts["security_updates"]
    assert su["available"] is True and su["packages"] == ["bash"] and su["advisories"] == ["openEuler-SA-2024-1"]
    assert su["lists_age_days"] > 365  # the check's max_index_age_days applies


def test_dnf_zstd_updateinfo_unavailable(tmp_path: Path) -> None:
    su = _dnf_host(tmp_path, ext="zst").facts["security_updates"]
    assert su["available"] is False and "zstd" in su["reason"]


def test_dnf_without_updateinfo_is_unavailable(tmp_path: Path) -> None:
    # CentOS 7/Stream repositories publish no updateinfo: not "nothing pending"
    ev = _run(
        "host.packages",
        tmp_path,
        {
            "root/var/cache/dnf/os-0123456789abcdef/repodata/repomd.xml": "<repomd><revision>1</revision></repomd>",
            RPM_QA: "bash 5.1-1\n",
        },
    )
    su = ev.facts["security_updates"]
    assert su["available"] is False and "updateinfo" in su["reason"]


def test_truncated_compressed_list_is_an_error(tmp_path: Path) -> None:
    lists = tmp_path / "root/var/lib/apt/lists"
    lists.mkdir(parents=True)
    data = gzip.compress(b"Package: openssl\nVersion: 9\n\n" * 1000)
    (lists / "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.gz").write_bytes(
        data[: len(data) // 2]
    )
    ev = _run(
        "host.packages", tmp_path, {"root/var/lib/dpkg/status": "Package: openssl\nStatus: install ok installed\nVersion: 1\n"}
    )
    assert ev.status is EvidenceStatus.ERROR and "_Packages.gz" in (ev.reason or "")


def test_large_compressed_list_parsed_whole(tmp_path: Path) -> None:
    lists = tmp_path / "root/var/lib/apt/lists"
    lists.mkdir(parents=True)
    filler = b"".join(b"Package: p%d\nVersion: 1\nDescription: %s\n\n" % (i, b"x" * 100_000) for i in range(700))
    data = gzip.compress(filler + b"Package: openssl\nVersion: 9\n\n")  # ~70 MiB inflated, past the old 64 MiB cut
    (lists / "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.gz").write_bytes(data)
    ev = _run(
        "host.packages", tmp_path, {"root/var/lib/dpkg/status": "Package: openssl\nStatus: install ok installed\nVersion: 1\n"}
    )
    assert ev.facts["security_updates"]["packages"] == ["openssl"]


def test_fixture_packages() -> None:
    hard = evidence_map("debian-hardened")["host.packages"]
    assert hard.method == "dpkg status" and hard.facts["manager"] == "dpkg"
    assert hard.facts["security_updates"]["count"] == 0 and "telnet" not in hard.facts["installed"]
    weak = evidence_map("debian-weak")["host.packages"].facts["security_updates"]
    assert weak["count"] == 3 and weak["packages"] == ["apache2", "libssl1.1", "openssl"]
    assert weak["lists_age_days"] > 365
    oe = evidence_map("openeuler-server")["host.packages"].facts
    assert oe["manager"] == "rpm" and oe["security_updates"]["count"] == 3
    assert oe["security_updates"]["packages"] == ["openssl", "openssl-libs", "sudo"]  # not the already-fixed kernel
    assert oe["security_updates"]["lists_age_days"] == 2
    assert "gpg-pubkey" not in oe["installed"] and oe["auto_updates"]["enabled"] is False


# -- security software ---------------------------------------------------------


def test_fixture_security_software() -> None:
    hard = {p["name"]: p for p in evidence_map("debian-hardened")["host.security_software"].facts["products"]}
    assert {"ClamAV", "Wazuh agent", "AIDE"} <= set(hard)
    assert hard["AIDE"]["database"]["present"] is True
    assert evidence_map("debian-weak")["host.security_software"].facts["products"] == []
    oe = {p["name"]: p for p in evidence_map("openeuler-server")["host.security_software"].facts["products"]}
    assert oe["ClamAV"]["signatures"]["age_days"] > 300
    assert oe["AIDE"]["database"]["present"] is False


def test_tripwire_database_is_looked_for() -> None:
    # A copy of debian-weak with the tripwire package and its twcfg.txt, never initialised (no .twd)
    tw = {p["name"]: p for p in evidence_map("debian-weak-tripwire-no-database")["host.security_software"].facts["products"]}
    assert tw["Tripwire"]["database"] == {"present": False, "path": "/var/lib/tripwire/web-legacy-02.twd"}


def test_tripwire_database_found_by_dbfile(tmp_path: Path) -> None:
    files = {
        "root/var/lib/dpkg/status": "Package: tripwire\nStatus: install ok installed\nVersion: 2.4\n",
        "root/etc/hostname": "gw1\n",
        "root/etc/tripwire/twcfg.txt": "ROOT =/usr/sbin\nDBFILE        =/var/lib/tripwire/$(HOSTNAME).twd\n",
        "root/var/lib/tripwire/gw1.twd": "db",
    }
    products = {p["name"]: p for p in _run("host.security_software", tmp_path, files).facts["products"]}
    assert products["Tripwire"]["database"] == {"present": True, "path": "/var/lib/tripwire/gw1.twd"}


# -- backup --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "freq"),
    [
        ("30 2 * * *", "daily"),
        ("0 * * * *", "hourly"),
        ("*/15 * * * *", "hourly"),
        ("0 3 * * 0", "weekly"),
        ("0 3 * * 1-5", "daily"),
        ("0 3 1 * *", "monthly"),
        ("0 3 */3 * *", "weekly"),
        ("0 3 1 1 *", "yearly"),
        ("0 * 1 * *", "monthly"),
        ("0 2 * 1 *", "yearly"),
        ("0 2 1,15 * *", "monthly"),
        ("0 2 * * mon", "weekly"),
        ("0 3 1 * 0", "weekly"),
    ],
)
def test_cron_schedule(expr: str, freq: str) -> None:
    assert cron_frequency(*expr.split()) == freq


@pytest.mark.parametrize(
    ("spec", "freq"),
    [
        ("daily", "daily"),
        ("Sun *-*-* 02:00:00", "weekly"),
        ("*-*-* 01:30:00", "daily"),
        ("*-*-01 04:00", "monthly"),
        ("hourly", "hourly"),
    ],
)
def test_calendar_schedule(spec: str, freq: str) -> None:
    assert calendar_frequency(spec) == freq


def test_backup_timer_and_secrets(tmp_path: Path) -> None:
    ev = _run(
        "host.backup",
        tmp_path,
        {
            "root/etc/systemd/system/backup-borg.timer": "[Timer]\nOnCalendar=*-*-* 01:30:00\n",
            "root/etc/systemd/system/backup-borg.service": "[Service]\nExecStart=/usr/bin/borg create --passphrase hunter2 ::x /srv\n",
            "root/etc/cron.d/db": "0 2 * * * root mysqldump -pS3cret db | curl -H 'Authorization: Bearer xyz' -T - https://pan.baidu.com/up\n",
        },
    )
    facts = ev.facts
    timer = "/etc/systemd/system/backup-borg.timer"
    assert {"tool": "borg", "schedule": "daily", "file": timer, "destination": "unknown"} in facts["jobs"]  # no repository named
    db = {"tool": "mysqldump", "schedule": "daily", "file": "/etc/cron.d/db", "destination": "netdisk", "target": "pan.baidu.com"}
    assert db in facts["jobs"]
    assert facts["netdisk_uploads"] == [{"service": "pan.baidu.com", "schedule": "daily", "file": "/etc/cron.d/db"}]
    dumped = json.dumps(ev.to_json())
    for secret in ("hunter2", "S3cret", "xyz", "Bearer"):
        assert secret not in dumped


def test_rclone_consumer_remote(tmp_path: Path) -> None:
    ev = _run("host.backup", tmp_path, {"root/etc/crontab": "0 4 * * 0 root rclone sync /data/backup baidu-pan:bak\n"})
    assert ev.facts["netdisk_uploads"][0]["service"] == "rclone remote baidu-pan"


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
@pytest.mark.parametrize("privileged", [True, False])
def test_planted_token_never_in_evidence(host: str, privileged: bool) -> None:
    dumped = json.dumps([e.to_json() for e in evidence_map(host, privileged).values()])
    assert TOKEN not in dumped
    assert "FixtureDummyPass" not in dumped


def test_fixture_backup() -> None:
    weak = evidence_map("debian-weak")["host.backup"].facts
    assert weak["jobs"] == []
    assert weak["netdisk_uploads"] == [{"service": "bypy", "schedule": "monthly", "file": "/etc/cron.d/site-upload"}]
    oe = evidence_map("openeuler-server")["host.backup"].facts
    # the dump goes to /data/backup, on the root filesystem of the same host
    assert oe["jobs"] == [
        {
            "tool": "mysqldump",
            "schedule": "daily",
            "file": "/etc/cron.d/mysql-backup",
            "destination": "same_host",
            "target": "/data/backup (on /, ext4)",
        }
    ]
    hardened = evidence_map("debian-hardened")["host.backup"].facts["jobs"]
    assert [(j["tool"], j["destination"], j.get("target")) for j in hardened] == [
        ("restic", "separate_host", "sftp backup.example.internal")
    ]
    hard = evidence_map("debian-hardened", privileged=False)["host.backup"].facts
    assert hard["complete"] is False and "/var/spool/cron/crontabs" in hard["unreadable"]


def test_garbage_crontab_and_dnf_do_not_crash(tmp_path: Path) -> None:
    ev = _run("host.backup", tmp_path, {"root/etc/crontab": "@@@ ??\n* *\nFOO=bar\n@daily\n\t\n"})
    assert ev.status is EvidenceStatus.OK and ev.facts["jobs"] == []
    ev = _run(
        "host.packages",
        tmp_path / "rpm",
        {
            "commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out": "bash 5.1-1\n",
            "root/var/cache/dnf/u-0123456789abcdef/repodata/repomd.xml": "<repomd><data Traceback",
        },
    )
    assert ev.status is EvidenceStatus.ERROR and "repomd.xml" in (ev.reason or "")


def test_cleanup_and_prune_jobs_are_not_backups(tmp_path: Path) -> None:
    ev = _run(
        "host.backup",
        tmp_path,
        {
            "root/etc/crontab": (
                "0 3 * * * root find /srv/backup -name '*.tar.gz' -mtime +14 -delete\n"
                "0 4 * * * root restic -r /srv/backup forget --prune --keep-daily 7\n"
                "0 5 * * * root tar -C /srv/backup -xzf /srv/backup/site.tar.gz\n"
                "0 6 * * 0 root tar czf /srv/backup/etc.tgz /etc\n"
            )
        },
    )
    assert [(j["tool"], j["schedule"], j["file"]) for j in ev.facts["jobs"]] == [("tar", "weekly", "/etc/crontab")]


def _debian_cron(root: Path, files: Dict[str, str], modes: Dict[str, int]) -> Evidence:
    files = {"root/var/lib/dpkg/status": "Package: cron\nStatus: install ok installed\nVersion: 3.0\n", **files}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for rel, mode in modes.items():
        os.chmod(root / rel, mode)
    return _run("host.backup", root, {})


def test_debian_run_parts_skips_dotted_and_non_executable(tmp_path: Path) -> None:
    job = "#!/bin/sh\nrestic -r /mnt/backup backup /etc\n"
    ev = _debian_cron(
        tmp_path,
        {
            "root/etc/cron.daily/backup.sh": job,
            "root/etc/cron.weekly/backup": job,
            "root/etc/cron.monthly/backup": job,
            "root/etc/cron.d/db.backup": "0 1 * * * root restic backup /srv\n",
        },
        {"root/etc/cron.daily/backup.sh": 0o755, "root/etc/cron.weekly/backup": 0o644, "root/etc/cron.monthly/backup": 0o755},
    )
    assert [(j["tool"], j["schedule"], j["file"]) for j in ev.facts["jobs"]] == [
        ("restic", "monthly", "/etc/cron.monthly/backup")
    ]


def test_held_dpkg_package_has_pending_update(tmp_path: Path) -> None:
    ev = _run(
        "host.packages",
        tmp_path,
        {
            "root/var/lib/dpkg/status": "Package: openssl\nStatus: hold ok installed\nVersion: 3.0.11-1~deb12u1\n",
            "root/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages": (
                "Package: openssl\nVersion: 3.0.11-1~deb12u2\n"
            ),
        },
    )
    assert ev.facts["security_updates"]["packages"] == ["openssl"]


def test_leftover_config_is_not_a_deployment(tmp_path: Path) -> None:
    ev = _run("host.security_software", tmp_path, {"root/etc/clamav/freshclam.conf": "DatabaseMirror x\n"})
    assert ev.facts["products"] == [] and ev.facts["kinds"] == []
    assert ev.facts["leftovers"][0]["name"] == "ClamAV"


def test_packages_index_newest_version_of_wanted_packages() -> None:
    from collectors.host.packages import parse_packages_index

    text = (
        "Package: openssl\nVersion: 3.0.15-1~deb12u1\nDescription: toolkit\n Version: 9.9 (a continuation line, not a field)\n\n"
        "Package: openssl\nArchitecture: amd64\nVersion: 3.0.17-1~deb12u2\n\n"
        "Package: no-version\nArchitecture: all\n\n"
        "Package: curl\nVersion: 7.88.1-10+deb12u12\n"
    )
    assert parse_packages_index(text) == {"openssl": "3.0.17-1~deb12u2", "curl": "7.88.1-10+deb12u12"}
    assert parse_packages_index(text, {"curl", "bash"}) == {"curl": "7.88.1-10+deb12u12"}
    assert parse_packages_index("") == {}


# -- backup destinations, scripts, environment, last success (issues: BAK-001 on one line, BAK-003 blind spots) --

MOUNTS = (
    "/dev/sda1 / ext4 rw,relatime 0 0\n"
    "/dev/sdb1 /srv/backup\\040data ext4 rw 0 0\n"
    "nas.example.internal:/export/bk /mnt/nas nfs4 rw 0 0\n"
    "offsite:bak /mnt/cloud fuse.rclone rw 0 0\n"
)


def _backup(tmp_path: Path, files: Dict[str, str], clock: int = 1_800_000_000, root_only: Tuple[str, ...] = ()) -> Evidence:
    """host.backup over a tree; ``root_only`` paths are recorded as root's, mode 0600, and read as an ordinary user."""
    files = {"root/proc/self/mounts": MOUNTS, **files}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    ctx = HostContext(
        root=tmp_path / "root",
        runner=RecordedRunner(tmp_path / "commands", privileged=not root_only),
        processes=RecordedProcessView({}),
        target="t",
        privileged=not root_only,
        stat_overrides={p: FileStat(mode=0o600, uid=0, gid=0) for p in root_only},
        clock=clock,
    )
    return run_collector(all_collectors()["host.backup"], ctx)


def _dests(ev: Evidence) -> List[Tuple[str, str, str]]:
    return [(j["tool"], j["destination"], j.get("target", "")) for j in ev.facts["jobs"]]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # same host: a directory on a local filesystem, whatever tool wrote it
        (
            "mysqldump -pX db | gzip > /data/backup/db-$(date +\\%F).sql.gz",
            ("mysqldump", "same_host", "/data/backup (on /, ext4)"),
        ),
        ("pg_dump -f '/srv/backup data/db.sql' db", ("pg_dump", "same_host", "/srv/backup data (on /srv/backup data, ext4)")),
        ("tar czf /srv/backup/etc.tgz /etc", ("tar", "same_host", "/srv/backup (on /, ext4)")),
        ("restic -r /srv/restic backup /etc", ("restic", "same_host", "/srv/restic (on /, ext4)")),
        ("ssh db1 mysqldump db > /srv/backup/db.sql", ("mysqldump", "same_host", "/srv/backup (on /, ext4)")),  # a pull
        # off the host: a repository elsewhere, a network mount, or the copy shipped on
        ("restic -r sftp:bk@10.0.0.5:/r backup /etc", ("restic", "separate_host", "sftp 10.0.0.5")),
        ("restic -r s3:s3.amazonaws.com/corp-bk backup /etc", ("restic", "object_store", "s3 s3.amazonaws.com")),
        ("borg create ssh://bk@bk.example:22/./repo::{now} /etc", ("borg", "separate_host", "ssh bk.example")),
        ("pg_dump -f /mnt/nas/db.sql db", ("pg_dump", "separate_host", "/mnt/nas (nfs4 mount of nas.example.internal)")),
        ("mysqldump db > /backup/db.sql && rsync -a /backup/ bk@nas1:/b/", ("mysqldump", "separate_host", "rsync nas1")),
        ("mysqldump db | gzip | aws s3 cp - s3://corp-bk/db.gz", ("mysqldump", "object_store", "s3 bucket corp-bk")),
        ("mysqldump db | ssh bk@backup1 'cat > db.sql'", ("mysqldump", "separate_host", "ssh backup1")),
        (
            "mysqldump db | curl -T - https://files.corp.example/up",
            ("mysqldump", "separate_host", "https upload to files.corp.example"),
        ),
        # nothing says where
        ("veeamconfig job start --name x", ("veeamconfig", "unknown", "")),
    ],
)
def test_backup_destination(tmp_path: Path, line: str, expected: Tuple[str, str, str]) -> None:
    assert _dests(_backup(tmp_path, {"root/etc/crontab": f"0 2 * * * root {line}\n"})) == [expected]


RCLONE_CONF = "root/root/.config/rclone/rclone.conf"


@pytest.mark.parametrize(
    ("conf", "kind"),
    [
        (f'[offsite]\ntype = onedrive\ntoken = {{"access_token":"{TOKEN}"}}\n', "netdisk"),
        ("[offsite]\ntype = crypt\nremote = db:enc\npassword = x\n[db]\ntype = dropbox\n", "netdisk"),
        ("[offsite]\ntype = webdav\nurl = https://dav.jianguoyun.com/dav/\n", "netdisk"),
        ("[offsite]\ntype = s3\nprovider = Alibaba\n", "object_store"),
        ("[offsite]\ntype = sftp\nhost = bk.example\n", "separate_host"),
    ],
)
def test_restic_over_rclone_is_judged_by_the_remote_type(tmp_path: Path, conf: str, kind: str) -> None:
    ev = _backup(tmp_path, {"root/etc/crontab": "0 1 * * * root restic -r rclone:offsite:bak backup /srv\n", RCLONE_CONF: conf})
    assert [j["destination"] for j in ev.facts["jobs"]] == [kind]
    assert bool(ev.facts["netdisk_uploads"]) is (kind == "netdisk")
    assert TOKEN not in json.dumps(ev.to_json())


def test_restic_repository_from_the_crontab_environment(tmp_path: Path) -> None:
    crontab = "RESTIC_REPOSITORY=rclone:aliyun-drive:bak\nRESTIC_PASSWORD=hunter2\n0 1 * * * root restic backup /srv\n"
    ev = _backup(tmp_path, {"root/etc/cron.d/bk": crontab})
    assert ev.facts["netdisk_uploads"] == [
        {"service": "rclone remote aliyun-drive", "schedule": "daily", "file": "/etc/cron.d/bk"}
    ]
    assert "hunter2" not in json.dumps(ev.to_json())


def test_restic_repository_from_a_unit_environment_file(tmp_path: Path) -> None:
    ev = _backup(
        tmp_path,
        {
            "root/etc/systemd/system/restic.timer": "[Timer]\nOnCalendar=daily\n",
            "root/etc/systemd/system/restic.service": "[Service]\nEnvironmentFile=-/etc/restic/env\nExecStart=/usr/bin/restic backup /srv\n",
            "root/etc/restic/env": "RESTIC_REPOSITORY=rest:https://u:S3cret@bk.example:8000/\n",
        },
    )
    assert _dests(ev) == [("restic", "separate_host", "rest server bk.example")]
    assert "S3cret" not in json.dumps(ev.to_json())


def test_cron_line_is_followed_into_its_script(tmp_path: Path) -> None:
    script = (
        '#!/bin/bash\n# upload to the net-disk\nset -e\nexport RESTIC_REPOSITORY="rclone:gdrive:x"\n'
        'restic backup /etc\n. /etc/bk.env\nmysqldump db > "$OUT"\nbypy upload "$OUT" /\n'
    )
    ev = _backup(
        tmp_path,
        {
            "root/etc/crontab": "0 2 * * * root flock -n /run/bk.lock /usr/local/bin/bk.sh >/dev/null 2>&1\n",
            "root/usr/local/bin/bk.sh": script,
            "root/etc/bk.env": "OUT=/var/backups/db.sql\n",
        },
    )
    assert {(j["tool"], j["destination"], j.get("via")) for j in ev.facts["jobs"]} == {
        ("restic", "netdisk", "/usr/local/bin/bk.sh"),
        ("mysqldump", "same_host", "/usr/local/bin/bk.sh"),
    }
    assert {(n["service"], n["file"], n.get("via")) for n in ev.facts["netdisk_uploads"]} == {
        ("bypy", "/etc/crontab", "/usr/local/bin/bk.sh"),
        ("rclone remote gdrive", "/etc/crontab", "/usr/local/bin/bk.sh"),
    }


def test_script_following_is_bounded(tmp_path: Path) -> None:
    from collectors.host.packages import MAX_SCRIPT_BYTES, MAX_SCRIPT_DEPTH

    files = {
        "root/etc/crontab": "0 2 * * * root /opt/a.sh\n1 2 * * * root /opt/big.sh\n2 2 * * * root /usr/bin/mysqldump db > /x/db.sql\n",
        "root/opt/a.sh": "#!/bin/sh\n/opt/b.sh\n",
        "root/opt/b.sh": "#!/bin/sh\n/opt/c.sh\n",
        "root/opt/c.sh": "#!/bin/sh\nbypy upload /x /\n",  # three levels down: past MAX_SCRIPT_DEPTH
        "root/opt/big.sh": "#!/bin/sh\n" + "#" * MAX_SCRIPT_BYTES + "\nbypy upload /x /\n",
        "root/usr/bin/mysqldump": "\x7fELF\x00\x00binary",
    }
    ev = _backup(tmp_path, files)
    assert MAX_SCRIPT_DEPTH == 2 and ev.facts["netdisk_uploads"] == []
    read = {s["path"] for s in ev.to_json()["sources"] if s.get("sha256")}
    assert {"/opt/a.sh", "/opt/b.sh"} <= read and "/opt/c.sh" not in read and "/opt/big.sh" not in read
    assert "/usr/bin/mysqldump" not in read  # a backup tool's own binary is never opened as a script


def test_unreadable_rclone_conf_makes_the_scan_incomplete(tmp_path: Path) -> None:
    ev = _backup(
        tmp_path,
        {
            "root/etc/crontab": "0 1 * * * root restic -r rclone:offsite:bak backup /srv\n",
            RCLONE_CONF: "[offsite]\ntype = onedrive\n",
        },
        root_only=("/root/.config/rclone/rclone.conf",),
    )
    # the remote's type is unknown, so neither a pass for LNX-BAK-001 nor "no net-disk" for LNX-BAK-003
    assert ev.facts["jobs"][0]["destination"] == "unknown"
    assert ev.facts["complete"] is False and "/root/.config/rclone/rclone.conf" in ev.facts["unreadable"]


def test_last_success_from_the_restic_cache_and_the_dump_directory(tmp_path: Path) -> None:
    files = {
        "root/etc/crontab": "0 1 * * * root restic -r sftp:bk@h:/r backup /etc\n0 2 * * * root mysqldump db > /srv/dumps/db.sql\n",
        "root/root/.cache/restic/0123abcd/snapshots/0f0f": "x",
        "root/srv/dumps/db.sql": "x",
    }
    now = 1_800_000_000
    ev = _backup(tmp_path, files, clock=now)
    for rel, days in (("root/root/.cache/restic/0123abcd/snapshots/0f0f", 9), ("root/srv/dumps/db.sql", 2)):
        os.utime(tmp_path / rel, (now - days * 86400, now - days * 86400))
    ev = _backup(tmp_path, {}, clock=now)
    last = {j["tool"]: j["last_success"] for j in ev.facts["jobs"]}
    assert last["restic"]["age_days"] == 9 and "restic cache" in last["restic"]["basis"]
    assert last["mysqldump"] == {"age_days": 2, "basis": "newest file in /srv/dumps"}


def test_backup_fixture_copies() -> None:
    """Recorded hosts with one thing changed: each new place a backup or an upload hides is seen."""
    facts = {
        h: evidence_map(h)["host.backup"].facts
        for h in (
            "debian-hardened-no-backup",
            "debian-hardened-restic-rclone-onedrive",
            "debian-hardened-restic-repository-env",
            "debian-hardened-cron-script-netdisk",
            "openeuler-server-offsite-copy",
            "debian-hardened-stale-restic",
        )
    }
    assert facts["debian-hardened-no-backup"]["jobs"] == [] and facts["debian-hardened-no-backup"]["netdisk_uploads"] == []
    assert facts["debian-hardened-restic-rclone-onedrive"]["netdisk_uploads"][0]["service"] == "rclone remote offsite (onedrive)"
    assert facts["debian-hardened-restic-repository-env"]["netdisk_uploads"][0]["service"] == "rclone remote baidu-pan"
    assert facts["debian-hardened-cron-script-netdisk"]["netdisk_uploads"] == [
        {"service": "bypy", "schedule": "daily", "file": "/var/spool/cron/crontabs/root", "via": "/usr/local/sbin/db-backup"}
    ]
    assert _dests_of(facts["openeuler-server-offsite-copy"]) == [("mysqldump", "separate_host", "rsync backup.example.internal")]
    assert facts["debian-hardened-stale-restic"]["jobs"][0]["last_success"]["age_days"] == 60


def _dests_of(facts: Any) -> List[Tuple[str, str, str]]:
    return [(j["tool"], j["destination"], j.get("target", "")) for j in facts["jobs"]]


@pytest.mark.parametrize(
    "host",
    ["debian-hardened-restic-rclone-onedrive", "openeuler-server-offsite-copy", "debian-hardened-cron-script-netdisk"],
)
def test_fixture_copies_leak_nothing(host: str) -> None:
    dumped = json.dumps([e.to_json() for e in evidence_map(host).values()])
    assert TOKEN not in dumped and "FixtureDummyPass" not in dumped


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Origin: Debian\nDate: Sat, 05 Dec 2026 08:11:33 UTC\nValid-Until: x\n", 1796458293),
        ("Date: Sat, 5 Dec 2026 08:11:33 +0800", 1796458293 - 8 * 3600),
        ("Date: 05 Dec 2026 08:11 GMT", 1796458260),
        ("Date: Sat, 31 Feb 2026 00:00:00 UTC", None),  # no such day
        ("Date: Sat, 05 Dex 2026 08:11:33 UTC", None),
        ("Date: Sat, 05 Dec 2026 25:11:33 UTC", None),
        ("Date: yesterday", None),
        ("No-Date: Sat, 05 Dec 2026 08:11:33 UTC", None),
    ],
)
def test_release_date(text: str, expected: object) -> None:
    assert release_date(text) == expected
