"""Real nginx instances for the web and TLS probe tests: a "weak" and a "hardened" site.

``with start_nginx(tmp_path, "weak") as srv:`` starts /usr/sbin/nginx in the
foreground on two free 127.0.0.1 ports (plain and TLS) with a prefix under
``tmp_path`` and stops it on exit. No root is needed; when the tests run as
root the workers stay root so they can read a 0700 pytest directory.

weak: no redirect, ``server_tokens on``, ``autoindex`` on /files/, .git/HEAD,
.env, backups, a stub_status page and actuator/phpinfo look-alikes in the
docroot, no security headers, a cookie without flags, CORS reflecting any
origin with credentials, TLS 1.0-1.2 and a self-signed expired certificate
(``cert="rsa1024_sha1"`` or ``"self_signed"`` pick another weak one).
``tls=`` narrows the weak site's cipher suites to one dated class, below
Mozilla's intermediate configuration: "cbc" (ECDHE with CBC-mode suites only),
"static_rsa" (RSA key exchange only) or "dh1024" (DHE only, over a 1024-bit
group); these need an RSA certificate, so they default to "rsa1024_sha1".
OpenSSL 3 serves them only with ``@SECLEVEL=0`` in ssl_ciphers.

hardened: 301 to https, ``server_tokens off``, HSTS/CSP/XFO/nosniff/
Referrer-Policy, a Secure; HttpOnly; SameSite=Strict cookie, dot-files
denied, every unknown path answered 200 with the index page (so probes must
confirm by content), TLS 1.2/1.3 with Mozilla's intermediate suites (ECDHE
with AES-GCM or ChaCha20-Poly1305 only) and a leaf from a private CA for
"localhost" (``srv.ca_cert``).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Callable, Dict, Optional, Type

from tests.servers import certs

NGINX = "/usr/sbin/nginx"
COOKIE_VALUE = "s3cr3t-session-value"  # tests assert this never reaches the facts


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class NginxServer:
    """A running nginx; ports, base URLs and the CA to trust (hardened only)."""

    workdir: Path
    profile: str
    http_port: int
    https_port: int
    ca_cert: Optional[Path]
    cert: Path
    proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def base_url_http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    @property
    def base_url_https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> NginxServer:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()


def _backup_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("dump.sql", "CREATE TABLE users (id int, email text);\n" * 20)
    return buf.getvalue()


def _weak_docroot(root: Path) -> None:
    files: Dict[str, bytes] = {
        "index.html": b"<!doctype html><html><head><title>weak</title></head><body>weak site</body></html>\n",
        ".git/HEAD": b"ref: refs/heads/main\n",
        ".git/config": b"[core]\n\trepositoryformatversion = 0\n",
        ".env": b"APP_ENV=production\nDB_HOST=db\nDB_PASSWORD=dummy\n",
        "files/report-2024.pdf": b"%PDF-1.4 dummy\n",
        "files/notes.txt": b"notes\n",
        "backup.zip": _backup_zip(),
        "db.sql": b"-- MySQL dump 10.13\n"
        + b"CREATE TABLE users (id int, email text);\nINSERT INTO users VALUES (1,'a@example.com');\n" * 4,
        "actuator/index.json": b'{"_links":{"self":{"href":"/actuator"},"env":{"href":"/actuator/env"}}}',
        "actuator/env.json": b'{"activeProfiles":["prod"],"propertySources":[{"name":"systemEnvironment","properties":{}}]}',
        "phpinfo.php": b"<html><head><title>phpinfo()</title></head><body><h1>PHP Version 8.2.7</h1></body></html>\n",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _hardened_docroot(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_bytes(
        b"<!doctype html><html><head><title>hardened</title></head><body>hardened site</body></html>\n"
    )
    # Present on disk but denied by the configuration.
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    (root / ".env").write_bytes(b"DB_PASSWORD=dummy\n")


_COMMON = """
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
{servers}
}}
"""

_WEAK = """
    server_tokens on;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers {ciphers};
{dhparam}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        server_name localhost;
        root {docroot};
        add_header Set-Cookie "sessionid={cookie}; Path=/";
        add_header Access-Control-Allow-Origin $http_origin;
        add_header Access-Control-Allow-Credentials true;
        location /files/ {{ autoindex on; }}
        location = /server-status {{ stub_status; }}
        location = /actuator {{ default_type application/json; try_files /actuator/index.json =404; }}
        location = /actuator/env {{ default_type application/json; try_files /actuator/env.json =404; }}
    }}
