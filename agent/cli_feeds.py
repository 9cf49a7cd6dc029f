"""``riskagent feeds``: download, list, export and import the vulnerability feeds.

Kept apart from agent.cli (which adds the group with ``main.add_command``) and
importing only click at start-up; ``requests`` is loaded by ``feeds update`` alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

import click

from agent.cli_common import AsciiInt, fail, json_option, lang_option, say
from agent.errors import AgentError, UsageError

FC = TypeVar("FC", bound=Callable[..., Any])

_MESSAGES: Dict[str, Dict[str, str]] = {
    "stored": {"zh": "已更新 {id}：{bytes} 字节，sha256 {sha}…，数据日期 {date}", "en": "updated {id}: {bytes} bytes, sha256 {sha}…, dated {date}"},
    "failed": {"zh": "未更新 {id}（保留原有副本）：{url}：{reason}", "en": "not updated {id} (previous copy kept): {url}: {reason}"},
    "summary": {"zh": "{ok} 个漏洞库已更新，{bad} 个失败（{dir}）", "en": "{ok} feed(s) updated, {bad} failed ({dir})"},
    "header": {"zh": "漏洞库    日期                   天数     sha256        大小", "en": "feed      date                   age(d)   sha256        size"},
    "missing": {"zh": "缺失", "en": "missing"},
    "file_missing": {"zh": "（文件缺失）", "en": "(file missing)"},
    "stale": {"zh": "超过 {days} 天未更新：{ids}", "en": "older than {days} days: {ids}"},
    "exported": {"zh": "已导出 {n} 个漏洞库到 {out}", "en": "exported {n} feed(s) to {out}"},
    "imported": {
        "zh": "已导入 {n} 个漏洞库到 {dir}（sha256 已逐一校验）",
        "en": "imported {n} feed(s) into {dir} (every sha256 checked)",
    },
}


def _t(key: str, lang: str, **kw: object) -> str:
    return _MESSAGES[key][lang].format(**kw)


DEFAULT_FEEDS_DIR = Path("/var/lib/riskagent/feeds")  # collectors.vuln.feeds.DEFAULT_FEEDS_DIR (not imported at start-up)


def _feeds_dir_option(fn: FC) -> FC:
    return click.option(
        "--feeds",
        "feeds_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_FEEDS_DIR,
        show_default=True,
        envvar="RISKAGENT_FEEDS_DIR",
        help="Feed directory (manifest.json and one file per feed).",
    )(fn)


@click.group("feeds")
def feeds_group() -> None:
    """Vulnerability feeds (漏洞库): Debian, Ubuntu, Red Hat, openEuler advisories, CISA KEV and EPSS."""


@feeds_group.command("update")
@_feeds_dir_option
@click.option("--only", "only", multiple=True, help="Update only this feed id (repeatable): debian, ubuntu, redhat, openeuler, kev, epss.")
@click.option("--base-url", default=None, help="Replace the origin of every feed URL (a mirror); the URL's path is kept.")
@click.option("--timeout", "total_s", type=AsciiInt(1, 86400), default=1800, show_default=True, help="Seconds one download may take in all.")
@click.option("--read-timeout", "read_s", type=AsciiInt(1, 3600), default=60, show_default=True, help="Seconds one read may wait for data.")
@json_option
@lang_option
def update_cmd(feeds_dir: Path, only: Tuple[str, ...], base_url: Optional[str], total_s: int, read_s: int, as_json: bool, lang: str) -> None:
    """Download the feeds; a failed or corrupt download keeps the previous copy (exit 1 if any failed)."""
    from agent import feeds

    try:
        result = feeds.update(
            feeds_dir,
            list(only) or None,
            timeout=feeds.Timeouts(connect=min(15.0, float(read_s)), read=float(read_s), total=float(total_s)),
            base_url=base_url,
            progress=(lambda m: say(f"  … {m}", err=True)) if sys.stderr.isatty() and not as_json else None,
        )
    except AgentError as exc:
        fail(exc)
    if as_json:
        say(
            json.dumps(
                {
                    "feeds_dir": str(feeds_dir),
                    "updated": feeds.entry_json(result.updated),
                    "failed": [{"id": f.id, "url": f.url, "reason": f.reason} for f in result.failed],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for e in result.updated:
            say(_t("stored", lang, id=e.id, bytes=e.bytes, sha=e.sha256[:12], date=e.date))
        for f in result.failed:
            say(_t("failed", lang, id=f.id, url=f.url, reason=f.reason), err=True)
        say(_t("summary", lang, ok=len(result.updated), bad=len(result.failed), dir=feeds_dir))
    if not result.ok:
        sys.exit(1)


@feeds_group.command("show")
@_feeds_dir_option
@click.option("--max-age-days", type=AsciiInt(0, 3650), default=7, show_default=True, help="Name the feeds older than this.")
@json_option
@lang_option
def show_cmd(feeds_dir: Path, max_age_days: int, as_json: bool, lang: str) -> None:
    """List the feeds present, their date, age in days, digest and size."""
    from collectors.vuln.feeds import FeedError, read_manifest, show, stale

    try:
        rows = show(feeds_dir)
        old = stale(read_manifest(feeds_dir), max_age_days)
    except FeedError as exc:
        fail(AgentError(str(exc), "run riskagent feeds update to rebuild the feed directory"))
    if as_json:
        say(
            json.dumps(
                {"feeds_dir": str(feeds_dir), "max_age_days": max_age_days, "feeds": [r.to_json() for r in rows], "stale": [s.id for s in old]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    say(_t("header", lang))
    for r in rows:
        if r.date is None:
            say(f"{r.id:<9} {_t('missing', lang)}")
            continue
        note = "" if r.present else f"  {_t('file_missing', lang)}"
        say(f"{r.id:<9} {r.date:<22} {r.age_days:<8} {r.sha256_prefix:<13} {r.bytes}{note}")
    if old:
        say(_t("stale", lang, days=max_age_days, ids=", ".join(f"{s.id} ({s.age_days})" for s in old)))


@feeds_group.command("export")
@_feeds_dir_option
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Bundle file to write (a tar).")
@lang_option
def export_cmd(feeds_dir: Path, out_file: Path, lang: str) -> None:
    """Write a bundle (tar of the manifest and the feed files, each checked against its sha256) for an air-gapped machine."""
    from agent import feeds

    try:
        manifest = feeds.export_bundle(feeds_dir, out_file)
    except AgentError as exc:
        fail(exc)
    say(_t("exported", lang, n=len(manifest.feeds), out=out_file))


@feeds_group.command("import")
@click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False))
@_feeds_dir_option
@lang_option
def import_cmd(bundle: Path, feeds_dir: Path, lang: str) -> None:
    """Install the feeds of a bundle made by ``feeds export``, after checking every file against the bundled manifest."""
    from agent import feeds

    try:
        if not bundle.is_file():
            raise UsageError(f"{bundle} is not a file")
        bundled = feeds.import_bundle(bundle, feeds_dir)
    except AgentError as exc:
        fail(exc)
    say(_t("imported", lang, n=len(bundled.feeds), dir=feeds_dir))
