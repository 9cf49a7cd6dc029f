"""Facts shape and key of ``ics.identify``, the industrial protocols one host answers.

The collector (:mod:`collectors.net.ics`) reports, per protocol (Modbus,
S7comm, EtherNet/IP, OPC UA, BACnet), the port, the state of one read-only
identity exchange, the packets sent and time taken, and the identity fields
the device gave (or why there are none). The shapes live apart from the
collector so that the checks import them without loading the frame builders
and the probe code on every assessment.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, TypedDict, Union

from collectors.facts import CollectedFacts, FactsKey

IcsState = Literal["identified", "closed", "no_answer", "not_this_protocol", "error"]
# Identity keys by source: Modbus device identification objects, SZL 0x001C records, BACnet properties.
ModbusObjectName = Literal[
    "vendor", "product_code", "revision", "vendor_url", "product_name", "model_name", "user_application_name"
]
S7SzlName = Literal["system_name", "module_name", "plant_id", "copyright", "serial_number", "module_type"]
BacnetPropertyName = Literal["vendor", "model", "firmware"]


class _ModbusIdentityBase(TypedDict):
    unit: int


class ModbusIdentityFacts(_ModbusIdentityBase, total=False):
    """Read Device Identification objects by name, or the exception the device answered with."""

    exception_code: int
    note: str
    conformity_level: int
    vendor: str
    product_code: str
    revision: str
    vendor_url: str
    product_name: str
    model_name: str
    user_application_name: str
    other_objects: Dict[str, str]  # object id ("0x80") -> value, for objects without a name above
    truncated: str


class S7IdentityFacts(TypedDict, total=False):
    """SZL 0x0011 (module, hardware, firmware) and SZL 0x001C (component identification) fields."""

    pdu_length: int
    module: str
    hardware: str
    firmware: str
    system_name: str
    module_name: str
    plant_id: str
    copyright: str
    serial_number: str
    module_type: str


class _EnipIdentityBase(TypedDict):
    vendor_id: int
    device_type: int
    product_code: int
    revision: str
    status: int
    serial: str
    product_name: str


class EnipIdentityFacts(_EnipIdentityBase, total=False):
    """The CIP Identity item of List Identity."""

    state: int


class OpcuaEndpointFacts(TypedDict):
    url: Optional[str]
    application_uri: Optional[str]
    product_uri: Optional[str]
    application_name: Optional[str]
    security_mode: str  # None, Sign, SignAndEncrypt or "unknown (n)"
    security_policy: str  # the part after '#', e.g. Basic256Sha256
    user_token_types: List[str]  # Anonymous, UserName, Certificate, IssuedToken or "unknown (n)"
    security_level: int


class _OpcuaIdentityBase(TypedDict):
    protocol_version: int
    receive_buffer_size: int
    send_buffer_size: int
    max_message_size: int


class OpcuaIdentityFacts(_OpcuaIdentityBase, total=False):
    """The ACK, then either ``get_endpoints`` (why no endpoints were listed) or the endpoints and their summary."""

    get_endpoints: str
    none_channel_opened: bool
    endpoints: List[OpcuaEndpointFacts]
    security_modes: List[str]
    security_policies: List[str]
    anonymous_accepted: bool


class BacnetIdentityFacts(TypedDict, total=False):
    vendor: str
    model: str
    firmware: str  # each only when the device returned it


IcsIdentityFacts = Union[ModbusIdentityFacts, S7IdentityFacts, EnipIdentityFacts, OpcuaIdentityFacts, BacnetIdentityFacts]


class _IcsResultBase(TypedDict):
    port: int
    transport: Literal["tcp", "udp"]
    state: IcsState
    packets_sent: int
    elapsed_ms: int


class IcsResultFacts(_IcsResultBase, total=False):
    """One protocol's outcome; ``reason`` unless identified (then the protocol's result type adds ``identity``)."""

    reason: str
    declared: bool  # the port was given for this protocol (option ics_ports, --probe-port), not a default


class ModbusResultFacts(IcsResultFacts, total=False):
    identity: ModbusIdentityFacts


class S7ResultFacts(IcsResultFacts, total=False):
    identity: S7IdentityFacts


class EnipResultFacts(IcsResultFacts, total=False):
    identity: EnipIdentityFacts


class OpcuaResultFacts(IcsResultFacts, total=False):
    identity: OpcuaIdentityFacts


class BacnetResultFacts(IcsResultFacts, total=False):
    identity: BacnetIdentityFacts


class IcsProtocolsFacts(TypedDict, total=False):
    """Results by protocol; a protocol left out of ``ics_protocols`` is absent."""

    modbus: ModbusResultFacts
    s7: S7ResultFacts
    enip: EnipResultFacts
    opcua: OpcuaResultFacts
    bacnet: BacnetResultFacts


class IcsFacts(CollectedFacts):
    address: str
    min_interval_ms: int
    protocols: IcsProtocolsFacts
    identified: List[str]  # protocols in state "identified", sorted


ICS_IDENTIFY = FactsKey[IcsFacts]("ics.identify", IcsFacts)
