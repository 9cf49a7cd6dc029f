"""feeds update / export / import against a loopback HTTP server serving the fixture feeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, Tuple
from urllib.parse import urlsplit

import pytest
import requests

from agent import feeds
from agent.errors import AgentError
from collectors.vuln.feeds import FEEDS, feed_path, read_manifest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FULL_KEV = Path(__file__).resolve().parents[1] / "fixtures" / "kev" / "known_exploited_vulnerabilities.json"
FAST = feeds.Timeouts(connect=2.0, read=1.0, total=2.0)


def osv_archives() -> Dict[str, bytes]:
    """The Ubuntu tar.xz and the OSV.dev zips, built from the fixture OSV record, the same bytes on every call."""
    record = (FIXTURES / "osv-ubuntu-record.json").read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tf:
        info = tarfile.TarInfo("osv/cve/2025/UBUNTU-CVE-2025-6491.json")
        info.size = len(record)
        tf.addfile(info, io.BytesIO(record))
    out = {"ubuntu": buf.getvalue()}
    for feed_id in ("redhat", "openeuler"):
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as zf:
            # A fixed member time: the clock's would make two builds differ when they straddle a 2-second step.
            member = zipfile.ZipInfo("UBUNTU-CVE-2025-6491.json", date_time=(2025, 8, 25, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(member, record)
        out[feed_id] = zbuf.getvalue()
    return out


def good_bodies() -> Dict[str, bytes]:
    bodies = {
        "debian": (FIXTURES / "debian.json").read_bytes(),
        "kev": (FIXTURES / "kev.json").read_bytes(),
        "epss": (FIXTURES / "epss.csv.gz").read_bytes(),
        "dsa": (FIXTURES / "dsa.list").read_bytes(),
        "dla": (FIXTURES / "dla.list").read_bytes(),
    }
    bodies.update(osv_archives())
    return bodies


class FeedServer:
    """ThreadingHTTPServer on 127.0.0.1 answering each feed's path: ("ok", body), ("trickle", None), ("silent", None)."""

    def __init__(self) -> None:
        self.routes: Dict[str, Tuple[str, bytes]] = {}
        self.stopping = threading.Event()
        self.hits: Dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                mode, body = server.routes.get(self.path, ("missing", b""))
                if mode == "silent":
                    server.stopping.wait(30)
                    return
                if mode == "missing":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body) if mode == "ok" else 10_000_000))
                self.end_headers()
                if mode == "ok":
                    self.wfile.write(body)
                    return
                try:  # trickle: one byte every 50 ms, for ever
                    while not server.stopping.wait(0.05):
                        self.wfile.write(b"{")
                        self.wfile.flush()
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, feed_id: str, mode: str, body: bytes = b"") -> None:
        self.routes[urlsplit(FEEDS[feed_id].url).path] = (mode, body)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        for feed_id, body in good_bodies().items():
            srv.serve(feed_id, "ok", body)
        yield srv


def no_proxy_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # loopback only, whatever proxy the environment names
    return s


def run_update(tmp: Path, srv: FeedServer, ids=None, timeout: feeds.Timeouts = FAST) -> feeds.UpdateResult:
    return feeds.update(tmp, ids, session_factory=no_proxy_session, timeout=timeout, base_url=srv.base_url)


def snapshot(d: Path) -> Dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file() and p.name != ".lock"}


# ------------------------------------------------------------------------------------------ update


def test_good_feeds_are_stored_with_their_manifest_entries(server: FeedServer, tmp_path: Path) -> None:
    d = tmp_path / "feeds"
    fixed = dt.datetime(2025, 8, 26, 8, 0, 0, tzinfo=dt.timezone.utc)
    result = feeds.update(d, None, session_factory=no_proxy_session, timeout=FAST, base_url=server.base_url, now=lambda: fixed)
    assert result.ok, result.failed
    assert sorted(e.id for e in result.updated) == sorted(FEEDS)
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["format"] == 1
    for feed_id, body in good_bodies().items():
        entry = manifest["feeds"][feed_id]
        assert feed_path(d, feed_id).read_bytes() == body  # stored as downloaded
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["bytes"] == len(body)
        assert entry["file"] == FEEDS[feed_id].file
        assert entry["url"] == server.base_url + urlsplit(FEEDS[feed_id].url).path
        assert entry["fetched_at"] == "2025-08-26T08:00:00Z"
    assert manifest["feeds"]["kev"]["source_date"] == "2025-08-25T17:04:19Z"
    assert manifest["feeds"]["epss"]["source_date"] == "2025-08-25T12:55:00Z"
    assert manifest["feeds"]["debian"]["source_date"] is None
    assert manifest["feeds"]["dsa"]["source_date"] == "2024-07-01T00:00:00Z"
    assert read_manifest(d).feeds["kev"].sha256 == manifest["feeds"]["kev"]["sha256"]
    assert not [p for p in d.iterdir() if p.name.startswith(".") and p.name != ".lock"]  # no temporaries left


