"""``snapshot --root PATH``: a signed snapshot of a root file system that is not running (offline-root).

Fast cases use the recorded debian-hardened tree made a real file system (its captured /proc and /sys included,
which must not be read); the session's bootstrapped Debian image (tests/collectors/host/test_offline_root_image.py)
gives package integrity from real dpkg md5sums and real set-id programs. Links planted in the image that lead,
followed by the kernel, to this machine's /etc/shadow or to marker files beside the image must be resolved inside
the image: no marker's text or digest, and not this machine's shadow digest, appears in any file written. No
command is run (the runner fails the test if asked), and ``snapshot verify`` and ``claim --snapshot`` accept the
snapshot, the claim saying its mode.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.errors import UsageError
from agent.snapshot import Written, root_context, take_snapshot
from collectors.context import offline_root_context
from collectors.digest import md5_hex, sha256_hex
from report.signing import Signer
from report.snapshot import ENVELOPE_NAME, SUMMARY_NAME, SnapshotManifest, read_manifest
from tests.collectors.host.test_offline_root_fixture import NoCommands
from tests.collectors.host.test_offline_root_image import debian_minbase, image
from tests.hosts import HOSTS_DIR

ROOT = Path(__file__).resolve().parents[2]
PASS = "fixture passphrase"
VOLATILE = ("volatile/processes", "volatile/sockets", "volatile/sessions", "volatile/kernel_modules")
MARKER = "MARKER-8d1e4f: this machine's file, outside the image"


def run(args: List[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False, cwd=ROOT)


def as_root_fs(host_dir: Path, dest: Path) -> Path:
    """A recorded host's tree as a real root file system: its recorded modes (and, as root, owners) applied."""
    shutil.copytree(host_dir / "root", dest, symlinks=True)
    for stat_file in sorted((host_dir / "stat").glob("*.json")):
        for path, st in json.loads(stat_file.read_text()).items():
            real = dest / path.lstrip("/")
            if not real.exists() or real.is_symlink():
                continue
            os.chmod(real, int(st["mode"], 8))
            if os.geteuid() == 0:
                os.chown(real, int(st.get("uid", 0)), int(st.get("gid", 0)))
    return dest


def offline(root: Path) -> Any:
    """The context ``snapshot --root`` builds, with a runner that fails the test if anything asks it to run."""
    return dataclasses.replace(offline_root_context(root), runner=NoCommands())


def manifest_of(d: Path) -> SnapshotManifest:
    return read_manifest(base64.b64decode(json.loads((d / ENVELOPE_NAME).read_text())["payload"]))


def artefact(d: Path, name: str) -> Any:
    rec = manifest_of(d).artefact(name)
    assert rec is not None, name
    data = (d / rec.file).read_bytes()
    return json.loads(data) if rec.media_type.startswith("application/json") else data.decode("utf-8")