"""

_HARDENED = """
    server_tokens off;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers {ciphers};
    ssl_prefer_server_ciphers off;
    server {{
        listen 127.0.0.1:{http_port};
        server_name localhost;
        return 301 https://$host:{https_port}$request_uri;
    }}
    server {{
        listen 127.0.0.1:{https_port} ssl;
        server_name localhost;
        root {docroot};
        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
        add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
        add_header X-Frame-Options DENY always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        add_header Set-Cookie "sessionid={cookie}; Path=/; Secure; HttpOnly; SameSite=Strict";
        location ~ /\\. {{ deny all; }}
        location / {{ try_files $uri /index.html; }}
    }}
"""

_WEAK_CERTS: Dict[str, Callable[[Path], certs.CertPair]] = {
    "expired": certs.expired,
    "rsa1024_sha1": certs.rsa1024_sha1,
    "self_signed": certs.self_signed,
}
# Mozilla's intermediate suites (ssl-config.mozilla.org, 5.7) for an ECDSA certificate.
INTERMEDIATE_CIPHERS = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305"
# The weak site's suites, and the dated-class variants (``tls=``).
WEAK_TLS: Dict[str, str] = {
    "default": "DEFAULT:@SECLEVEL=0",
    "cbc": "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:@SECLEVEL=0",
    "static_rsa": "AES128-GCM-SHA256:AES256-GCM-SHA384:@SECLEVEL=0",
    "dh1024": "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0",
}


def _render(srv: NginxServer, pair: certs.CertPair, docroot: Path, tls: str = "default", dhparam: Optional[Path] = None) -> str:
    prefix = srv.workdir
    user = "user root root;" if os.geteuid() == 0 else ""
    body = _WEAK if srv.profile == "weak" else _HARDENED
    ciphers = WEAK_TLS[tls] if srv.profile == "weak" else INTERMEDIATE_CIPHERS
    servers = body.format(
        http_port=srv.http_port,
        https_port=srv.https_port,
        docroot=docroot,
        cookie=COOKIE_VALUE,
        ciphers=ciphers,
        dhparam=f"    ssl_dhparam {dhparam};" if dhparam else "",
    )
    return _COMMON.format(user=user, prefix=prefix, cert=pair.cert, key=pair.key, servers=servers)


def _wait_listening(srv: NginxServer, deadline: float) -> bool:
    assert srv.proc is not None
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            return False
        try:
            for port in (srv.http_port, srv.https_port):
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def start_nginx(workdir: Path, profile: str, cert: Optional[str] = None, tls: Optional[str] = None) -> NginxServer:
    """Start nginx with ``profile`` ("weak" or "hardened") under ``workdir``; use as a context manager.

    ``cert`` chooses the weak certificate: "expired" (default, self-signed),
    "rsa1024_sha1" or "self_signed"; ``tls`` a weak variant ("cbc", "static_rsa",
    "dh1024"; ``srv.cert`` is then the self-signed RSA certificate). Fails loudly
    when nginx is missing.
    """
    if profile not in ("weak", "hardened"):
        raise ValueError(f"unknown nginx profile {profile!r}")
    if tls is not None and (profile != "weak" or tls not in WEAK_TLS):
        raise ValueError(f"tls={tls!r}: the weak profile's variants are {', '.join(WEAK_TLS)}")
    if not Path(NGINX).exists():
        raise RuntimeError(f"{NGINX} is not installed; scripts/test.sh installs nginx")
    workdir = Path(workdir) / f"nginx-{profile}"
    if workdir.exists():
        shutil.rmtree(workdir)
    for sub in ("tmp", "logs", "conf"):
        (workdir / sub).mkdir(parents=True)
    docroot = workdir / "html"
    dhparam: Optional[Path] = None
    if profile == "weak":
        _weak_docroot(docroot)
        pair = _WEAK_CERTS[cert or ("rsa1024_sha1" if tls not in (None, "default") else "expired")](workdir / "certs")
        if tls == "dh1024":
            dhparam = certs.dh_params(workdir / "certs", 1024)
    else:
        if cert is not None:
            raise ValueError("the hardened profile always uses the private-CA certificate")
        _hardened_docroot(docroot)
        pair = certs.ca_and_leaf(workdir / "certs")
    last_error = ""
    for _attempt in range(5):  # a free port can be taken between probing and binding
        srv = NginxServer(workdir, profile, free_port(), free_port(), pair.ca_cert, pair.cert)
        conf = workdir / "conf" / "nginx.conf"
        conf.write_text(_render(srv, pair, docroot, tls or "default", dhparam))
        errlog = workdir / "logs" / "stderr.log"
        with errlog.open("wb") as err:
            srv.proc = subprocess.Popen(
                [NGINX, "-p", str(workdir), "-c", str(conf), "-e", "stderr", "-g", "daemon off; master_process on;"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        if _wait_listening(srv, time.monotonic() + 10):
            return srv
        srv.stop()
        last_error = errlog.read_text(errors="replace")
    raise RuntimeError(f"nginx ({profile}) did not start: {last_error}")
