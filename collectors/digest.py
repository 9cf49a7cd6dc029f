"""SHA-256 and MD5 without loading the system OpenSSL.

``hashlib`` maps the system's libcrypto on import: about 4 MiB of resident
memory, and a signed scan already carries the OpenSSL that ``cryptography``
links in. CPython's own implementations (``_sha256`` up to 3.11, ``_sha2``
from 3.12, ``_md5``) give the same digests; ``hashlib`` is the fallback on
builds without them.
"""

from __future__ import annotations

from typing import Any, Callable

_sha256: Callable[..., Any]
_md5: Callable[..., Any]
try:
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
except ImportError:  # pragma: no cover - CPython 3.12+
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256 as _sha256
try:
    from _md5 import md5 as _md5  # type: ignore[import-not-found,no-redef,unused-ignore]
except ImportError:  # pragma: no cover
    from hashlib import md5 as _md5

BLOCK = 64  # SHA-256 block size, for HMAC


def sha256() -> Any:
    """A new SHA-256 object (``update``, ``digest``, ``hexdigest``)."""
    return _sha256()


def sha256_hex(data: bytes) -> str:
    return str(_sha256(data).hexdigest())


def md5_hex(data: bytes) -> str:
    """MD5, only to compare with digests other tools record (dpkg's md5sums): integrity, not security."""
    return str(_md5(data).hexdigest())  # noqa: S324 - matches what dpkg records


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104), as ``hmac.new(key, message, sha256).digest()`` gives."""
    if len(key) > BLOCK:
        key = _sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    inner = _sha256(bytes(b ^ 0x36 for b in key) + message).digest()
    return bytes(_sha256(bytes(b ^ 0x5C for b in key) + inner).digest())
