from __future__ import annotations

import pytest

from report.redact import redact, redact_text


@pytest.mark.parametrize(
    "text",
    [
        "root:$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH:19000:0:99999:7:::",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----",
        "curl -H 'Authorization: Bearer abcdef0123456789'",
        "password=hunter2hunter2",
        "api_key: 0123456789abcdef",
        "AKIAABCDEFGHIJKLMNOP",
    ],
)
def test_secrets_are_scrubbed(text: str) -> None:
    out, n = redact_text(text)
    assert n >= 1 and "[redacted]" in out


@pytest.mark.parametrize(
    "text",
    [
        "/etc/passwd: line 17: expected 7 fields, found 4",
        "evidence unavailable: host.passwd: cannot read",
        "PasswordAuthentication yes",
        "passwordauthentication",
        "PASS_MAX_DAYS 99999",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == (text, 0)


def test_nested_structures_are_walked() -> None:
    obj, n = redact({"a": ["password=xyzxyz", {"b": "fine"}]})
    assert obj == {"a": ["[redacted]", {"b": "fine"}]} and n == 1


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
