"""Small presentation helpers shared by the HTML, Markdown and terminal views.

* ``when``: a report time (UTC, RFC 3339, as stored and signed) in the
  reader's zone: China Standard Time for zh (UTC+8, no daylight saving, so a
  fixed offset needs no time-zone database on the gateway), UTC for en.
* ``observed_rows``: a finding's ``observed`` values as (key, value) rows,
  nested keys joined by dots, lists joined; never raw JSON.
* ``reason_segments``: a finding's reason as pieces, parameters marked, so
  data from the system (paths, values, OS error texts) is shown as code.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, List, Mapping, Optional, Tuple

from checks.messages import segments
from checks.model import Finding

CHINA = _dt.timezone(_dt.timedelta(hours=8), "CST")
MAX_VALUE_CHARS = 300


def when(stamp: Optional[str], lang: str) -> str:
    """``2026-12-05T12:31:11Z`` as ``2026-12-05 20:31:11（北京时间）`` in zh, ``2026-12-05 12:31:11 UTC`` in en."""
    if not stamp:
        return "—"
    try:
        moment = _dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    if lang == "zh":
        return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def _scalar(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if value is None:
        return "—"
    if isinstance(value, (int, float, str)):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def observed_rows(observed: Mapping[str, Any], lang: str) -> List[Tuple[str, str]]:
    """Flatten ``observed`` to rows; a list of scalars is one row, a list of objects one row per item."""
    rows: List[Tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping) and value:
            for k in sorted(value, key=str):
                walk(f"{prefix}.{k}" if prefix else str(k), value[k])
        elif isinstance(value, (list, tuple)) and value and any(isinstance(v, (Mapping, list, tuple)) for v in value):
            for i, v in enumerate(value, 1):
                walk(f"{prefix}[{i}]", v)
        elif isinstance(value, (list, tuple)):
            rows.append((prefix, ("、" if lang == "zh" else ", ").join(_scalar(v, lang) for v in value) if value else "—"))
        else:
            rows.append((prefix, _scalar(value, lang)))

    walk("", dict(observed))
    return rows


def reason_segments(finding: Finding, lang: str) -> Tuple[Tuple[str, bool], ...]:
    """The finding's reason in ``lang``: (text, is_parameter) pieces; a reason without a message is one data piece."""
    if finding.reason is None:
        return ()
    if finding.reason_id is None:
        return ((finding.reason, True),)
    return segments(finding.reason_id, finding.reason_params or {}, lang)


EVIDENCE_STATUS = {
    "ok": {"zh": "已采集", "en": "collected"},
    "error": {"zh": "采集失败", "en": "not collected"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}


def evidence_status(value: str, lang: str) -> str:
    return EVIDENCE_STATUS.get(value, {}).get(lang, value)


# Words that start a command line in remediation texts (a zh text holds no English prose, so a run of
# Latin words that starts with one of these, or carries a path, an option, a setting or a file name, is
# a command or a configuration line, and is shown as code).
COMMANDS = frozenset(
    "apt apt-get dnf yum zypper systemctl ufw firewall-cmd nft iptables ip6tables chmod chown chgrp passwd usermod useradd "
    "userdel gpasswd chage sed echo mount umount sysctl update-grub grub2-mkconfig aa-enforce setenforce semanage restorecon "
    "crontab visudo authselect pam-auth-update faillock auditctl augenrules aide aideinit rpm dpkg find ss kill pkill mysql "
    "psql redis-cli docker ln rm mkdir install touch tee journalctl logrotate timedatectl chronyc ntpq modprobe openssl "
    "ssh-keygen restic borg mysqldump pg_dump sudo needrestart unattended-upgrade tmpfs auth account password session "
    "openssl nginx apache2ctl mosquitto_passwd riskagent".split()
)
_LATIN_RUN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_TECHNICAL = re.compile(r"[/=<>|'\"`$*]|--|\w[._]\w|\s-\w")


def _technical(run: str) -> bool:
    words = run.split()
    return len(words) >= 2 and (words[0] in COMMANDS or bool(_TECHNICAL.search(run)))


def tech_segments(text: str, lang: str) -> Tuple[Tuple[str, bool], ...]:
    """A zh text as (text, is_code) pieces: commands and configuration lines inside it marked as code."""
    if lang != "zh":
        return ((text, False),)
    out: List[Tuple[str, bool]] = []
    last = 0
    for m in _LATIN_RUN.finditer(text):
        if not _technical(m.group(0)):
            continue
        if m.start() > last:
            out.append((text[last : m.start()], False))
        out.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    return tuple(out)
