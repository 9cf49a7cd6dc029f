"""Sending signed reports to the insurer's intake: queued on disk first, so nothing is lost.

A report to send is written into ``<state dir>/outbox/`` (atomically, 0600, named by
its sha256 so the same report is queued once) before any network is touched, and
removed only when the intake has answered 2xx. An intake that is down, slow or
answers 5xx/408/429 leaves the queue as it is and sets the next attempt with
exponential backoff (one minute doubling up to six hours), so a run every night
and a restart in between lose nothing and do not hammer a struggling service. A
report the intake refuses for good (4xx) is moved to ``outbox/refused/`` with the
answer beside it: kept for a person, never retried blindly. TLS is always
verified, against the system store or the configured CA file; the token is a
secret file (mode 0600, owned by the user running riskagent), sent as a bearer
token and never logged.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

from agent.errors import AgentError, UsageError
from agent.files import atomic_write, ensure_dir, read_private
from collectors.digest import sha256_hex

OUTBOX = "outbox"
REFUSED = "refused"
STATE = "state.json"
SUFFIX = ".dsse.json"
MAX_TOKEN_BYTES = 4096
MAX_ANSWER_BYTES = 64 * 1024
FIRST_BACKOFF_S = 60
MAX_BACKOFF_S = 6 * 3600
QUICK_RETRIES = (1.0, 3.0)  # within one flush: a restarting intake is back within seconds
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class SubmitSettings:
    """Where signed reports go: the intake's report URL, its CA (None: the system store) and the token file."""

    url: str
    ca_file: Optional[Path] = None
    token_file: Optional[Path] = None
    timeout_s: float = 30.0