def written_texts(d: Path) -> Dict[str, bytes]:
    """Every file of a snapshot directory, and the signed manifest decoded."""
    texts = {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}
    texts["decoded manifest"] = base64.b64decode(json.loads(texts[ENVELOPE_NAME])["payload"])
    return texts


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An encrypted signing key and its public key, as ``riskagent keys generate`` writes them."""
    from agent.keys import generate_key

    d = tmp_path_factory.mktemp("keys")
    generate_key(d / "signer.key", PASS.encode())
    return d


# -- planted links -----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Planted:
    root: Path  # the image
    outside: Dict[str, Path]  # marker files and directories beside the image, where escaping links would lead


def plant(root: Path, beside: Path) -> Planted:
    """Links that, followed by the kernel, leave the image: to this machine's /etc/shadow, and to markers beside it.

    ``beside`` must be where ``../../../../`` from the image's /var/log leads (the test asserts it).
    """
    outside = {
        "shadow": beside / "etc" / "shadow",  # where ../../../../etc/shadow from /var/log leads when followed naively
        "marker": beside / "marker",
        "cron": beside / "outside-cron",
    }
    outside["shadow"].parent.mkdir(parents=True, exist_ok=True)
    outside["shadow"].write_text(f"root:{MARKER} shadow:19800:0:99999:7:::\n")
    outside["marker"].write_text(f"{MARKER}\n")
    outside["cron"].mkdir(exist_ok=True)
    (outside["cron"] / "job").write_text(f"* * * * * root /bin/echo {MARKER}\n")
    log = root / "var" / "log"
    log.mkdir(parents=True, exist_ok=True)
    for name in ("auth.log", "syslog", "kern.log"):
        if (log / name).exists() or (log / name).is_symlink():
            (log / name).unlink()
    os.symlink("/etc/shadow", log / "auth.log")  # absolute: the image's /etc/shadow, never this machine's
    os.symlink("../../../../etc/shadow", log / "syslog")  # relative: stops at the image's root
    os.symlink(str(outside["marker"]), log / "kern.log")  # this machine's path of the marker: absent in the image
    assert os.path.realpath(log / "syslog") == str(outside["shadow"]) and os.path.realpath(log / "auth.log") == "/etc/shadow"
    etc = root / "etc"
    for name in ("cron.d", "cron.daily"):
        if (etc / name).is_symlink() or (etc / name).is_file():
            (etc / name).unlink()
        elif (etc / name).is_dir():
            shutil.rmtree(etc / name)
    os.symlink(str(outside["cron"]), etc / "cron.d")  # absolute: absent in the image
    os.symlink("../../../outside-cron", etc / "cron.daily")  # relative: the image's own /outside-cron
    assert os.path.realpath(etc / "cron.daily") == str(outside["cron"])
    (root / "outside-cron").mkdir()
    (root / "outside-cron" / "inside").write_text("#!/bin/sh\n# the image's own daily job\n")
    # A package whose programs are links out of the image: if followed, their md5 would match the marker's.
    info = root / "var" / "lib" / "dpkg" / "info"
    info.mkdir(parents=True, exist_ok=True)
    marker_md5 = md5_hex(outside["marker"].read_bytes())
    (info / "evil.md5sums").write_text(f"{marker_md5}  usr/bin/evil-abs\n{marker_md5}  usr/bin/evil-rel\n")
    (root / "usr" / "bin").mkdir(parents=True, exist_ok=True)
    os.symlink(str(outside["marker"]), root / "usr" / "bin" / "evil-abs")
    os.symlink("../../../../marker", root / "usr" / "bin" / "evil-rel")
    assert os.path.realpath(root / "usr" / "bin" / "evil-rel") == str(outside["marker"])
    return Planted(root, outside)


def assert_nothing_outside_was_read(snap: Path, planted: Planted) -> None:
    secrets = [MARKER.encode()] + [sha256_hex(p.read_bytes()).encode() for p in planted.outside.values() if p.is_file()]
    secrets.append(sha256_hex((planted.outside["cron"] / "job").read_bytes()).encode())
    try:
        secrets.append(sha256_hex(Path("/etc/shadow").read_bytes()).encode())  # this machine's
    except OSError:
        pass
    for name, data in written_texts(snap).items():
        for secret in secrets:
            assert secret not in data, f"{secret[:40]!r} (outside the image) in {name}"


# -- the recorded tree (fast) ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    base = tmp_path_factory.mktemp("offline-snapshot")
    root = as_root_fs(HOSTS_DIR / "debian-hardened", base / "img" / "debian-hardened")
    return plant(root, base)


@pytest.fixture(scope="module")
def snap(tree: Planted, key: Ed25519PrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Written:
    ctx = offline(tree.root)
    written = take_snapshot(ctx, Signer(key), tmp_path_factory.mktemp("snap") / "db-prod-01", lang="en")
    assert ctx.runner.asked == []
    return written


def test_the_manifest_says_offline_root_and_the_volatile_stages_were_not_run(snap: Written) -> None:
    m = snap.manifest
    assert m.mode == "offline-root" and manifest_of(snap.out_dir).mode == "offline-root"
    names = {a.name for a in m.artefacts}
    assert not names & set(VOLATILE), names
    for stage in VOLATILE:
        (cut,) = [c for c in m.cut if c.startswith(f"{stage}: ")]
        assert cut.startswith(f"{stage}: not run: offline-root: ") and "exists only on a running system" in cut, cut
    assert not any(src.startswith(("/proc", "/sys")) for a in m.artefacts for src in a.sources)


def test_the_host_is_named_from_the_image_and_nothing_of_a_running_kernel_is_claimed(snap: Written, tree: Planted) -> None:
    h = snap.manifest.host
    assert h.name == "db-prod-01" and h.hostname == "db-prod-01" and h.os is not None and h.machine_app_id is not None
    assert (tree.root / "proc/sys/kernel/osrelease").is_file()  # captured with the tree, and not read
    assert h.kernel is None and h.boot_id is None and h.boot_time is None


def test_file_based_stages_are_read_inside_the_image(snap: Written, tree: Planted) -> None:
    d = snap.out_dir
    names = {a.name for a in snap.manifest.artefacts}
    expected = {"accounts/users", "persistence/cron", "persistence/systemd", "persistence/authorized_keys", "persistence/setuid",
                "persistence/pam", "persistence/sudoers", "logs/index", "logs/logins", "timeline/files", "packages/integrity"}  # fmt: skip
    assert expected <= names, expected - names
    users = artefact(d, "accounts/users")
    image_users = sorted(line.split(":")[0] for line in (tree.root / "etc/passwd").read_text().splitlines() if line)
    assert sorted(u["name"] for u in users["users"]) == image_users
    timeline = {f["path"]: f for f in artefact(d, "timeline/files")["files"]}
    assert timeline["/etc/ssh/sshd_config"]["sha256"] == sha256_hex((tree.root / "etc/ssh/sshd_config").read_bytes())
    systemd = artefact(d, "persistence/systemd")
    assert systemd["runtime"] == []
    record = snap.manifest.artefact("persistence/systemd")
    assert record is not None
    commands = [g for g in record.gaps if g.path.startswith("systemctl ")]
    assert len(commands) == 2 and all(g.reason.startswith("not run: offline-root: the state of loaded units") for g in commands), commands
    journal = next(e for e in artefact(d, "logs/index")["logs"] if e["path"] == "journal")
    assert journal["artefact"] is None and journal["error"].startswith("offline-root: the journal was not read")


def test_links_out_of_the_image_are_resolved_inside_it(snap: Written, tree: Planted) -> None:
    d = snap.out_dir
    own_shadow = (tree.root / "etc/shadow").read_text()
    first_user = own_shadow.splitlines()[1].split(":")[0]  # a line without a hash: copied as it is
    for log in ("auth.log", "syslog"):  # absolute and relative: both the image's /etc/shadow
        window = artefact(d, f"logs/{log}")
        assert f"{first_user}:*:" in window and MARKER not in window, log
        assert "$y$" not in window  # the image's hashes are redacted like every copied text
    index = {e["path"]: e for e in artefact(d, "logs/index")["logs"]}
    assert index["/var/log/auth.log"]["size"] == index["/var/log/syslog"]["size"] == len(own_shadow.encode())
    assert index["/var/log/kern.log"]["present"] is False  # the marker's path does not exist in the image
    cron = artefact(d, "persistence/cron")
    files = {f["path"]: f for f in cron["files"]}
    assert files["/etc/cron.d"]["type"] == "symlink" and files["/etc/cron.d"]["target"] == str(tree.outside["cron"])
    assert "/etc/cron.daily/inside" in files and not any(p.startswith("/etc/cron.d/") for p in files)
    integrity = artefact(d, "packages/integrity")
    assert sorted(m["path"] for m in integrity["missing"]) == ["/usr/bin/evil-abs", "/usr/bin/evil-rel"], integrity
    assert integrity["mismatched"] == [] and integrity["files_checked"] == 2
    assert_nothing_outside_was_read(d, tree)


def test_the_summary_says_offline_root_in_both_languages(snap: Written, key: Ed25519PrivateKey, tree: Planted, tmp_path: Path) -> None:
    text = (snap.out_dir / SUMMARY_NAME).read_text(encoding="utf-8")
    assert "- mode: `offline-root`" in text and "Offline root file system (offline-root): collected from the image's files, no command run" in text
    assert "## Left out by a budget or by offline-root" in text and "volatile/processes: not run: offline-root" in text
    zh = take_snapshot(offline(tree.root), Signer(key), tmp_path / "zh", lang="zh")
    text = (zh.out_dir / SUMMARY_NAME).read_text(encoding="utf-8")
    assert "离线镜像（offline-root）：依据镜像中的文件采集，未运行任何命令" in text and "## 因预算或离线镜像未采集" in text


def test_a_snapshot_is_never_written_into_the_image(tree: Planted, key: Ed25519PrivateKey) -> None:
    with pytest.raises(UsageError, match="is inside the image"):
        take_snapshot(offline(tree.root), Signer(key), tree.root / "var" / "tmp" / "snap")
    assert not (tree.root / "var" / "tmp" / "snap").exists()


def test_root_is_refused_as_scan_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "noetc").mkdir()
    cases = {Path("/"): "this machine's own root file system", tmp_path / "file": "is not a directory", tmp_path / "noetc": "no etc/ directory"}
    for path, why in cases.items():
        with pytest.raises(UsageError) as exc:
            root_context(path)
        assert exc.value.message.startswith("--root: ") and why in exc.value.message


# -- the command line: snapshot --root, snapshot verify, claim ----------------------------------------------------


def test_snapshot_root_writes_a_verifiable_offline_root_snapshot(tree: Planted, key_files: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run(["snapshot", "--root", str(tree.root), "--out", str(out), "--key", str(key_files / "signer.key"), "--lang", "en"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"wrote snapshot {out}") and "offline-root: collected from the image's files, no command run" in res.stdout
    assert "cut: volatile/processes: not run: offline-root: the process table exists only on a running system" in res.stdout
    assert manifest_of(out).mode == "offline-root"
    verified = run(["snapshot", "verify", str(out), "--key", str(key_files / "signer.pub"), "--lang", "en"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("VALID") and "mode offline-root" in verified.stdout
    assert "Offline root file system (offline-root): collected from the image's files" in verified.stdout
    zh = run(["snapshot", "verify", str(out), "--key", str(key_files / "signer.pub"), "--lang", "zh", "--json"])
    assert zh.returncode == 0 and json.loads(zh.stdout)["snapshot"]["mode"] == "offline-root"
    assert_nothing_outside_was_read(out, tree)


def test_snapshot_root_refusals_exit_2_before_anything_is_asked(tmp_path: Path, key_files: Path) -> None:
    (tmp_path / "noetc").mkdir()
    for root, why in (("/", "this machine's own root file system"), (str(tmp_path / "noetc"), "no etc/ directory")):
        res = run(["snapshot", "--root", root, "--out", str(tmp_path / "out"), "--key", str(key_files / "signer.key")])
        assert res.returncode == 2 and "--root: " in res.stderr and why in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()


def test_the_claim_accepts_an_offline_root_snapshot_and_says_its_mode(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """The compromised copy of the claim tests, seized and mounted: four of the five changes are files; the
    listening port exists only at run time, and the claim says it was not compared and why."""
    from tests.report.test_claim_changes import ATTACKER_KEY, TROJAN_BINARY, claim_cli, compromise, host_copy, signed_report

    keys = {"pub": tmp_path / "applicant.pub", "adjuster": tmp_path / "adjuster.key"}
    keys["pub"].write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    from agent.keys import generate_key

    generate_key(keys["adjuster"], PASS.encode())
    report = signed_report(host_copy(tmp_path / "untouched"), tmp_path / "history", key)
    snapshots: Dict[str, Path] = {}
    for name, change in (("untouched", None), ("compromised", compromise)):
        host = host_copy(tmp_path / f"{name}-host", change)
        seized = as_root_fs(host, tmp_path / f"{name}-image")
        snapshots[name] = take_snapshot(offline(seized), Signer(key), tmp_path / f"snap-{name}", lang="en").out_dir
    claim = claim_cli(report, snapshots["compromised"], keys, tmp_path / "claim")
    assert claim["snapshot"]["mode"] == "offline-root", claim["snapshot"]
    kinds = sorted(c["kind"] for c in claim["changes"])
    assert kinds == ["authorized_key", "modified_binary", "persistence", "uid0_account"], claim["changes"]
    binary = next(c for c in claim["changes"] if c["kind"] == "modified_binary")
    assert f"md5 {md5_hex(TROJAN_BINARY)}" in binary["after"]
    assert ATTACKER_KEY.split()[2] in next(c for c in claim["changes"] if c["kind"] == "authorized_key")["after"]
    note = {
        "zh": "监听端口未比对：快照取自未运行的根文件系统（offline-root），监听端口只存在于运行中的系统",
        "en": "listening ports not compared: the snapshot is of a root file system that was not running (offline-root)",
    }
    assert note in claim["notes"] and note["en"] in claim["_md"]  # claim_cli writes claim.md in en
    untouched = claim_cli(report, snapshots["untouched"], keys, tmp_path / "claim-untouched")
    assert untouched["changes"] == [] and untouched["snapshot"]["mode"] == "offline-root"


# -- the bootstrapped Debian image --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def debian(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    base = tmp_path_factory.mktemp("offline-snapshot-debian")
    (base / "img").mkdir()
    trojan = "#!/bin/sh\n# not the chfn that the passwd package shipped\nexec /bin/sh\n"
    root = image(debian_minbase(tmp_path_factory), base / "img" / "debian", {"/etc/hostname": "seized-01\n", "/usr/bin/chfn": trojan})
    os.chmod(root / "usr/bin/chfn", 0o4755)
    return plant(root, base)


@pytest.fixture(scope="module")
def debian_snap(debian: Planted, key: Ed25519PrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Written:
    ctx = offline(debian.root)
    written = take_snapshot(ctx, Signer(key), tmp_path_factory.mktemp("snap-debian") / "seized-01", lang="en")
    assert ctx.runner.asked == []
    return written


def test_the_image_is_snapshotted_from_its_files_with_package_integrity_from_dpkg(debian_snap: Written, debian: Planted) -> None:
    m = debian_snap.manifest
    assert m.mode == "offline-root" and m.host.name == "seized-01" and m.host.os == "Debian GNU/Linux 12 (bookworm)"
    assert not {a.name for a in m.artefacts} & set(VOLATILE) and sum(c.startswith("volatile/") for c in m.cut) == 4
    integrity = artefact(debian_snap.out_dir, "packages/integrity")
    assert integrity["method"] == "dpkg md5sums" and integrity["complete"] and integrity["files_checked"] > 5000
    assert [x["path"] for x in integrity["mismatched"]] == ["/usr/bin/chfn"], integrity["mismatched"]
    (chfn,) = integrity["mismatched"]
    assert chfn["package"] == "passwd" and chfn["sha256"] == sha256_hex((debian.root / "usr/bin/chfn").read_bytes())
    assert sorted(x["path"] for x in integrity["missing"]) == ["/usr/bin/evil-abs", "/usr/bin/evil-rel"]


def test_the_images_set_id_programs_and_timeline_are_its_own(debian_snap: Written, debian: Planted) -> None:
    setid = {f["path"]: f for f in artefact(debian_snap.out_dir, "persistence/setuid")["files"]}
    assert {"/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount", "/usr/bin/chfn"} <= set(setid), sorted(setid)
    su = (debian.root / "usr/bin/su").read_bytes()
    assert setid["/usr/bin/su"]["sha256"] == sha256_hex(su) and setid["/usr/bin/su"]["setuid"] is True
    timeline = {f["path"]: f for f in artefact(debian_snap.out_dir, "timeline/files")["files"]}
    assert timeline["/usr/bin/su"]["sha256"] == sha256_hex(su)
    assert timeline["/etc/os-release"]["type"] == "symlink" and timeline["/etc/os-release"]["target"] == "../usr/lib/os-release"


def test_links_planted_in_the_image_never_read_this_machines_files(debian_snap: Written, debian: Planted) -> None:
    d = debian_snap.out_dir
    own = (debian.root / "etc/shadow").read_text()
    assert "$" not in own  # minbase sets no password: its shadow is copied as it is
    for log in ("auth.log", "syslog"):
        assert artefact(d, f"logs/{log}") == own, log
    assert_nothing_outside_was_read(d, debian)


def test_snapshot_root_of_the_image_verifies(debian: Planted, key_files: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run(["snapshot", "--root", str(debian.root), "--out", str(out), "--key", str(key_files / "signer.key"), "--lang", "zh"])
    assert res.returncode == 0, res.stderr
    assert "离线镜像（offline-root）" in res.stdout
    verified = run(["snapshot", "verify", str(out), "--key", str(key_files / "signer.pub"), "--lang", "en"])
    assert verified.returncode == 0 and "mode offline-root" in verified.stdout, verified.stdout
