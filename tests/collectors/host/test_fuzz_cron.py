"""Fuzzing the cron parsers: schedules, crontab and cron.d tables, periodic scripts, and the backup jobs they run.

Covered: ``cron_values``/``cron_frequency`` (five-field schedules with names,
ranges, steps and lists), ``cron_commands`` (system tables with a user field,
user spools without, ``NAME=value`` lines, @macros), ``calendar_frequency``
(systemd OnCalendar=), ``invoked_scripts`` (the scripts a command line runs), and
the ``host.backup`` collector on an in-memory host (/etc/crontab, /etc/cron.d,
/etc/cron.daily, /var/spool/cron, the scripts they call, a systemd timer) and
over a fixture tree.
"""

from __future__ import annotations

from typing import Dict, List

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.packages import FREQ_DAYS, calendar_frequency, cron_commands, cron_frequency, invoked_scripts
from tests.collectors.host.test_fuzz_common import (
    COLLECTOR_EXAMPLES,
    NUMBER,
    MemoryHost,
    Tree,
    assert_sound,
    collect_in_memory,
    file_bytes,
    fuzz_tree,
    joined,
    lines,
    noise,
    run_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

ATOM = st.one_of(
    st.sampled_from(["*", "0", "1", "7", "12", "23", "31", "59", "mon", "SUN", "jan", "dec", "fri", "", "-", "/", "*/", "L", "?"]),
    NUMBER,
)
FIELD = st.one_of(
    ATOM,
    st.builds(lambda a, b: f"{a}-{b}", ATOM, ATOM),
    st.builds(lambda a, s: f"{a}/{s}", ATOM, ATOM),
    st.builds(lambda a, b, s: f"{a}-{b}/{s}", ATOM, ATOM, ATOM),
    st.lists(ATOM, min_size=2, max_size=4).map(",".join),
    noise(6),
)
SCHEDULE = st.tuples(FIELD, FIELD, FIELD, FIELD, FIELD)
FREQUENCIES = (*FREQ_DAYS, "reboot", "unknown")

COMMANDS = (
    "/usr/local/sbin/db-backup >/var/log/db-backup.log 2>&1",
    "restic -r sftp:backup@host:/srv/restic --password-file /root/.restic-pass backup /etc --quiet",
    "cd / && run-parts --report /etc/cron.daily",
    "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }",
    "bash -c '/root/job.sh; tar czf /backup/etc-$(date +%F).tgz /etc'",
    "cd /opt/app && ./backup.sh",
    "nice -n 10 flock -w 5 /run/lock/x /usr/local/bin/backup.sh",
    "sh -c",
    "rsync -a /data/ backup@nas:/srv/ && borg create /mnt/borg::x /data",
    "python3 /root/upload.py \"unterminated",
    "$BACKUP_SCRIPT",
    "${DIR:-/usr/local/bin}/run.sh",
    "sudo -u postgres pg_dumpall | gzip > /var/backups/pg.sql.gz",
    "rclone copy /backup baidu-pan:bak",
    "env A=1 timeout 1h /usr/local/bin/backup.sh",
    "bash -xc 'exec /root/nested.sh'",
)
COMMAND = st.one_of(seeded("/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*"), word(*COMMANDS))
CRON_LINE = st.one_of(
    seeded("/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*"),
    st.builds(lambda s, u, c: " ".join(s) + u + " " + c, SCHEDULE, word(" root", "", " postgres"), COMMAND),
    joined([word("@daily", "@reboot", "@weekly", "@hourly", "@annually", "@every", "@"), word("root", ""), COMMAND]),
    joined([word("MAILTO", "PATH", "SHELL", "RESTIC_REPOSITORY", "BACKUP_SCRIPT", "1X", "A B"), word("=", " = "), word('"x"', "'", "/usr/bin")]),
)
CRONTAB = st.one_of(text_for(CRON_LINE), seeded_text("/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*"))
CALENDAR = (
    "daily", "weekly", "hourly", "Mon..Fri", "Mon,Tue", "Sat *-*-* 02:00", "*-*-* 03:00:00", "*-*-01 00:00", "*:0/15",
    "Mon,Tue,Wed,Thu,Fri,Sat,Sun 00:00", "2025-01-01", "quarterly", "annually", "*-*-1,15 4:00", "", "Mon", "**-**-** *:",
)  # fmt: skip


# -- pure parsers ------------------------------------------------------------------------------


@given(SCHEDULE)
@example(("0", "0-99999999999", "*", "*", "*"))  # an hour range that once expanded to 10**11 values
@example(("0", "*/²", "*", "*", "*"))  # a digit str.isdigit() accepts and int() refuses
@example(("0", "0", "1-" + "9" * 5000, "*", "*"))
@example(("0", "0", "0", "*", "*"))  # day 0 does not exist
@fuzz
def test_cron_schedule(fields: tuple) -> None:  # type: ignore[type-arg]
    freq = cron_frequency(*fields)
    assert freq in FREQUENCIES
    if all(f == "*" for f in fields[1:]):
        assert freq == "hourly"


@given(CRONTAB, st.booleans())
@example("0 " + "9" * 5000 + " * * * root /bin/true\n", True)
@example("@daily\n@reboot root\nA=\n* * * * *\n", True)
@fuzz
def test_crontab(text: str, has_user: bool) -> None:
    commands = cron_commands(text, "/etc/crontab", has_user, user="alice")
    n = len(text.splitlines())
    assert [c.line for c in commands] == sorted(c.line for c in commands)
    for c in commands:
        assert 1 <= c.line <= n and c.command and c.schedule in FREQUENCIES
        assert has_user or c.user == "alice"


@given(st.one_of(word(*CALENDAR), noise(30)))
@fuzz
def test_calendar_frequency(spec: str) -> None:
    assert calendar_frequency(spec) in FREQUENCIES


@given(st.one_of(COMMAND, noise(80)), st.dictionaries(word("DIR", "BACKUP_SCRIPT", "HOME"), word("/root", "", "$DIR", "/x/$(y)"), max_size=3))
@example("bash -c 'bash -c \"bash -c /root/x.sh\"'", {})
@example("${DIR:-/a}/b.sh ${", {"DIR": "${DIR}"})
@fuzz
def test_invoked_scripts(command: str, env: Dict[str, str]) -> None:
    scripts = invoked_scripts(command, env)
    assert len(scripts) == len(set(scripts))
    assert all(s.startswith("/") and "$" not in s for s in scripts)


# -- the collector in memory and on a tree ---------------------------------------------------------

SCRIPT_LINE = st.one_of(COMMAND, seeded("/usr/local/sbin/*", "/etc/cron.daily/*"), word("#!/bin/sh", "set -e", "BACKUP_SCRIPT=/root/x.sh"))
CRON_PATHS = ("/etc/crontab", "/etc/cron.d/backup", "/etc/cron.d/.hidden", "/etc/cron.d/x.dpkg-old", "/var/spool/cron/crontabs/root")
SCRIPT_PATHS = ("/etc/cron.daily/backup", "/usr/local/sbin/db-backup", "/usr/local/bin/backup.sh", "/root/job.sh", "/opt/app/backup.sh")
TIMER = "[Timer]\nOnCalendar={cal}\n"
SERVICE = "[Service]\nExecStart={cmd}\nEnvironmentFile=-/etc/default/backup\nUser=root\n"


@st.composite
def cron_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {"/var/lib/dpkg/status": ""} if draw(st.booleans()) else {}
    for path in draw(st.lists(st.sampled_from(CRON_PATHS), min_size=1, max_size=3, unique=True)):
        files[path] = draw(lines(CRON_LINE, max_lines=4, long=False))
    for path in draw(st.lists(st.sampled_from(SCRIPT_PATHS), max_size=2, unique=True)):
        files[path] = draw(lines(SCRIPT_LINE, max_lines=4, long=False))
    if draw(st.booleans()):
        files["/etc/systemd/system/backup.timer"] = TIMER.format(cal=draw(word(*CALENDAR)))
        files["/etc/systemd/system/backup.service"] = SERVICE.format(cmd=draw(COMMAND))
        files["/etc/systemd/system/timers.target.wants/backup.timer"] = files["/etc/systemd/system/backup.timer"]
    dirs: List[str] = ["/etc/cron.d", "/etc/cron.daily", "/var/spool/cron/crontabs", "/backup"]
    return MemoryHost(files, dirs=dirs)


@given(cron_host())
@example(MemoryHost({"/etc/crontab": "0 0-99999999999 * * * root /bin/true\n"}))
@example(MemoryHost({"/etc/cron.d/backup": "@daily root /etc/cron.d/backup\n"}))  # a table that runs itself as a script
@example(MemoryHost({"/etc/crontab": "1 1 * * * root /root/a.sh\n", "/root/a.sh": "/root/a.sh\nbash /root/a.sh\n"}))  # a loop
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_backup_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.backup", host)
    if facts is None:
        assert any(b"\x00" in data for data in host.files.values())
        return
    assert facts["complete"] == (not facts["unreadable"])
    assert facts["most_frequent_schedule"] in (None, *FREQ_DAYS)


@st.composite
def cron_tree(draw: st.DrawFn) -> Tree:
    tree = Tree(dirs=["/etc/cron.d", "/var/spool/cron/crontabs"])
    for path in draw(st.lists(st.sampled_from(CRON_PATHS), min_size=1, max_size=3, unique=True)):
        tree.files[path] = draw(file_bytes(CRON_LINE))
    for path in draw(st.lists(st.sampled_from(SCRIPT_PATHS), max_size=2, unique=True)):
        tree.files[path] = draw(file_bytes(SCRIPT_LINE))
    return tree


@given(cron_tree(), st.booleans())
@example(Tree(files={"/etc/crontab": "0 0-99999999999 * * * root /bin/true\n"}), True)
@fuzz_tree()
def test_backup_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.backup", tree, privileged))