def test_corrupt_and_stalled_feeds_are_reported_and_the_previous_copies_kept(server: FeedServer, tmp_path: Path) -> None:
    d = tmp_path / "feeds"
    assert run_update(d, server).ok
    before = snapshot(d)
    old_manifest = read_manifest(d)

    server.serve("debian", "ok", (FIXTURES / "debian.truncated.json").read_bytes())
    server.serve("epss", "ok", (FIXTURES / "epss.not-gzip.csv.gz").read_bytes())
    server.serve("kev", "trickle")
    server.serve("redhat", "silent")
    new_openeuler = osv_archives()["openeuler"] + b""  # same content: still a valid update
    server.serve("openeuler", "ok", new_openeuler)

    started = time.monotonic()
    result = run_update(d, server)
    elapsed = time.monotonic() - started

    reasons = {f.id: f.reason for f in result.failed}
    assert set(reasons) == {"debian", "epss", "kev", "redhat"}
    assert "not valid JSON" in reasons["debian"]
    assert "gzip" in reasons["epss"]
    assert "deadline of 2 s exceeded" in reasons["kev"]
    assert "read timeout" in reasons["redhat"]
    for f in result.failed:
        assert f.url == server.base_url + urlsplit(FEEDS[f.id].url).path
    assert sorted(e.id for e in result.updated) == ["dla", "dsa", "openeuler", "ubuntu"]
    after = snapshot(d)
    for feed_id in ("debian", "epss", "kev", "redhat"):
        name = FEEDS[feed_id].file
        assert after[name] == before[name]  # byte-identical previous copy
        assert read_manifest(d).feeds[feed_id] == old_manifest.feeds[feed_id]
    assert set(after) == set(before)  # no temporary files left behind
    # deadlines: kev stops at its 2 s deadline, redhat at its 1 s read timeout, the rest is loopback
    assert elapsed < 2.0 + 1.0 + 3.0, elapsed


def test_a_missing_feed_on_the_mirror_is_reported_with_its_status(server: FeedServer, tmp_path: Path) -> None:
    server.routes.pop(urlsplit(FEEDS["ubuntu"].url).path)
    result = run_update(tmp_path / "feeds", server, ["ubuntu", "kev"])
    assert [(f.id, f.reason) for f in result.failed] == [("ubuntu", "HTTP 404 Not Found")]
    assert [e.id for e in result.updated] == ["kev"]
    assert not feed_path(tmp_path / "feeds", "ubuntu").exists()


def test_the_size_cap_stops_an_endless_body(server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from collectors.vuln import feeds as readside

    small = dataclasses.replace(FEEDS["kev"], max_bytes=1000)
    monkeypatch.setattr(feeds, "FEEDS", {**FEEDS, "kev": small})
    monkeypatch.setattr(readside, "FEEDS", {**FEEDS, "kev": small})
    result = run_update(tmp_path / "feeds", server, ["kev"])
    assert "cap of 1000" in result.failed[0].reason


def test_only_unknown_feed_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match="unknown feed 'nvd'"):
        feeds.update(tmp_path, ["nvd"], session_factory=no_proxy_session)


def test_base_url_replaces_the_origin_and_keeps_the_path() -> None:
    assert feeds.rebase(FEEDS["redhat"].url, "http://127.0.0.1:8080/mirror/") == "http://127.0.0.1:8080/mirror/Red%20Hat/all.zip"
    assert feeds.rebase(FEEDS["kev"].url, None) == FEEDS["kev"].url
    with pytest.raises(AgentError):
        feeds.rebase(FEEDS["kev"].url, "file:///etc")


# ------------------------------------------------------------------------------------------ bundles


@pytest.fixture
def filled(server: FeedServer, tmp_path: Path) -> Path:
    d = tmp_path / "feeds"
    assert run_update(d, server).ok
    return d


def test_bundle_round_trip(filled: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "feeds.tar"
    feeds.export_bundle(filled, bundle)
    with tarfile.open(bundle) as tf:
        assert tf.getnames()[0] == "manifest.json"
        assert sorted(tf.getnames()[1:]) == sorted(s.file for s in FEEDS.values())
    target = tmp_path / "gateway"
    installed = feeds.import_bundle(bundle, target)
    assert installed == read_manifest(filled)
    assert read_manifest(target) == read_manifest(filled)
    assert snapshot(target) == snapshot(filled)


def test_import_keeps_feeds_the_bundle_does_not_hold(server: FeedServer, filled: Path, tmp_path: Path) -> None:
    only_kev = tmp_path / "kev-only"
    assert run_update(only_kev, server, ["kev"]).ok
    bundle = tmp_path / "kev.tar"
    feeds.export_bundle(only_kev, bundle)
    feeds.import_bundle(bundle, filled)
    assert sorted(read_manifest(filled).feeds) == sorted(FEEDS)


def test_export_refuses_a_feed_that_no_longer_matches_its_digest(filled: Path, tmp_path: Path) -> None:
    path = feed_path(filled, "kev")
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(AgentError, match=r"kev: .* does not match the sha256"):
        feeds.export_bundle(filled, tmp_path / "b.tar")
    assert not (tmp_path / "b.tar").exists()


def _tamper_one_byte(bundle: Path, member: str) -> None:
    with tarfile.open(bundle) as tf:
        offset = tf.getmember(member).offset_data
    data = bytearray(bundle.read_bytes())
    data[offset + 5] ^= 0x20
    bundle.write_bytes(bytes(data))


def _write_tar(path: Path, members) -> None:
    with tarfile.open(path, "w") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)


