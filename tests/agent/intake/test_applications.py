"""Application packages at the intake, on SQLite and PostgreSQL: verified as ``verify DIR`` does, stored, never dropped.

The packages are built by ``agent.apply.build_package`` (what ``riskagent
apply`` runs) from signed reports of a recorded host, with acme's key from the
intake's trust store, and packed by ``agent.package_archive.pack``. Tampered
packages are that package with one thing changed after signing. The API is
driven through Flask's test client; the last test sends a package with
``riskagent submit-application`` to ``riskagent serve`` over HTTPS.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
import sqlalchemy as sa
from flask.testing import FlaskClient

from agent.intake.app import create_app
from agent.intake.applications import receive_application
from agent.intake.models import ApplicationRecord, Status
from agent.intake.registry import add_applicant_token, add_staff_token, add_user
from agent.package_archive import pack
from report.signing import Signer
from tests.agent.intake.conftest import ACME, BETA, NOW, Site
from tests.agent.intake.test_dashboard import PASSWORD, login
from tests.agent.intake.test_server import _free_port, _token, cli, serving
from tests.report.test_application import answers_file, host_report, profile, resign

ORG_NAME = "杭州云栈示例工业互联网科技有限公司"  # the example profile's enterprise, here under acme's credit code
HOSTILE_MEMBER = "<script>alert(1)</script>\x1b[2J.pdf"


@dataclass
class Packages:
    """acme's application package, and variants of it changed after signing, each as the archive sent."""

    genuine_dir: Path
    archives: Dict[str, bytes] = field(default_factory=dict)


def _variant(base: Path, to: Path, change: Any) -> bytes:
    shutil.copytree(base, to)
    change(to)
    return pack(to)


def _flip_byte(path: Path, at: int = 20) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _embedded_report_byte(site: Site) -> Any:
    """One byte of the first embedded report's payload changed, the application signed again by acme."""

    def edit(pred: Dict[str, Any]) -> None:
        env = pred["reports"][0]["envelope"]
        payload = bytearray(base64.b64decode(env["payload"]))
        payload[payload.index(b'"status"') + 1] ^= 0x01
        env["payload"] = base64.b64encode(bytes(payload)).decode()

    return lambda d: resign(d, site.acme, edit)


def _hostile() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(f"attachments/{HOSTILE_MEMBER}")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/shadow"
        tar.addfile(info)
    return out.getvalue()


