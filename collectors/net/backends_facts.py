"""Facts shapes and keys of ``telematics.backends`` and ``telematics.ota``.

The backends collector (:mod:`collectors.net.backends`) reports, per service
(Redis, Elasticsearch, Kafka) on one host, whether it answers without
credentials, refuses them or could not be judged, with the version or counts
it gave; the OTA collector reports, per firmware path of a URL's origin, the
status and whether a directory listing is served. The shapes and the service
names live apart from the collector so that the checks import them without
loading the HTTP client and the probe code on every assessment.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey

# Service names: keys of option backend_ports and of the facts' ``services``.
REDIS, ELASTICSEARCH, KAFKA = "redis", "elasticsearch", "kafka"

# open: answered without credentials; auth_required / protected_mode: refused it; other: neither;
# closed: nothing listens; error: could not be judged (reason).
ServiceState = Literal["open", "auth_required", "protected_mode", "other", "closed", "error"]


class _ServiceStateBase(TypedDict):
    state: ServiceState


class ServiceReplyFacts(_ServiceStateBase, total=False):
    """What one service answered; which keys are present depends on the service and the state."""

    reply: str  # Redis error word (NOAUTH, DENIED ...) or Kafka "closed on Metadata"
    redis_version: Optional[str]
    status: int  # Elasticsearch HTTP status
    version: Optional[str]  # Elasticsearch version.number
    api_versions_error: int  # Kafka
    api_count: int
    broker_count: int
    topic_count: int
    requests: int  # requests sent (Redis, Kafka)
    error_reason: str  # ErrorReason value, state "error" only
    reason: str


class ServiceFacts(ServiceReplyFacts):
    port: int


class BackendLimitsFacts(TypedDict):
    min_interval_ms: int
    max_requests_per_service: int


class BackendsFacts(CollectedFacts):
    host: str
    services: Dict[str, ServiceFacts]  # REDIS, ELASTICSEARCH, KAFKA as configured
    unauthenticated: List[str]  # services in state "open", sorted
    connects_and_requests: int
    limits: BackendLimitsFacts


class OtaPathFacts(TypedDict, total=False):
    """One firmware path: ``status`` and ``listing`` (plus ``redirect_https`` on a redirect), or ``error``."""

    status: int
    listing: Optional[str]  # directory listing marker name
    redirect_https: bool
    error: str
    error_reason: str  # ErrorReason value


class OtaFacts(CollectedFacts):
    origin: str
    scheme: str
    plain_http: bool
    paths: Dict[str, OtaPathFacts]  # every collectors.net.backends.OTA_PATHS entry
    served: List[str]  # paths answering 200/206
    listable: List[str]
    errors: List[str]


BACKENDS = FactsKey[BackendsFacts]("telematics.backends", BackendsFacts)
OTA = FactsKey[OtaFacts]("telematics.ota", OtaFacts)
