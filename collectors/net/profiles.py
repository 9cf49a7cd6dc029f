"""Which profiles run each network collector: one table, read without importing any probe code.

The registry takes a collector's profiles from here, and a verifier uses the
same table to refuse network evidence that the report's profile never
collects (a gateway's Modbus identification inside a server report).
"""

from __future__ import annotations

from typing import Dict, Tuple

from collectors.profile import Profile

ALL_PROFILES: Tuple[Profile, ...] = tuple(Profile)

NET_COLLECTOR_PROFILES: Dict[str, Tuple[Profile, ...]] = {
    "net.ports": ALL_PROFILES,
    "net.vulns": ALL_PROFILES,  # reads net.ports: wherever a port scan runs
    "tls.endpoint": ALL_PROFILES,
    "web.http": ALL_PROFILES,
    "ics.identify": (Profile.ICS_GATEWAY,),
    "mqtt.broker": (Profile.TELEMATICS,),
    "telematics.backends": (Profile.TELEMATICS,),
    "telematics.ota": (Profile.TELEMATICS,),
}