@pytest.fixture(scope="session")
def packages(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Packages:
    from agent.apply import build_package

    d = tmp_path_factory.mktemp("applications")
    report = host_report("debian-hardened", "web-01", f"{1:032x}")
    (d / "reports" / "web-01").mkdir(parents=True)
    (d / "reports" / "web-01" / "report.dsse.json").write_bytes(Signer(site.acme).sign(report))
    data = profile(["web-01"])
    data["enterprise"]["credit_code"] = ACME
    (d / "applicant.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (d / "answers.json").write_text(json.dumps(answers_file(("ID-01", "yes")), ensure_ascii=False), encoding="utf-8")
    docs = [d / "应急预案.pdf", d / "网络安全管理制度.pdf"]
    for i, path in enumerate(docs):
        path.write_bytes(b"%PDF-1.7 " + bytes(range(256)) * (i + 1))
    build_package(
        profile_path=d / "applicant.json",
        reports_dir=d / "reports",
        answers_path=d / "answers.json",
        attestation_paths=[],
        attach_paths=docs,
        signer=Signer(site.acme),
        trusted=site.trusted,
        out_dir=d / "pkg",
        lang="zh",
        now=NOW - dt.timedelta(days=1),
    )
    p = Packages(d / "pkg")
    p.archives["genuine"] = pack(p.genuine_dir)
    p.archives["attachment-changed"] = _variant(p.genuine_dir, d / "changed", lambda x: _flip_byte(x / "attachments" / "应急预案.pdf"))
    p.archives["attachment-removed"] = _variant(p.genuine_dir, d / "removed", lambda x: (x / "attachments" / "应急预案.pdf").unlink())
    p.archives["report-byte"] = _variant(p.genuine_dir, d / "report-byte", _embedded_report_byte(site))
    p.archives["hostile"] = _hostile()
    return p


@dataclass
class Api:
    client: FlaskClient
    tokens: Dict[str, str]
    ids: Dict[str, int]

    def post(self, data: bytes, who: str | None = "acme") -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.post("/api/v1/applications", data=data, headers={**headers, "Content-Type": "application/x-tar"})

    def get(self, path: str, who: str = "acme") -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[who]}"})


@pytest.fixture
def api(db: Any, config: Any) -> Api:
    registered = NOW - dt.timedelta(days=40)
    tokens = {
        "acme": add_applicant_token(db, "acme", "Acme Ltd", ACME, now=registered),
        "beta": add_applicant_token(db, "beta", "Beta Co", BETA, now=registered),
    }
    add_user(db, "vera", "Vera", "viewer", PASSWORD)
    tokens["staff"] = add_staff_token(db, "vera")
    with db.read() as session:
        from agent.intake.models import Applicant

        ids = {a.name: a.id for a in session.scalars(sa.select(Applicant))}
    app = create_app(config, db)
    app.testing = True
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"})
    return Api(client, tokens, ids)


def records(db: Any) -> list[ApplicationRecord]:
    with db.read() as session:
        return list(session.scalars(sa.select(ApplicationRecord).order_by(ApplicationRecord.id)))


# ------------------------------------------------------------------------------------------ the API


def test_a_genuine_package_is_accepted_with_its_application_id(api: Api, db: Any, packages: Packages) -> None:
    data = packages.archives["genuine"]
    reply = api.post(data)
    assert reply.status_code == 201, reply.text
    body = reply.json
    assert body["status"] == "accepted" and body["accepted"] is True and body["result"] == "valid", body["problems"]
    assert body["reason"] is None and body["problems"] == [] and body["duplicate"] is False
    assert body["archive_sha256"] == hashlib.sha256(data).hexdigest() and body["size"] == len(data)
    envelope = json.loads((packages.genuine_dir / "application.dsse.json").read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    app = body["application"]
    assert app["application_id"] == statement["predicate"]["application_id"]
    assert (app["organisation_id"], app["organisation_name"]) == (ACME, ORG_NAME)
    assert app["assets"] == [{"asset": "web-01", "subject": "host:web-01", "report_id": statement["predicate"]["reports"][0]["report_id"]}]
    assert body["signers"][0]["organisation_id"] == ACME and body["signers"][0]["label"].startswith("Acme Ltd")
    assert body["message"] == {"zh": "投保申请已通过核验并受理", "en": "application verified and accepted"}
    assert body["received_at"] == "2026-12-05T12:00:00Z"
    # readable by its applicant, byte for byte, and by no other
    assert api.get(f"/api/v1/applications/{body['id']}").json == body
    raw = api.get(f"/api/v1/applications/{body['id']}/archive")
    assert raw.status_code == 200 and raw.data == data and raw.headers["X-Archive-Sha256"] == body["archive_sha256"]
    assert raw.headers["Content-Type"] == "application/x-tar"
    assert api.get(f"/api/v1/applications/{body['id']}", "beta").status_code == 404
    assert api.get(f"/api/v1/applications/{body['id']}", "staff").status_code == 200  # staff read any record
    [stored] = records(db)
    assert stored.archive == data and stored.status is Status.ACCEPTED and stored.verified_at == NOW.replace(microsecond=0)


def test_the_same_bytes_twice_are_one_record(api: Api, db: Any, packages: Packages) -> None:
    first = api.post(packages.archives["genuine"])
    again = api.post(packages.archives["genuine"])
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json["id"] == first.json["id"] and again.json["duplicate"] is True
    assert len(records(db)) == 1
    listed = api.get("/api/v1/applications").json["applications"]
    assert [a["id"] for a in listed] == [first.json["id"]]
    # another applicant sending the same bytes has a record of its own (rejected: not its organisation)
    other = api.post(packages.archives["genuine"], "beta")
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    assert api.get("/api/v1/applications", "beta").json["applications"][0]["id"] == other.json["id"]


@pytest.mark.parametrize(
    ("variant", "expected", "expected_zh"),
    [
        ("attachment-changed", "attachment 应急预案.pdf: changed after signing", "证明材料 应急预案.pdf：签署后被改动"),
        ("attachment-removed", "attachment 应急预案.pdf: missing (attachments/应急预案.pdf)", "证明材料 应急预案.pdf：缺失（attachments/应急预案.pdf）"),
        (
            "report-byte",
            "report host:web-01 (web-01): the embedded envelope is not the one whose sha256 the application signs (tampered)",
            "report host:web-01 (web-01)：内嵌的签名封装不是投保申请所签署 sha256 对应的那一份（已被篡改）",
        ),
    ],
)
def test_a_tampered_package_is_stored_rejected_with_the_verify_reason(
    api: Api, db: Any, packages: Packages, variant: str, expected: str, expected_zh: str
) -> None:
    data = packages.archives[variant]
    reply = api.post(data)
    assert reply.status_code == 201, reply.text
    body = reply.json
    assert body["status"] == "rejected" and body["accepted"] is False and body["result"] == "invalid"
    assert body["reason"].startswith(expected), body["reason"]
    assert body["reason_zh"].startswith(expected_zh) and len(body["problems_zh"]) == len(body["problems"]), body["reason_zh"]
    assert expected in "\n".join(body["problems"]) and "riskagent-application-" not in json.dumps(body, ensure_ascii=False)  # no temporary path
    assert body["application"] is None  # what a tampered application says is not kept as fact
    assert body["message"]["en"] == "application not accepted: stored with the reason (see reason)"
    shown = api.get(f"/api/v1/applications/{body['id']}").json
    assert shown["status"] == "rejected" and shown["reason"] == body["reason"]
    [stored] = records(db)
    assert stored.archive == data and stored.application_id is None and stored.assets == []


def test_a_body_that_is_no_archive_is_stored_rejected_with_the_unpack_reason(api: Api, db: Any, packages: Packages) -> None:
    garbage = api.post(b"this is not a tar archive " * 40)
    assert garbage.status_code == 201, garbage.text
    body = garbage.json
    assert (body["status"], body["result"]) == ("rejected", "invalid")
    assert body["reason"].startswith("intake: the body is not an application package archive: the archive: not a plain (uncompressed) POSIX tar")
    assert body["reason"].endswith("[not-a-tar]") and body["signers"] == []
    hostile = api.post(packages.archives["hostile"]).json
    assert hostile["status"] == "rejected" and "[symlink]" in hostile["reason"]
    assert "archive member 'attachments/<script>alert(1)</script>\\u001b[2J.pdf': a symbolic link" in hostile["reason"]
    # a tar without the envelope
    empty = io.BytesIO()
    with tarfile.open(fileobj=empty, mode="w") as tar:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    missing = api.post(empty.getvalue()).json
    assert missing["status"] == "rejected" and "holds no application.dsse.json at its top level" in missing["reason"]
    assert [r.status for r in records(db)] == [Status.REJECTED] * 3  # each kept, none dropped


def test_a_package_signed_by_another_organisation_is_rejected(api: Api, packages: Packages) -> None:
    reply = api.post(packages.archives["genuine"], "beta")
    assert reply.status_code == 201
    body = reply.json
    assert body["status"] == "rejected" and body["result"] == "valid"  # genuine, but not beta's
    assert body["reason"] == (
        f"intake: the application is signed by {body['signers'][0]['label']}; applicant beta is registered as organisation "
        f"{BETA} and sends only applications signed by a key of that organisation"
    )
    assert "Acme Ltd" in body["reason"] and body["application"]["organisation_id"] == ACME


def test_tokens_and_the_size_limit(api: Api, db: Any, config: Any, packages: Packages) -> None:
    data = packages.archives["genuine"]
    staff = api.post(data, "staff")
    assert staff.status_code == 403 and staff.json["error"] == "forbidden"
    assert staff.json["message"]["zh"] == "只有投保企业的令牌可以提交投保申请"
    nobody = api.post(data, None)
    assert nobody.status_code == 401 and nobody.json["error"] == "unauthorised"
    assert api.get("/api/v1/applications", "staff").status_code == 403  # the list is an applicant's own
    assert api.client.get("/api/v1/applications").status_code == 401
    empty = api.post(b"")
    assert empty.status_code == 400 and "application package's archive" in empty.json["message"]["en"]
    small = create_app(dataclasses.replace(config, max_bytes=len(data) - 1), db)
    client = small.test_client()
    too_big = client.post("/api/v1/applications", data=data, headers={"Authorization": f"Bearer {api.tokens['acme']}"})
    assert too_big.status_code == 413 and too_big.json is not None and too_big.json["error"] == "too_large"
    assert records(db) == []


def test_the_rate_limit_counts_applications_as_it_counts_reports(api: Api, db: Any, config: Any) -> None:
    limited = create_app(dataclasses.replace(config, rate_limit=2), db).test_client()
    headers = {"Authorization": f"Bearer {api.tokens['acme']}"}
    assert limited.get("/api/v1/applications", headers=headers).status_code == 200
    assert limited.post("/api/v1/reports", data=b"{}", headers=headers).status_code == 201  # one window for both
    refused = limited.post("/api/v1/applications", data=b"x", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert records(db) == []


def test_receive_keeps_one_record_per_applicant_and_archive(db: Any, config: Any, packages: Packages) -> None:
    acme = add_applicant_token(db, "acme", None, ACME)
    assert acme
    with db.read() as session:
        from agent.intake.models import Applicant

        acme_id = session.scalars(sa.select(Applicant.id)).one()
    first, created = receive_application(db, config, acme_id, None, packages.archives["genuine"])
    again, created_again = receive_application(db, config, acme_id, None, packages.archives["genuine"])
    assert created and not created_again and first.id == again.id and first.status is Status.ACCEPTED


def test_the_unpacked_package_is_removed_whatever_the_result(db: Any, config: Any, packages: Packages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    add_applicant_token(db, "acme", None, ACME)
    with db.read() as session:
        from agent.intake.models import Applicant

        acme_id = session.scalars(sa.select(Applicant.id)).one()
    for name in ("genuine", "attachment-changed", "hostile"):
        receive_application(db, config, acme_id, None, packages.archives[name])
    receive_application(db, config, acme_id, None, b"garbage")
    assert list(scratch.iterdir()) == []
    assert [r.status for r in records(db)] == [Status.ACCEPTED, Status.REJECTED, Status.REJECTED, Status.REJECTED]


# ------------------------------------------------------------------------------------------ the dashboard


def test_the_applicant_page_lists_applications_with_their_reasons(api: Api, packages: Packages) -> None:
    ok = api.post(packages.archives["genuine"]).json
    bad = api.post(packages.archives["attachment-changed"]).json
    hostile = api.post(packages.archives["hostile"]).json
    c = api.client
    assert login(c, "vera").status_code == 303
    zh = c.get("/applicants/acme")
    assert zh.status_code == 200
    section = zh.text[zh.text.index('<section id="applications">') :]
    section = section[: section.index("</section>")]
    assert "投保申请" in section and "申请记录" in section
    assert f"#{ok['id']}" in section and ok["application"]["application_id"] in section and f"{ORG_NAME} ({ACME})" in section
    assert f"#{bad['id']}" in section and "证明材料 应急预案.pdf：签署后被改动" in section and "changed after signing" not in section
    assert section.count("已受理") == 1 and section.count("未受理") == 2 and "无效" in section
    # every value escaped, control characters shown
    assert "<script>" not in zh.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in section and "\x1b" not in zh.text
    assert f"#{hostile['id']}" in section
    assert f'href="/applications/{bad["id"]}/archive"' in section
    archive = c.get(f"/applications/{bad['id']}/archive")
    assert archive.status_code == 200 and archive.data == packages.archives["attachment-changed"]
    assert archive.headers["Content-Disposition"] == f'attachment; filename="application-{bad["id"]}.tar"'
    assert c.get("/applications/999999/archive").status_code == 404
    en = c.get("/applicants/acme?lang=en").text
    section = en[en.index('<section id="applications">') :]
    assert "<h2>Applications</h2>" in section and "Application record" in section and "changed after signing" in section
    assert "accepted" in section and "rejected" in section


def test_the_applicant_page_without_applications(api: Api) -> None:
    c = api.client
    assert login(c, "vera").status_code == 303
    page = c.get("/applicants/beta")
    assert page.status_code == 200 and "尚未收到投保申请" in page.text


# ------------------------------------------------------------------------------------------ over HTTPS, with the agent's command


@pytest.fixture
def served(empty_db_url: str, site: Site, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    url = empty_db_url
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    tokens = {
        "acme": _token(cli("serve", "token", "add", "acme", "--org-id", ACME, "--name", "Acme Ltd", "--db", url)),
    }
    with serving(tmp_path, url, site, "--workers", "1", "--threads", "2") as (base, ca, _log):
        yield {"base": base, "ca": ca, "tokens": tokens, "dir": tmp_path, "port": int(base.rsplit(":", 1)[1])}


def _config(d: Path, url: str, ca: Path, token: str, name: str = "agent.json") -> Path:
    (d / f"{name}.token").write_text(token + "\n")
    (d / f"{name}.token").chmod(0o600)
    path = d / name
    path.write_text(json.dumps({"submit": {"url": url, "ca_file": str(ca), "token_file": str(d / f"{name}.token"), "timeout_s": 30}}))
    return path


def test_submit_application_over_https(served: Dict[str, Any], packages: Packages, tmp_path: Path) -> None:
    d: Path = served["dir"]
    config = _config(d, f"{served['base']}/api/v1/reports", served["ca"], served["tokens"]["acme"])
    sent = cli("submit-application", str(packages.genuine_dir), "--config", str(config), "--lang", "en")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout.startswith("ACCEPTED: intake record ") and "application verified and accepted" in sent.stdout
    assert f"{ORG_NAME} ({ACME})" in sent.stdout
    again = cli("submit-application", str(packages.genuine_dir), "--config", str(config), "--json")
    assert again.returncode == 0, again.stderr
    answer = json.loads(again.stdout)
    assert answer["duplicate"] is True and answer["archive_sha256"] == hashlib.sha256(packages.archives["genuine"]).hexdigest()
    # a tampered package: delivered, rejected with the reason, exit 1
    tampered = tmp_path / "tampered"
    shutil.copytree(packages.genuine_dir, tampered)
    _flip_byte(tampered / "attachments" / "网络安全管理制度.pdf")
    refused = cli("submit-application", str(tampered), "--config", str(config), "--lang", "zh")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.startswith("REJECTED: intake record ") and "attachment 网络安全管理制度.pdf: changed after signing" in refused.stdout
    assert "投保申请未被受理" in refused.stdout
    # the intake lists both for acme, the stored bytes are the package as packed
    headers = {"Authorization": f"Bearer {served['tokens']['acme']}"}
    listed = requests.get(f"{served['base']}/api/v1/applications", headers=headers, verify=str(served["ca"]), timeout=30).json()
    assert [a["status"] for a in listed["applications"]] == ["rejected", "accepted"]
    raw = requests.get(f"{served['base']}/api/v1/applications/{answer['id']}/archive", headers=headers, verify=str(served["ca"]), timeout=30)
    assert raw.content == packages.archives["genuine"]
    # a revoked-looking token: not delivered, exit 3, said so
    bad = _config(d, f"{served['base']}/api/v1/reports", served["ca"], "ra_" + "A" * 43, "bad.json")
    denied = cli("submit-application", str(packages.genuine_dir), "--config", str(bad))
    assert denied.returncode == 3 and "refused the token" in denied.stderr and "HTTP 401" in denied.stderr
    # not a package: a usage error before anything is sent
    assert cli("submit-application", str(tmp_path), "--config", str(config)).returncode == 2


def test_submit_application_to_an_unreachable_intake(tmp_path: Path, packages: Packages) -> None:
    from agent.outbox import SubmitSettings, application_url, send_application

    assert application_url("https://intake.example:8443/api/v1/reports") == "https://intake.example:8443/api/v1/applications"
    assert application_url("https://intake.example/x/api/v1/reports/?a=1") == "https://intake.example/x/api/v1/applications"
    from agent.errors import UsageError

    with pytest.raises(UsageError, match="does not end in /reports"):
        application_url("https://intake.example/api/v1/submit")
    port = _free_port()  # nothing listens there
    pauses: list[float] = []
    delivery = send_application(b"x", SubmitSettings(f"https://localhost:{port}/api/v1/reports", None, None, 2.0), sleep=pauses.append)
    assert delivery.outcome == "retry" and "did not answer" in delivery.detail and pauses == [1.0, 3.0]
    assert delivery.url == f"https://localhost:{port}/api/v1/applications"


def test_the_intakes_policy_holds_an_applications_reports_as_it_holds_reports(db: Any, config: Any, packages: Packages) -> None:
    """An insurer that requires live, privileged runs refuses an application whose report does not meet them."""
    import dataclasses

    from report.policy import Policy

    acme = add_applicant_token(db, "acme", None, ACME)
    assert acme
    with db.read() as session:
        from agent.intake.models import Applicant

        acme_id = session.scalars(sa.select(Applicant.id)).one()
    strict = dataclasses.replace(config, policy=Policy(require_live=True))
    record, _ = receive_application(db, strict, acme_id, None, packages.archives["genuine"])
    assert record.status is Status.REJECTED
    assert "fails the verification policy" in " ".join(record.problems)
    lenient, _ = receive_application(db, config, acme_id, None, packages.archives["genuine"])  # the same bytes: one record
    assert lenient.id == record.id
