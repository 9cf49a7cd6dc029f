from __future__ import annotations

from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report.redact import redact, redact_text

# (text, the part of it that must not survive)
SECRETS = [
    # by shape
    ("root:$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH:19000:0:99999:7:::", "abcdefghijklmnopqrstuvwxyz"),
    ("u:$y$j9T$saltsaltsalt$hashhashhashhashhash0123:19000", "hashhash"),
    ("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "PgBkqquzi"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjE="),
    ("password_pbkdf2 root grub.pbkdf2.sha512.10000.ABCDEF0123456789ABCDEF.0123456789ABCDEF0123", "ABCDEF0123456789ABCDEF"),
    ("AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
    ("api_token = sk_live_abcdefghijklmnop12345678", "abcdefghijklmnop12345678"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"),
    ("xoxb-1234567890-abcdefghij", "1234567890-abcdefghij"),
    # by place
    ("password=hunter2hunter2", "hunter2"),
    ("api_key: 0123456789abcdef", "0123456789abcdef"),
    ("export DB_PASSWORD='p@ss word'", "p@ss word"),
    ("MYSQL_PWD=abc123 mysqldump db", "abc123"),
    ('{"password": "hunter2"}', "hunter2"),
    ("mysql --password=S3cret db", "S3cret"),
    ("curl -s -u admin:Secr3t https://x", "Secr3t"),
    ("curl --user admin:s3cr3t https://x", "s3cr3t"),
    ("mysqldump -uroot -pS3cret db", "S3cret"),
    ("https://user:pa55@host/path", "pa55"),
    ("mysql://root:toor@db:3306/x", "toor"),
    ("curl -H 'Authorization: Bearer abcdef0123456789'", "abcdef0123456789"),
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("Bearer FIXTURE-TOKEN-DO-NOT-LEAK", "FIXTURE-TOKEN-DO-NOT-LEAK"),
    ("X-Api-Key: abcdef123456", "abcdef123456"),
    ("sshpass -p Passw0rd ssh host", "Passw0rd"),
    ("smbclient //srv/share -U bob%s3cret", "s3cret"),
    ("redis-cli -a foobared ping", "foobared"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_secrets_are_scrubbed(text: str, secret: str) -> None:
    out, n = redact_text(text)
    assert n >= 1 and "[redacted]" in out and secret not in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2", "password=[redacted]"),
        ("curl -u admin:secret https://x", "curl -u admin:[redacted] https://x"),
        ("mysqldump -uroot -pS3cret db", "mysqldump -uroot -p[redacted] db"),
        ("https://user:pa55@host/path", "https://user:[redacted]@host/path"),
        ("export DB_PASSWORD='p@ss word'", "export DB_PASSWORD='[redacted]'"),
        ("api_token = sk_live_abcdefghijklmnop12345678", "api_token = [redacted]"),
        ("u:$y$j9T$saltsaltsalt$hashhashhashhashhash0123:19000", "u:[redacted]:19000"),  # the whole yescrypt field
    ],
)
def test_only_the_secret_is_replaced(text: str, expected: str) -> None:
    assert redact_text(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        # the tool's own prose and ordinary configuration
        "accounts without a password: guest",
        "accounts without a password: guest, tmpuser",
        "sudo grants full root without a password",
        "PasswordAuthentication no",
        "PasswordAuthentication yes",
        "password_hash_algorithm=yescrypt",
        "passwordauthentication",
        "PASS_MAX_DAYS 99999",
        "/etc/passwd: line 17: expected 7 fields, found 4",
        "evidence unavailable: host.passwd: cannot read",
        "password requisite pam_pwquality.so retry=3",
        "pam_unix.so sha512 shadow try_first_pass use_authtok",
        "bearer tokens are accepted",
        "token_ttl=3600",
        "password=yes",
        # references, prompts and places (what host.credentials reports) are not secrets
        "restic -r sftp:backup@backup.example.internal:/srv/restic --password-file /root/.restic-pass backup",
        "cron /etc/cron.d/backup line 3: curl -u credentials",
        "cron /etc/cron.d/mysql-backup line 2: mysql -p password",
        "config /opt/app/.env line 4: DB_PASSWORD in cleartext",
        "mysqldump -p db",
        "export DB_PASSWORD=$DB_PASS",
        "password: ${DB_PASSWORD}",
        'curl -u "$USER:$PASS" https://x',
        "secret_key = /etc/ssl/key.pem",
        # identifiers that look like token prefixes
        "high_risk_case",
        "--disk-usage",
        "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com",
        "user@host:/srv/x",
        "https://example.com/path?q=1",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == (text, 0)


def test_nested_structures_are_walked() -> None:
    obj, n = redact({"a": ["password=xyzxyz", {"b": "fine"}]})
    assert obj == {"a": ["password=[redacted]", {"b": "fine"}]} and n == 1


def test_a_key_that_names_a_secret_redacts_its_value() -> None:
    obj, n = redact({"db_password": "hunter2", "token": "abc", "password_field": "hashed", "api_key": "$API_KEY", "pass": "yes"})
    assert obj == {
        "db_password": "[redacted]",
        "token": "[redacted]",
        "password_field": "hashed",
        "api_key": "$API_KEY",
        "pass": "yes",
    }
    assert n == 2


def test_redact_tree_copies_only_what_it_scrubs() -> None:
    from report.redact import redact_tree
    from tests.factories import make_evidence, make_finding

    clean = (make_evidence("host.sshd", {"config": {"permitrootlogin": "no"}}), make_finding("LNX-SSH-001", "pass"))
    same, n = redact_tree(clean)
    assert n == 0 and same is clean  # nothing to scrub: no copy at all
    leaky = make_evidence("host.cron", {"lines": ["curl -H 'Authorization: Bearer abcdefgh12345678' https://x"]})
    scrubbed, n = redact_tree((leaky, clean[1]))
    assert n >= 1 and "abcdefgh12345678" not in str(scrubbed[0].facts)
    assert scrubbed[1] is clean[1]  # the untouched finding is the same object


def test_recorded_host_report_keeps_its_own_prose() -> None:
    """debian-weak's report used to say "accounts without a [redacted] tmpuser"."""
    from tests.hosts import fixture_report

    report = fixture_report("debian-weak")
    reasons = [f.reason for f in report.findings if "without a password" in (f.reason or "")]
    assert "accounts without a password: guest, tmpuser" in reasons
    assert "[redacted]" not in str(report.as_json)


def _strings(obj: Any) -> List[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def test_the_trigger_lets_through_only_suspect_strings() -> None:
    """Speed: every string of every report is searched once for the trigger; almost none goes on to the rules."""
    from report.redact import _suspect
    from tests.hosts import fixture_report

    distinct = set(_strings(fixture_report("debian-weak").as_json))
    suspects = [s for s in distinct if _suspect(s)]
    assert len(suspects) < 0.03 * len(distinct), suspects[:20]
    assert all(_suspect(text) for text, _secret in SECRETS)  # the trigger is in step with every rule


def test_strings_known_clean_across_walks_never_let_a_secret_through() -> None:
    """The memory of clean strings outlives one walk: a secret is never remembered, and a mapping key that names
    a secret still redacts a value that is clean text elsewhere."""
    from report.redact import redact_tree

    value = "correct-horse-battery"
    assert redact_tree({"note": value}) == ({"note": value}, 0)  # clean text: remembered
    for _ in range(2):
        scrubbed, n = redact_tree({"db_password": value, "line": "mysql -u root -phunter2secret db"})
        assert n == 2 and scrubbed["db_password"] == "[redacted]" and "hunter2secret" not in scrubbed["line"]


def test_the_memory_of_clean_strings_is_bounded() -> None:
    from report import redact

    redact.redact_tree([f"plain text number {i}" for i in range(redact._MAX_CLEAN + 10)])
    assert 0 < len(redact._CLEAN) <= redact._MAX_CLEAN
    redact.redact_tree(["x" * (redact._MAX_CLEAN_LEN + 1)])
    assert "x" * (redact._MAX_CLEAN_LEN + 1) not in redact._CLEAN


def test_plain_keys_are_remembered_but_their_values_are_still_scrubbed() -> None:
    """A key known to name no secret skips its own check, never its value's."""
    from report import redact

    assert redact.redact_tree({"note": "fine"}) == ({"note": "fine"}, 0)
    assert "note" in redact._PLAIN_KEYS
    scrubbed, n = redact.redact_tree([{"note": "password=hunter2hunter2"}, {"note": {"deeper": ["api_key: 0123456789abcdef"]}}])
    assert n == 2 and "hunter2" not in str(scrubbed) and "0123456789abcdef" not in str(scrubbed)


def test_keys_that_name_or_hold_a_secret_are_never_remembered_plain() -> None:
    from report import redact

    for _ in range(2):  # the second walk meets whatever the first remembered
        scrubbed, n = redact.redact_tree({"db_password": "$DB_PASS", "password=hunter2hunter2": 1})
        assert scrubbed == {"db_password": "$DB_PASS", "password=[redacted]": 1} and n == 1
        assert "db_password" not in redact._PLAIN_KEYS and "password=hunter2hunter2" not in redact._PLAIN_KEYS
        assert redact.redact_tree({"db_password": "hunter2"}) == ({"db_password": "[redacted]"}, 1)


def test_the_memory_of_plain_keys_is_bounded() -> None:
    from report import redact

    redact.redact_tree({f"key{i}": i for i in range(redact._MAX_CLEAN + 10)})
    assert 0 < len(redact._PLAIN_KEYS) <= redact._MAX_CLEAN


def _reference_scrub(obj: Any) -> Any:
    """What the walk must give, written the slow and obvious way: every string and key scrubbed, a value under a
    key that names a secret replaced when it is written out."""
    from report.redact import REDACTED, _is_secret, redact_text, secret_key

    if isinstance(obj, str):
        return redact_text(obj)[0]
    if isinstance(obj, dict):
        return {
            (redact_text(k)[0] if isinstance(k, str) else k): (
                REDACTED if isinstance(k, str) and isinstance(v, str) and secret_key(k) and _is_secret(v) else _reference_scrub(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_reference_scrub(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_reference_scrub(v) for v in obj)
    return obj


_WORDS = ["note", "pass", "token", "db_password", "ok", "password=hunter2hunter2", "$REF", "yes", "curl -u a:Secr3t https://x", "plain"]


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(st.sampled_from(_WORDS), st.integers(-3, 3), st.booleans(), st.none()),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_WORDS), inner, max_size=4)),
        max_leaves=20,
    )
)
def test_the_walk_scrubs_as_the_reference_does_whatever_it_remembers(tree: Any) -> None:
    from report.redact import redact_tree

    want = _reference_scrub(tree)
    for _ in range(2):  # cold, then with every string and key of the tree remembered
        assert redact_tree(tree)[0] == want
