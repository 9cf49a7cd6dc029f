"""Scope validation: a target can never become a tool option, and public addresses need consent."""

from __future__ import annotations

import dataclasses

import pytest

from collectors.net.scope import Scope, ScopeError, parse_scope, parse_target, read_scope_file


@pytest.mark.parametrize(
    "raw",
    [
        "-oN x",
        "127.0.0.1 --script foo",
        "--script=http-brute",
        "127.0.0.1;id",
        "$(id)",
        "127.0.0.1\n-iL /etc/passwd",
        "-iL/etc/shadow",
        "ftp://127.0.0.1/",
        "http://user:pw@127.0.0.1/",
        "127.0.0.1/8",
        "not_a host",
        "",
        "http://-oN/",
    ],
)
def test_unsafe_or_malformed_targets_are_refused(raw: str) -> None:
    with pytest.raises(ScopeError):
        parse_target(raw)


def test_valid_targets_are_normalised() -> None:
    assert parse_target("127.0.0.1").text == "127.0.0.1"
    assert parse_target("[::1]").text == "::1"
    assert parse_target("127.0.0.0/24").kind == "network"
    url = parse_target("https://127.0.0.1:8443")
    assert (url.kind, url.text, url.port, url.scheme) == ("url", "https://127.0.0.1:8443/", 8443, "https")
    assert parse_target("localhost").addresses  # resolved


def test_public_addresses_need_consent() -> None:
    with pytest.raises(ScopeError, match="--allow-public"):
        parse_target("8.8.8.8")
    assert parse_target("8.8.8.8", allow_public=True).text == "8.8.8.8"
    with pytest.raises(ScopeError, match="--allow-public"):
        parse_target("http://1.1.1.1/")


def test_scope_membership() -> None:
    scope = parse_scope(["127.0.0.0/29", "https://localhost:8443/"])
    assert scope.allows("127.0.0.3") and scope.allows("localhost")
    assert not scope.allows("127.0.0.9") and not scope.allows("10.0.0.1") and not scope.allows("example.com")
    assert not Scope(()).allows("127.0.0.1")


def test_errors_name_the_entry() -> None:
    with pytest.raises(ScopeError, match="--target #2"):
        parse_scope(["127.0.0.1", "-oN x"])


def test_scope_file_lines() -> None:
    assert read_scope_file("# ours\n127.0.0.1\n\nhttps://localhost:8443/  # web\n", "s.txt") == [
        (2, "127.0.0.1"),
        (4, "https://localhost:8443/"),
    ]
    with pytest.raises(ScopeError, match="no targets"):
        read_scope_file("# nothing\n", "s.txt")


def test_discovered_web_servers_join_the_scope_only_inside_it() -> None:
    scope = parse_scope(["127.0.0.0/29"])
    found = dataclasses.replace(parse_target("https://127.0.0.3:8443/"), found_by="127.0.0.0/29")
    scope.add_discovered(found)
    scope.add_discovered(found)  # once
    assert [t.endpoint for t in scope.targets] == ["127.0.0.0/29", "https://127.0.0.3:8443/"]
    assert [t.endpoint for t in scope.declared] == ["127.0.0.0/29"]
    with pytest.raises(ScopeError, match="outside the declared scope"):
        scope.add_discovered(dataclasses.replace(parse_target("http://127.0.0.9:80/"), found_by="127.0.0.0/29"))
    with pytest.raises(ValueError, match="names the target whose scan found it"):
        scope.add_discovered(parse_target("http://127.0.0.4/"))