def parse_submit(value: Any, where: str, base: Path) -> SubmitSettings:
    """``submit`` from the configuration (an object) or ``--submit URL`` (a string)."""
    if isinstance(value, SubmitSettings):
        return value
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict):
        raise UsageError(f"{where}: expected an object with url, and optionally ca_file, token_file and timeout_s")
    unknown = sorted(set(value) - {"url", "ca_file", "token_file", "timeout_s"})
    if unknown:
        raise UsageError(f"{where}.{unknown[0]}: unknown setting", "submit takes url, ca_file, token_file and timeout_s")
    url = value.get("url")
    if not isinstance(url, str) or not url:
        raise UsageError(f"{where}.url: expected the intake's https URL, e.g. https://intake.example/api/v1/reports")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(c in url for c in "\r\n\t\0 "):
        raise UsageError(f"{where}.url: {url[:200]!r} is not an https URL", "reports are only sent over verified TLS")
    if parts.username or parts.password:
        raise UsageError(f"{where}.url: put the token in token_file, not in the URL")

    def path(key: str) -> Optional[Path]:
        raw = value.get(key)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw or "\0" in raw:
            raise UsageError(f"{where}.{key}: expected a path")
        p = Path(raw)
        return p if p.is_absolute() else base / p

    timeout = value.get("timeout_s", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 600:
        raise UsageError(f"{where}.timeout_s: expected whole seconds from 1 to 600")
    return SubmitSettings(url, path("ca_file"), path("token_file"), float(timeout))


@dataclass(frozen=True)
class Sent:
    name: str
    answer: Dict[str, Any]


@dataclass(frozen=True)
class Flush:
    """What one flush did: sent, refused for good (moved aside), still queued and why, when to try next."""

    sent: Tuple[Sent, ...] = ()
    refused: Tuple[Tuple[str, str], ...] = ()
    queued: Tuple[str, ...] = ()
    problem: Optional[str] = None
    next_attempt: Optional[float] = None
    skipped: bool = False  # not due yet, or another process is flushing

    def lines(self) -> List[str]:
        out = [f"  sent {s.name}" + (f" (intake record {s.answer['id']}, {s.answer.get('result', '?')})" if "id" in s.answer else "") for s in self.sent]
        out += [f"  refused by the intake, kept in {OUTBOX}/{REFUSED}/: {name}: {why}" for name, why in self.refused]
        if self.queued:
            when = f"; next attempt after {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(self.next_attempt))}" if self.next_attempt else ""
            out.append(f"  {len(self.queued)} report(s) queued for the intake" + (f": {self.problem}" if self.problem else "") + when)
        return out


@dataclass
class _State:
    failures: int = 0
    next_attempt: float = 0.0
    last_problem: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


class Outbox:
    """The queue in ``<state_dir>/outbox``."""

    def __init__(self, state_dir: Path, *, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        self.dir = state_dir / OUTBOX
        self._clock = clock
        self._sleep = sleep

    def enqueue(self, envelope: bytes) -> Path:
        """Queue a signed report (again: no second copy). Written and synced before anything is sent."""
        ensure_dir(self.dir, "outbox directory")
        digest = sha256_hex(envelope)
        for existing in self.pending():
            if existing.name.endswith(f"-{digest[:16]}{SUFFIX}"):
                return existing
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self._clock()))
        # A sequence number after the second: names sort in the order reports were queued.
        same = [p.name.split("-")[1] for p in self.pending() if p.name.startswith(stamp + "-")]
        seq = 1 + max((int(n) for n in same if n.isdigit()), default=0)
        path = self.dir / f"{stamp}-{seq:04d}-{digest[:16]}{SUFFIX}"
        atomic_write(path, envelope)
        return path

    def pending(self) -> List[Path]:
        """Queued reports, oldest first."""
        if not self.dir.is_dir():
            return []
        return sorted(p for p in self.dir.iterdir() if p.name.endswith(SUFFIX) and p.is_file() and not p.is_symlink())

    def refused(self) -> List[Path]:
        d = self.dir / REFUSED
        return sorted(p for p in d.iterdir() if p.name.endswith(SUFFIX)) if d.is_dir() else []

    def _state(self) -> _State:
        try:
            data = json.loads((self.dir / STATE).read_text(encoding="utf-8"))
            return _State(int(data.get("failures", 0)), float(data.get("next_attempt", 0)), data.get("last_problem"))
        except (OSError, ValueError, TypeError, AttributeError):
            return _State()

    def _save(self, state: _State) -> None:
        data = {"failures": state.failures, "next_attempt": state.next_attempt, "last_problem": state.last_problem}
        atomic_write(self.dir / STATE, json.dumps(data, sort_keys=True).encode("utf-8"))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[bool]:
        """One flusher at a time (a manual scan and the nightly run may meet); the other skips, it does not wait."""
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def flush(self, submit: SubmitSettings, *, force: bool = False) -> Flush:
        """Send what is queued, oldest first. Honours the backoff unless ``force`` (a person asked)."""
        queued = self.pending()
        if not queued:
            return Flush()
        state = self._state()
        now = self._clock()
        if not force and state.next_attempt > now:
            return Flush(queued=tuple(p.name for p in queued), problem=state.last_problem, next_attempt=state.next_attempt, skipped=True)
        token = _token(submit)
        with self._locked() as mine:
            if not mine:
                return Flush(queued=tuple(p.name for p in queued), problem="another riskagent process is sending them", skipped=True)
            sent: List[Sent] = []
            refused: List[Tuple[str, str]] = []
            for path in queued:
                outcome, detail, answer = self._send_with_retries(path, submit, token)
                if outcome == "sent":
                    path.unlink()
                    sent.append(Sent(path.name, answer))
                elif outcome == "refused":
                    self._set_aside(path, detail, answer)
                    refused.append((path.name, detail))
                else:  # the intake is unreachable or overloaded: keep everything, try later
                    state.failures += 1
                    state.last_problem = detail
                    state.next_attempt = self._clock() + min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (state.failures - 1))
                    self._save(state)
                    left = tuple(p.name for p in self.pending())
                    return Flush(tuple(sent), tuple(refused), left, detail, state.next_attempt)
            self._save(_State())
            return Flush(tuple(sent), tuple(refused))

    def _send_with_retries(self, path: Path, submit: SubmitSettings, token: Optional[str]) -> Tuple[str, str, Dict[str, Any]]:
        envelope = path.read_bytes()
        result = _post(envelope, submit, token)
        for pause in QUICK_RETRIES:
            if result[0] != "retry":
                break
            self._sleep(pause)
            result = _post(envelope, submit, token)
        return result

    def _set_aside(self, path: Path, why: str, answer: Dict[str, Any]) -> None:
        aside = self.dir / REFUSED
        ensure_dir(aside, "outbox directory")
        atomic_write(aside / (path.name[: -len(SUFFIX)] + ".answer.json"), json.dumps({"reason": why, "answer": answer}, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        os.replace(path, aside / path.name)


def _token(submit: SubmitSettings) -> Optional[str]:
    if submit.token_file is None:
        return None
    try:
        raw = read_private(submit.token_file, "intake token file", MAX_TOKEN_BYTES)
    except FileNotFoundError:
        raise UsageError(f"intake token file {submit.token_file} does not exist", "ask the insurer for a token (riskagent serve token add)") from None
    token = raw.decode("ascii", "replace").strip()
    if not token or any(not (33 <= ord(c) < 127) for c in token):
        raise UsageError(f"intake token file {submit.token_file} does not hold a token (one line of printable ASCII)")
    return token


ENVELOPE_TYPE = "application/vnd.dsse.envelope+json"


def _post(
    envelope: bytes, submit: SubmitSettings, token: Optional[str], *, url: Optional[str] = None, content_type: str = ENVELOPE_TYPE
) -> Tuple[str, str, Dict[str, Any]]:
    """("sent" | "refused" | "retry", why, the intake's JSON answer). ``url`` defaults to the report URL, ``submit.url``."""
    import requests

    url = url or submit.url
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    verify: Any = str(submit.ca_file) if submit.ca_file is not None else True
    try:
        with requests.post(
            url, data=envelope, headers=headers, timeout=(min(10.0, submit.timeout_s), submit.timeout_s), verify=verify, stream=True, allow_redirects=False
        ) as resp:
            body = resp.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True) or b""
            status = resp.status_code
    except requests.exceptions.SSLError as exc:
        return "retry", f"TLS verification of {url} failed ({_short(exc)}); check ca_file", {}
    except requests.exceptions.RequestException as exc:
        return "retry", f"{url} did not answer ({type(exc).__name__})", {}
    except OSError as exc:  # a CA file that cannot be read, a socket error below requests
        return "retry", f"cannot reach {url}: {exc.strerror or exc}", {}
    answer = _json(body[:MAX_ANSWER_BYTES])
    if 200 <= status < 300:
        return "sent", "", answer
    why = f"HTTP {status}" + (f": {str(answer.get('reason') or answer.get('error'))[:300]}" if answer.get("reason") or answer.get("error") else "")
    if status in RETRY_STATUSES:
        return "retry", f"the intake answered {why}", answer
    if status in (401, 403):
        # Not the report's fault: keep it queued and say so; a new token fixes it.
        return "retry", f"the intake refused the token ({why}); check token_file", answer
    return "refused", why, answer


def _json(body: bytes) -> Dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."


def submit_report(state_dir: Path, envelope: bytes, submit: SubmitSettings) -> Flush:
    """Queue ``envelope`` and send the queue now (a scan just made it: no backoff wait for a fresh report)."""
    box = Outbox(state_dir)
    box.enqueue(envelope)
    try:
        return box.flush(submit, force=True)
    except AgentError:
        raise
    except OSError as exc:
        raise AgentError(f"cannot use the outbox in {box.dir}: {exc.strerror or exc}", "the report is written locally; fix the directory and run: riskagent outbox flush") from None


# ------------------------------------------------------------------------------------------ application packages

ARCHIVE_TYPE = "application/x-tar"


def application_url(report_url: str) -> str:
    """The intake's application URL beside its report URL: ``…/api/v1/reports`` -> ``…/api/v1/applications``.

    The configuration names the report URL (``submit.url``); both endpoints live side by side, so the
    application URL is that URL with its last path segment replaced, query and fragment dropped.
    """
    parts = urlsplit(report_url)
    path = parts.path.rstrip("/")
    if not path.endswith("/reports"):
        raise UsageError(
            f"submit.url {report_url[:200]!r} does not end in /reports, so the intake's application URL cannot be told from it",
            "set submit.url to the intake's report URL, e.g. https://intake.example/api/v1/reports",
        )
    return parts._replace(path=path[: -len("reports")] + "applications", query="", fragment="").geturl()


@dataclass(frozen=True)
class Delivery:
    """What sending one application package came to: ``sent`` (the intake stored it; ``answer`` says whether it
    was accepted), ``refused`` (a 4xx other than the token's: not stored) or ``retry`` (not delivered now)."""

    outcome: str
    detail: str
    answer: Dict[str, Any]
    url: str


def send_application(archive: bytes, submit: SubmitSettings, *, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST a packed application to the intake once, with the flush's quick retries for a restarting intake.

    Not queued: an application is sent by a person, who sees the answer and can send it again.
    """
    url = application_url(submit.url)
    token = _token(submit)
    outcome, detail, answer = _post(archive, submit, token, url=url, content_type=ARCHIVE_TYPE)
    for pause in QUICK_RETRIES:
        if outcome != "retry" or answer.get("error") in ("unauthorised", "forbidden"):  # a token problem: waiting does not fix it
            break
        sleep(pause)
        outcome, detail, answer = _post(archive, submit, token, url=url, content_type=ARCHIVE_TYPE)
    return Delivery(outcome, detail, answer, url)
