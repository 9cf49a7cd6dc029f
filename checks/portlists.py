"""Port lists shared by the host-side (socket table) and outside-in (nmap) exposure checks."""

from __future__ import annotations

from typing import Dict

# Ports that should never face an untrusted network: remote desktop, file sharing,
# databases, caches, container and search APIs.
HIGH_RISK_PORTS: Dict[int, str] = {
    21: "ftp",
    23: "telnet",
    69: "tftp",
    111: "rpcbind",
    135: "msrpc",
    137: "netbios-ns",
    138: "netbios-dgm",
    139: "netbios-ssn",
    445: "smb",
    512: "rexec",
    513: "rlogin",
    514: "rsh",
    873: "rsync",
    1433: "mssql",
    1521: "oracle",
    2049: "nfs",
    2375: "docker-api",
    2376: "docker-api-tls",
    3306: "mysql",
    3389: "rdp",
    5432: "postgresql",
    6379: "redis",
    9200: "elasticsearch",
    9300: "elasticsearch-transport",
    11211: "memcached",
    27017: "mongodb",
    **{p: "vnc" for p in range(5900, 5911)},
}

# Plain-text remote login and file-transfer protocols.
PLAINTEXT_PORTS: Dict[int, str] = {21: "ftp", 23: "telnet", 69: "tftp", 512: "rexec", 513: "rlogin", 514: "rsh"}
