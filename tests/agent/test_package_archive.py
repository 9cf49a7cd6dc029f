"""An application package as one tar: packed deterministically, unpacked as hostile input.

The hostile archives are written with ``tarfile`` itself (and by hand where
``tarfile`` would not write them), each refused with the member and the rule.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path
from typing import Iterable, Optional, Tuple

import pytest

from agent.package_archive import ArchiveError, ArchiveLimits, PackError, pack, unpack

FILES = {
    "application.dsse.json": b'{"payload": "..."}\n',
    "application.html": b"<!doctype html><title>x</title>",
    "attachments/应急预案.pdf": b"%PDF-1.7 " + bytes(range(256)) * 3,
    "attachments/网络安全管理制度.pdf": b"%PDF-1.7 " + bytes(range(256)),
}


def package(root: Path, files: Optional[dict[str, bytes]] = None) -> Path:
    for name, data in (files or FILES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def archive(*members: Tuple[tarfile.TarInfo, bytes], end: bool = True) -> bytes:
    """A tar of exactly these members (data for regular files), written by tarfile."""
    out = io.BytesIO()
    tar = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)
    for info, data in members:
        if info.isreg():
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        else:
            tar.addfile(info)
    if end:
        tar.close()  # writes the end-of-archive marker
    return out.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, **fields: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = 0o644
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def refused(data: bytes, tmp_path: Path, limits: Optional[ArchiveLimits] = None) -> ArchiveError:
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700, parents=True)
    with pytest.raises(ArchiveError) as caught:
        unpack(data, dest, limits or ArchiveLimits())
    return caught.value


def tree(root: Path) -> Iterable[Tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.read_bytes()


# ------------------------------------------------------------------------------------------ pack and unpack


def test_a_package_round_trips_with_private_files(tmp_path: Path) -> None:
    data = pack(package(tmp_path / "pkg"))
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700)
    unpacked = unpack(data, dest)
    assert dict(tree(dest)) == FILES
    assert unpacked.files == tuple(sorted(FILES, key=lambda n: n.encode()))
    assert unpacked.total_bytes == sum(len(v) for v in FILES.values())
    for path in dest.rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_the_same_package_gives_the_same_bytes(tmp_path: Path) -> None:
    first = pack(package(tmp_path / "a"))
    # the same files written in another order, with other times and modes: the same archive
    b = tmp_path / "b"
    package(b, dict(reversed(list(FILES.items()))))
    for i, path in enumerate(sorted(b.rglob("*"))):
        os.utime(path, (1_000_000 + i, 2_000_000 + i))
        if path.is_file():
            path.chmod(0o644)
    assert pack(b) == first
    with tarfile.open(fileobj=io.BytesIO(first)) as tar:
        infos = tar.getmembers()
    assert [i.name for i in infos] == sorted(FILES, key=lambda n: n.encode())
    assert {(i.mtime, i.uid, i.gid, i.uname, i.gname, i.mode, i.type) for i in infos} == {(0, 0, 0, "", "", 0o600, tarfile.REGTYPE)}
    (b / "attachments" / "应急预案.pdf").write_bytes(b"changed")
    assert pack(b) != first


def test_pack_refuses_links_and_names_the_intake_would_refuse(tmp_path: Path) -> None:
    pkg = package(tmp_path / "pkg")
    (pkg / "attachments" / "link.pdf").symlink_to(pkg / "application.html")
    with pytest.raises(PackError, match=r"link\.pdf is a symbolic link"):
        pack(pkg)
    (pkg / "attachments" / "link.pdf").unlink()
    (pkg / "attachments" / "bad\x1bname.pdf").write_bytes(b"x")
    with pytest.raises(PackError, match=r"control-character"):
        pack(pkg)
    with pytest.raises(PackError, match="is not a directory"):
        pack(tmp_path / "missing")


def test_a_leading_dot_slash_and_directory_members_are_accepted(tmp_path: Path) -> None:
    """As ``tar -C DIR -cf - .`` writes it."""
    data = archive(
        (member(".", tarfile.DIRTYPE), b""),
        (member("./attachments", tarfile.DIRTYPE), b""),
        (member("./application.dsse.json"), b"{}"),
        (member("./attachments/a.pdf"), b"%PDF"),
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    assert unpack(data, dest).files == ("application.dsse.json", "attachments/a.pdf")
    assert dict(tree(dest)) == {"application.dsse.json": b"{}", "attachments/a.pdf": b"%PDF"}


def test_an_archive_made_with_gnu_tar_as_docs_insurer_md_says_unpacks(tmp_path: Path) -> None:
    import shutil
    import subprocess

    tar = shutil.which("tar")
    assert tar is not None, "GNU tar is part of every supported system"
    pkg = package(tmp_path / "pkg")
    out = tmp_path / "application.tar"
    subprocess.run(
        [tar, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=pax", "-C", str(pkg), "-cf", str(out), "."],
        check=True,
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    unpack(out.read_bytes(), dest)
    assert dict(tree(dest)) == FILES


# ------------------------------------------------------------------------------------------ hostile archives


@pytest.mark.parametrize(
    ("info", "rule"),
    [
        (member("attachments/evil.pdf", tarfile.SYMTYPE, linkname="/etc/shadow"), "symlink"),
        (member("attachments/evil.pdf", tarfile.LNKTYPE, linkname="application.dsse.json"), "hardlink"),
        (member("attachments/evil.pdf", tarfile.CHRTYPE, devmajor=1, devminor=3), "device"),
        (member("attachments/evil.pdf", tarfile.BLKTYPE, devmajor=8, devminor=0), "device"),
        (member("attachments/evil.pdf", tarfile.FIFOTYPE), "fifo"),
    ],
)
def test_links_devices_and_fifos_are_refused(tmp_path: Path, info: tarfile.TarInfo, rule: str) -> None:
    data = archive((member("application.dsse.json"), b"{}"), (info, b""))
    err = refused(data, tmp_path)
    assert (err.member, err.rule) == ("attachments/evil.pdf", rule)
    assert str(err).startswith("archive member 'attachments/evil.pdf': ") and f"[{rule}]" in str(err)
    assert "only regular files and directories are accepted" in str(err)
    assert not (tmp_path / "dest" / "attachments" / "evil.pdf").exists()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("../x", "parent-component"),
        ("attachments/../../x", "parent-component"),
        ("/abs", "absolute-name"),
        ("/etc/cron.d/x", "absolute-name"),
        ("attachments//x.pdf", "empty-component"),
        ("attachments/./x.pdf", "empty-component"),
        ("attachments\\..\\x", "backslash"),
        ("attachments/\u202eevil.pdf", "control-character"),
        ("a/b/c/d/e", "name-depth"),
        ("x" * 256, "name-length"),
    ],
)
def test_names_that_escape_or_mislead_are_refused(tmp_path: Path, name: str, rule: str) -> None:
    err = refused(archive((member(name), b"data")), tmp_path)
    assert (err.member, err.rule) == (name, rule), str(err)
    assert not list((tmp_path / "dest").iterdir())
    assert not (tmp_path / "x").exists()


def test_a_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    info = member("attachments/\udcffx.pdf")  # surrogateescape of byte 0xff
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT, encoding="utf-8", errors="surrogateescape") as tar:
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    err = refused(out.getvalue(), tmp_path)
    assert err.rule == "name-encoding"


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    data = archive((member("application.dsse.json"), b"{}"), (member("application.dsse.json"), b'{"other": 1}'))
    err = refused(data, tmp_path)
    assert (err.member, err.rule) == ("application.dsse.json", "duplicate-name")
    assert (tmp_path / "dest" / "application.dsse.json").read_bytes() == b"{}"  # the first was never overwritten
    # "./x" and "x" are one name
    err = refused(archive((member("attachments/a.pdf"), b"1"), (member("./attachments/a.pdf"), b"2")), tmp_path / "again")
    assert err.rule == "duplicate-name"


def test_a_file_used_as_a_directory_is_refused(tmp_path: Path) -> None:
    err = refused(archive((member("attachments"), b"a file"), (member("attachments/x.pdf"), b"x")), tmp_path)
    assert (err.member, err.rule) == ("attachments/x.pdf", "duplicate-name")
    err = refused(archive((member("attachments"), b"a file"), (member("attachments", tarfile.DIRTYPE), b"")), tmp_path / "again")
    assert (err.member, err.rule) == ("attachments", "duplicate-name")


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    data = archive(*((member(f"attachments/{i}.pdf"), b"x") for i in range(6)))
    err = refused(data, tmp_path, ArchiveLimits(max_members=5))
    assert (err.member, err.rule) == ("attachments/5.pdf", "member-count") and "more than 5 members" in str(err)


def test_an_oversized_member_is_refused_before_it_is_written(tmp_path: Path) -> None:
    data = archive((member("application.dsse.json"), b"{}"), (member("attachments/big.pdf"), b"x" * 1001))
    err = refused(data, tmp_path, ArchiveLimits(max_member_bytes=1000))
    assert (err.member, err.rule) == ("attachments/big.pdf", "member-size") and "1001 bytes" in str(err)
    assert not (tmp_path / "dest" / "attachments" / "big.pdf").exists()


def test_a_total_too_big_is_refused(tmp_path: Path) -> None:
    data = archive(*((member(f"attachments/{i}.pdf"), b"x" * 400) for i in range(3)))
    err = refused(data, tmp_path, ArchiveLimits(max_total_bytes=1000))
    assert (err.member, err.rule) == ("attachments/2.pdf", "total-size") and "1000 bytes in all" in str(err)


@pytest.mark.parametrize(
    "body",
    [b"", b"not a tar at all " * 100, b'{"payloadType": "application/vnd.in-toto+json"}', b"\x00" * 100],
)
def test_what_is_not_a_tar_is_refused(tmp_path: Path, body: bytes) -> None:
    err = refused(body, tmp_path)
    assert err.member is None and err.rule in ("not-a-tar", "truncated"), str(err)
    assert str(err).startswith("the archive: ")


def test_a_compressed_tar_is_refused_as_not_plain(tmp_path: Path) -> None:
    data = gzip.compress(pack(package(tmp_path / "pkg")), mtime=0)
    err = refused(data, tmp_path)
    assert (err.member, err.rule) == (None, "not-a-tar") and "plain (uncompressed)" in str(err)


def test_a_truncated_archive_is_refused(tmp_path: Path) -> None:
    whole = pack(package(tmp_path / "pkg"))
    with tarfile.open(fileobj=io.BytesIO(whole)) as tar:
        infos = tar.getmembers()
    last = infos[-1]
    # cut inside the last member's data
    err = refused(whole[: last.offset_data + 10], tmp_path / "a")
    assert (err.member, err.rule) == (last.name, "truncated")
    # cut exactly before the last member's header: tarfile alone would quietly see one member fewer
    err = refused(whole[: last.offset], tmp_path / "b")
    assert (err.member, err.rule) == (infos[-2].name, "truncated") and "no end-of-archive marker" in str(err)
    # cut inside the end-of-archive marker
    end = last.offset_data + ((last.size + 511) // 512) * 512
    err = refused(whole[: end + 100], tmp_path / "c")
    assert err.rule == "truncated"
    # a complete archive without its marker
    err = refused(archive((member("application.dsse.json"), b"{}"), end=False), tmp_path / "d")
    assert (err.member, err.rule) == ("application.dsse.json", "truncated")


def test_bytes_after_the_end_of_the_archive_are_refused(tmp_path: Path) -> None:
    whole = pack(package(tmp_path / "pkg"))
    err = refused(whole + b"hidden", tmp_path)
    assert (err.member, err.rule) == (None, "trailing-data")
    dest = tmp_path / "zeros"
    dest.mkdir()
    assert len(unpack(whole + bytes(1024), dest).files) == len(FILES)  # padding is padding


def test_a_member_name_in_an_error_is_shown_safely(tmp_path: Path) -> None:
    err = refused(archive((member("x\x1b[2J.pdf", tarfile.SYMTYPE, linkname="/"), b"")), tmp_path)
    assert "\x1b" not in str(err) and "\\u001b[2J" in str(err)
