"""Facts shape and key of ``mqtt.broker``, the anonymous exposure of an MQTT broker.

The collector (:mod:`collectors.net.mqtt`) reports, per configured MQTT port,
whether an anonymous CONNECT was accepted (with the TLS protocol, leaf
certificate and chain trust on a TLS port), the topic names a wildcard
subscription saw, and the packets and connections it spent. The shapes live
apart from the collector so that the checks import them without loading
``ssl``, ``cryptography`` and the probe code on every assessment.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey
from collectors.net.tls_facts import CertificateFacts, ChainStatus

# accepted: CONNACK 0; refused: CONNACK 4 or 5; other: any other CONNACK code.
MqttPortState = Literal["closed", "accepted", "refused", "other", "error"]
ListenEnd = Literal["window", "closed", "topic_limit", "message_limit"]


class _MqttChainBase(TypedDict):
    status: ChainStatus


class MqttChainFacts(_MqttChainBase, total=False):
    store: str  # absent when the CA files (option ca_files) could not be loaded
    reason: str


class _MqttTlsBase(TypedDict):
    offered: bool


class MqttTlsFacts(_MqttTlsBase, total=False):
    """The TLS port's handshake; only ``offered`` (False) when it failed."""

    protocol: Optional[str]
    cipher: Optional[str]
    certificate: Optional[CertificateFacts]
    certificate_error: str
    chain: MqttChainFacts


class _MqttPortBase(TypedDict):
    port: int
    transport: Literal["tcp", "tls"]
    state: MqttPortState


class MqttPortFacts(_MqttPortBase, total=False):
    tls: MqttTlsFacts  # TLS ports that were connected to
    return_code: int  # CONNACK code
    return_text: str
    error_reason: str  # ErrorReason value, state "error" only
    reason: str
    subscription_error: str  # accepted, but the wildcard subscription that followed broke off


class MqttListenFacts(TypedDict):
    """What one wildcard subscription window saw."""

    wildcard_granted: Optional[bool]  # None: no SUBACK seen
    sys_granted: Optional[bool]
    topic_count: int
    topics: List[str]  # names only, never payloads
    sys_topic_count: int
    sys_topics: List[str]
    messages: int
    truncated: bool
    ended: ListenEnd
    listened_ms: int


class MqttSubscriptionFacts(MqttListenFacts):
    port: str  # name of the port (mqtt, mqtts) the subscription ran on


class MqttLimitsFacts(TypedDict):
    min_interval_ms: int
    max_packets_per_connection: int
    listen_ms: int
    max_topics: int


class MqttFacts(CollectedFacts):
    host: str
    ports: Dict[str, MqttPortFacts]  # port name (mqtt, mqtts) -> result
    anonymous_accepted: bool
    subscription: Optional[MqttSubscriptionFacts]  # the first port that accepted
    packets_sent: Dict[str, int]  # packet type name -> count
    connections: int
    limits: MqttLimitsFacts


MQTT_BROKER = FactsKey[MqttFacts]("mqtt.broker", MqttFacts)
