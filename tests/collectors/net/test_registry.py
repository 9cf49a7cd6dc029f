"""The network runner: web servers a port scan finds become URL targets of their own, within the scope and a cap."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from collectors.evidence import Evidence, EvidenceStatus
from collectors.net import registry
from collectors.net.registry import NetContext, collect_network
from collectors.net.scope import parse_scope


def _ports_evidence(target: str, web: List[Dict[str, Any]], ports: str = "80,443,8080") -> Evidence:
    facts = {"hosts": [{"address": w["address"]} for w in web] or [{"address": target}], "ports": ports, "web_endpoints": web}
    return Evidence("net.ports", target, EvidenceStatus.OK, facts)


def _web(address: str, port: int, scheme: str) -> Dict[str, Any]:
    return {"url": f"{scheme}://{address}:{port}/", "address": address, "port": port, "scheme": scheme}


def test_discoveries_skip_endpoints_a_declared_url_already_covers() -> None:
    scope = parse_scope(["127.0.0.0/30", "https://127.0.0.1:8443/"])
    ctx = NetContext(scope, False)
    ev = _ports_evidence("127.0.0.0/30", [_web("127.0.0.1", 8443, "https"), _web("127.0.0.1", 8080, "http"), _web("127.0.0.2", 80, "http")])
    scans, found = registry._discoveries(ctx, [ev])
    assert [t.endpoint for t in found] == ["http://127.0.0.1:8080/", "http://127.0.0.2:80/"]
    assert {t.found_by for t in found} == {"127.0.0.0/30"} and found[0].addresses == ("127.0.0.1",)
    assert scans == {"127.0.0.1": "80,443,8080", "127.0.0.2": "80,443,8080"}


def test_web_servers_beyond_the_cap_are_not_claimed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the cap, the host's port scan no longer vouches for its plain-HTTP side (no PASS from it)."""
    scope = parse_scope(["127.0.0.1"])
    said: List[str] = []
    ctx = NetContext(scope, False, progress=said.append)
    ev = _ports_evidence("127.0.0.1", [_web("127.0.0.1", 1, "http"), _web("127.0.0.1", 2, "http")])
    seen: Dict[str, Any] = {}

    def fake_run(c: Any, run_ctx: NetContext, target: Any) -> Evidence:
        if c.name == "net.ports":
            return ev
        seen[target.endpoint] = dict(run_ctx.port_scans)
        return Evidence(c.name, target.endpoint, EvidenceStatus.NOT_APPLICABLE, {}, (), "fake")

    monkeypatch.setattr(registry, "run_net_collector", fake_run)
    monkeypatch.setattr(registry, "MAX_DISCOVERED_WEB", 1)
    collect_network(ctx, names=["net.ports", "web.http"])
    assert [t.endpoint for t in scope.targets] == ["127.0.0.1", "http://127.0.0.1:1/"]
    assert seen == {"http://127.0.0.1:1/": {}}
    assert any("1 more web server(s) found (http://127.0.0.1:2/ ...) are not assessed" in m for m in said)
