"""host.identity: the systemd app-specific machine id, global addresses, the cloud instance id; never the raw machine id."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Mapping, Optional

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus, FileSource
from collectors.host.identity import APP_ID, app_specific_id
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from report.model import host_identifiers
from tests.hosts import HOSTS_DIR, evidence_map

# Checked against systemd: on a machine whose /etc/machine-id is MACHINE_ID,
# `systemd-id128 machine-id --app-specific=41cabca8ad694b09a914c13bdac0e73b` printed APP_SPECIFIC.
MACHINE_ID = "3d1219c7c4c5404aaa1f6d2a48adfda4"
APP_SPECIFIC = "8dfc9844010444cc853e71a22a2da6c7"


def _run(tmp: Path, files: Mapping[str, str], interfaces: Optional[Dict[str, List[str]]] = None) -> Evidence:
    for rel, text in files.items():
        path = tmp / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp / "root").mkdir(exist_ok=True)
    ctx = HostContext(
        root=tmp / "root",
        runner=RecordedRunner(tmp / "commands"),
        processes=RecordedProcessView({"interfaces": interfaces or {}}),
        target="t",
        privileged=True,
    )
    return run_collector(all_collectors()["host.identity"], ctx)


def test_the_app_specific_id_is_systemds() -> None:
    assert APP_ID == "41cabca8ad694b09a914c13bdac0e73b"
    assert app_specific_id(MACHINE_ID) == APP_SPECIFIC


def test_the_raw_machine_id_never_reaches_the_evidence(tmp_path: Path) -> None:
    ev = _run(tmp_path, {"/etc/machine-id": MACHINE_ID + "\n"})
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["machine_id_state"] == "ok" and ev.facts["machine_app_id"] == APP_SPECIFIC
    assert MACHINE_ID not in repr(ev)
    [source] = [s for s in ev.sources if isinstance(s, FileSource) and s.path == "/etc/machine-id"]
    assert source.sha256 is None  # a plain hash of the id would link reports to the raw id


@pytest.mark.parametrize(
    "content, state",
    [(None, "missing"), ("", "uninitialized"), ("uninitialized\n", "uninitialized"), ("not-an-id\n", "malformed"), ("0" * 32, "malformed")],
)
def test_machine_id_states(tmp_path: Path, content: Optional[str], state: str) -> None:
    ev = _run(tmp_path, {} if content is None else {"/etc/machine-id": content})
    assert ev.facts["machine_id_state"] == state and ev.facts["machine_app_id"] is None


def test_only_global_addresses_identify_the_host(tmp_path: Path) -> None:
    ifaces = {"lo": ["127.0.0.1", "::1"], "eth0": ["10.20.0.5", "fe80::1%eth0", "2001:db8::5"], "eth1": ["169.254.3.3", "192.168.8.1"]}
    ev = _run(tmp_path, {}, ifaces)
    assert ev.facts["addresses"] == ["10.20.0.5", "192.168.8.1", "2001:db8::5"]


def test_cloud_instance_id_from_cloud_init_or_the_asset_tag(tmp_path: Path) -> None:
    ev = _run(
        tmp_path / "a",
        {"/var/lib/cloud/data/instance-id": "i-0abc123def4567890\n", "/sys/class/dmi/id/sys_vendor": "Alibaba Cloud\n"},
    )
    assert ev.facts["cloud_instance_id"] == "i-0abc123def4567890" and ev.facts["cloud_vendor"] == "Alibaba Cloud"
    tag = _run(tmp_path / "b", {"/sys/class/dmi/id/board_asset_tag": "i-0123456789abcdef0\n", "/sys/class/dmi/id/sys_vendor": "Amazon EC2\n"})
    assert tag.facts["cloud_instance_id"] == "i-0123456789abcdef0"
    garbage = _run(tmp_path / "c", {"/var/lib/cloud/data/instance-id": "\x1b[2J evil\n", "/sys/class/dmi/id/sys_vendor": "QEMU\n"})
    assert garbage.facts["cloud_instance_id"] is None and garbage.facts["cloud_vendor"] is None
    nocloud = _run(tmp_path / "d", {"/var/lib/cloud/data/instance-id": "iid-datasource-none\n"})
    assert nocloud.facts["cloud_instance_id"] is None


def test_recorded_hosts_have_identifiers_in_the_report_target() -> None:
    ev = evidence_map("ics-gateway")["host.identity"]
    assert ev.facts["machine_id_state"] == "ok"
    ids = host_identifiers([ev])
    machine = (HOSTS_DIR / "ics-gateway" / "root" / "etc" / "machine-id").read_text().strip()
    assert ids[0] == f"machine:{app_specific_id(machine)}"
    assert all(i.startswith(("machine:", "ip:", "cloud:")) for i in ids)