@pytest.fixture
def current(server: FeedServer, tmp_path: Path) -> Path:
    """A gateway's feed directory, holding an older kev and epss only."""
    d = tmp_path / "gateway"
    assert run_update(d, server, ["kev", "epss"]).ok
    return d


def _refused(bundle: Path, current: Path, match: str) -> None:
    before = snapshot(current)
    with pytest.raises(AgentError, match=match):
        feeds.import_bundle(bundle, current)
    assert snapshot(current) == before
    assert not (current.parent / "x").exists()


def test_a_bundle_with_one_byte_changed_is_refused(filled: Path, current: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b.tar"
    feeds.export_bundle(filled, bundle)
    _tamper_one_byte(bundle, "debian.json")
    _refused(bundle, current, "debian.json does not match its manifest entry")


def test_a_bundle_whose_manifest_was_rewritten_to_match_still_needs_a_valid_file(filled: Path, current: Path, tmp_path: Path) -> None:
    bad = b"not json at all"
    manifest = json.loads((filled / "manifest.json").read_text())
    manifest["feeds"]["kev"]["sha256"] = hashlib.sha256(bad).hexdigest()
    manifest["feeds"]["kev"]["bytes"] = len(bad)
    mdata = json.dumps(manifest).encode()
    bundle = tmp_path / "b.tar"
    m = tarfile.TarInfo("manifest.json")
    m.size = len(mdata)
    k = tarfile.TarInfo("kev.json")
    k.size = len(bad)
    manifest["feeds"] = {"kev": manifest["feeds"]["kev"]}
    mdata = json.dumps(manifest).encode()
    m.size = len(mdata)
    _write_tar(bundle, [(m, mdata), (k, bad)])
    _refused(bundle, current, "kev.json is not a valid CISA Known Exploited Vulnerabilities file")


def test_a_bundle_member_outside_the_directory_is_refused(filled: Path, current: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b.tar"
    feeds.export_bundle(filled, bundle)
    info = tarfile.TarInfo("../x")
    info.size = 3
    with tarfile.open(bundle, "a") as tf:
        tf.addfile(info, io.BytesIO(b"pwn"))
    _refused(bundle, current, "'../x' is a path outside the feed directory")


def test_a_symlink_member_is_refused(filled: Path, current: Path, tmp_path: Path) -> None:
    mdata = (filled / "manifest.json").read_bytes()
    m = tarfile.TarInfo("manifest.json")
    m.size = len(mdata)
    link = tarfile.TarInfo("kev.json")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    bundle = tmp_path / "b.tar"
    _write_tar(bundle, [(m, mdata), (link, None)])
    _refused(bundle, current, "'kev.json' is a link")


def test_an_oversized_member_is_refused_before_it_is_read(filled: Path, current: Path, tmp_path: Path) -> None:
    info = tarfile.TarInfo("kev.json")
    info.size = FEEDS["kev"].max_bytes + 1
    bundle = tmp_path / "b.tar"
    bundle.write_bytes(info.tobuf(format=tarfile.PAX_FORMAT) + b"\0" * 1024)  # header only: the data never comes
    _refused(bundle, current, "more than the cap")


def test_an_unknown_member_is_refused(filled: Path, current: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b.tar"
    feeds.export_bundle(filled, bundle)
    info = tarfile.TarInfo("authorized_keys")
    info.size = 1
    with tarfile.open(bundle, "a") as tf:
        tf.addfile(info, io.BytesIO(b"k"))
    _refused(bundle, current, "'authorized_keys' is not a feed file")


def test_the_full_kev_catalogue_validates_and_round_trips(server: FeedServer, tmp_path: Path) -> None:
    body = FULL_KEV.read_bytes()
    server.serve("kev", "ok", body)
    d = tmp_path / "feeds"
    result = run_update(d, server, ["kev"])
    assert result.ok, result.failed
    assert result.updated[0].source_date == "2025-08-25T17:04:19Z"
    assert result.updated[0].sha256 == hashlib.sha256(body).hexdigest()
    bundle = tmp_path / "b.tar"
    feeds.export_bundle(d, bundle)
    feeds.import_bundle(bundle, tmp_path / "gw")
    assert feed_path(tmp_path / "gw", "kev").read_bytes() == body


def test_a_feed_directory_others_can_write_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "feeds"
    d.mkdir()
    os.chmod(d, 0o777)
    with pytest.raises(AgentError, match="writable by"):
        feeds.update(d, ["kev"], session_factory=no_proxy_session)
    shutil.rmtree(d)
