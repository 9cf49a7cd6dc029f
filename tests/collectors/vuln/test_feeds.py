"""The feed directory's read side: format validators, the manifest, show and stale."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from collectors.vuln import feeds
from collectors.vuln.feeds import FEEDS, FeedError, FeedFormatError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
FULL_KEV = Path(__file__).resolve().parents[2] / "fixtures" / "kev" / "known_exploited_vulnerabilities.json"
NOW = dt.datetime(2025, 9, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def test_the_fixtures_validate_and_give_their_dates() -> None:
    assert feeds.validate_debian(FIXTURES / "debian.json") is None
    assert feeds.validate_kev(FIXTURES / "kev.json") == "2025-08-25T17:04:19Z"
    assert feeds.validate_epss(FIXTURES / "epss.csv.gz") == "2025-08-25T12:55:00Z"
    assert feeds.validate_advisory_list(FIXTURES / "dsa.list") == "2024-07-01T00:00:00Z"
    assert feeds.validate_advisory_list(FIXTURES / "dla.list") == "2021-01-26T00:00:00Z"


def test_the_full_kev_catalogue_validates() -> None:
    assert feeds.validate_kev(FULL_KEV) == "2025-08-25T17:04:19Z"


@pytest.mark.parametrize(
    ("validator", "fixture", "reason"),
    [
        (feeds.validate_debian, "debian.truncated.json", "not valid JSON"),
        (feeds.validate_epss, "epss.not-gzip.csv.gz", "not a readable gzip CSV"),
        (feeds.validate_kev, "debian.json", "'vulnerabilities' list"),
        (feeds.validate_debian, "kev.json", "expected an object of issues"),
        (feeds.validate_advisory_list, "debian.json", "not an advisory line"),
    ],
)
def test_corrupt_or_wrong_files_are_refused(validator, fixture: str, reason: str) -> None:
    with pytest.raises(FeedFormatError, match=reason):
        validator(FIXTURES / fixture)


def test_epss_without_its_header_or_with_bad_scores_is_refused(tmp_path: Path) -> None:
    no_meta = tmp_path / "a.csv.gz"
    no_meta.write_bytes(gzip.compress(b"cve,epss,percentile\nCVE-2023-4911,0.8,0.9\n"))
    with pytest.raises(FeedFormatError, match="model_version"):
        feeds.validate_epss(no_meta)
    bad = tmp_path / "b.csv.gz"
    bad.write_bytes(gzip.compress(b"#model_version:v1,score_date:2025-08-25T00:00:00+0000\ncve,epss,percentile\nCVE-1,1.7,0.9\n"))
    with pytest.raises(FeedFormatError, match=r"outside 0\.\.1"):
        feeds.validate_epss(bad)
    truncated = tmp_path / "c.csv.gz"
    truncated.write_bytes((FIXTURES / "epss.csv.gz").read_bytes()[:-12])
    with pytest.raises(FeedFormatError):
        feeds.validate_epss(truncated)


def test_kev_count_must_match_its_list(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "kev.json").read_text())
    doc["count"] += 1
    p = tmp_path / "kev.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(FeedFormatError, match="count says 7"):
        feeds.validate_kev(p)


def _record() -> bytes:
    return (FIXTURES / "osv-ubuntu-record.json").read_bytes()


def test_osv_archives_open_and_a_damaged_one_is_refused(tmp_path: Path) -> None:
    tar = tmp_path / "u.tar.xz"
    with tarfile.open(tar, "w:xz") as tf:
        info = tarfile.TarInfo("osv/cve/2025/UBUNTU-CVE-2025-6491.json")
        info.size = len(_record())
        tf.addfile(info, io.BytesIO(_record()))
    assert feeds.validate_osv_tar(tar) is None
    cut = tmp_path / "cut.tar.xz"
    cut.write_bytes(tar.read_bytes()[:-40])
    with pytest.raises(FeedFormatError, match="not a readable tar"):
        feeds.validate_osv_tar(cut)

    z = tmp_path / "r.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("RHSA-2025_0001.json", _record())
    assert feeds.validate_osv_zip(z) is None
    data = bytearray(z.read_bytes())
    at = data.index(b"UBUNTU-CVE-2025-6491", 40)  # inside the stored record: the CRC no longer matches
    data[at] ^= 1
    z.write_bytes(bytes(data))
    with pytest.raises(FeedFormatError, match="not a readable zip"):
        feeds.validate_osv_zip(z)
    empty = tmp_path / "e.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("README", b"x")
    with pytest.raises(FeedFormatError, match=r"no \.json records"):
        feeds.validate_osv_zip(empty)


def _manifest(tmp: Path, **entries: dict) -> Path:
    (tmp / "manifest.json").write_text(json.dumps({"format": 1, "feeds": entries}))
    return tmp


def _entry(feed_id: str, body: bytes, fetched_at: str = "2025-08-26T08:00:00Z", source_date=None) -> dict:
    return {
        "url": FEEDS[feed_id].url,
        "file": FEEDS[feed_id].file,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "fetched_at": fetched_at,
        "source_date": source_date,
    }


def test_manifest_round_trip_and_missing_manifest(tmp_path: Path) -> None:
    assert feeds.read_manifest(tmp_path / "nowhere").feeds == {}
    _manifest(tmp_path, kev=_entry("kev", b"k", source_date="2025-08-25T17:04:19Z"))
    m = feeds.read_manifest(tmp_path)
    assert m.feeds["kev"].date == "2025-08-25T17:04:19Z"
    assert feeds.parse_manifest(m.encode()) == m


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda e: e.update(file="../../etc/passwd"), "is not 'kev.json'"),
        (lambda e: e.update(sha256="ABC"), "sha256"),
        (lambda e: e.update(fetched_at="yesterday"), "fetched_at"),
        (lambda e: e.update(extra=1), "expected the keys"),
        (lambda e: e.update(bytes=-1), "bytes"),
    ],
)
def test_a_bad_manifest_entry_is_refused(tmp_path: Path, mutate, reason: str) -> None:
    entry = _entry("kev", b"k")
    mutate(entry)
    _manifest(tmp_path, kev=entry)
    with pytest.raises(FeedError, match=reason):
        feeds.read_manifest(tmp_path)


def test_an_unknown_feed_in_the_manifest_is_refused(tmp_path: Path) -> None:
    _manifest(tmp_path, nvd=_entry("kev", b"k"))
    with pytest.raises(FeedError, match="unknown feed 'nvd'"):
        feeds.read_manifest(tmp_path)


def test_show_lists_every_feed_with_its_age(tmp_path: Path) -> None:
    (tmp_path / "kev.json").write_bytes(b"k")
    _manifest(
        tmp_path,
        kev=_entry("kev", b"k", source_date="2025-08-25T12:00:00Z"),
        debian=_entry("debian", b"d", fetched_at="2025-08-31T00:00:00Z"),  # file missing
    )
    rows = {r.id: r for r in feeds.show(tmp_path, NOW)}
    assert list(rows) == list(FEEDS)
    assert rows["kev"].present and rows["kev"].age_days == 7.0 and rows["kev"].sha256_prefix == hashlib.sha256(b"k").hexdigest()[:12]
    assert rows["debian"].age_days == 1.5 and not rows["debian"].present
    assert rows["epss"].date is None and not rows["epss"].present


def test_stale_names_feeds_older_than_the_limit(tmp_path: Path) -> None:
    _manifest(
        tmp_path,
        kev=_entry("kev", b"k", fetched_at="2025-09-01T00:00:00Z", source_date="2025-08-20T00:00:00Z"),
        epss=_entry("epss", b"e", fetched_at="2025-08-31T00:00:00Z"),
    )
    m = feeds.read_manifest(tmp_path)
    old = feeds.stale(m, 7, NOW)
    assert [(s.id, s.age_days) for s in old] == [("kev", 12.5)]  # by the feed's own date, not when it was fetched
    assert [s.id for s in feeds.stale(m, 0, NOW)] == ["epss", "kev"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-25T17:04:19.9796Z", "2025-08-25T17:04:19Z"),
        ("2025-08-25T00:00:00+0000", "2025-08-25T00:00:00Z"),
        ("2025-08-25T08:00:00+08:00", "2025-08-25T00:00:00Z"),
        ("2025-08-25", "2025-08-25T00:00:00Z"),
        ("25 Aug 2025", None),
        ("2025-13-01", None),
    ],
)
def test_feed_dates_are_normalised_to_rfc3339_utc(text: str, expected) -> None:
    assert feeds.normalise_date(text) == expected


def test_feed_path_knows_only_the_listed_feeds(tmp_path: Path) -> None:
    assert feeds.feed_path(tmp_path, "epss") == tmp_path / "epss.csv.gz"
    with pytest.raises(FeedError):
        feeds.feed_path(tmp_path, "../x")
