"""Assessment profiles: what kind of system is assessed, and therefore which collectors and checks run."""

from __future__ import annotations

from typing import Tuple

from collectors.strictjson import TextEnum


class Profile(TextEnum):
    """The kind of system an assessment is about."""

    SERVER = "server"  # this machine, plus any declared network targets
    WEBSITE = "website"  # only the declared web endpoints
    ICS_GATEWAY = "ics-gateway"  # a server that bridges IT and OT, plus read-only industrial probes
    TELEMATICS = "telematics"  # a connected-vehicle backend, plus broker and backend probes

    @property
    def members(self) -> Tuple[Profile, ...]:
        """The profiles whose checks this one runs: an industrial gateway or a telematics backend is a server too."""
        if self in (Profile.ICS_GATEWAY, Profile.TELEMATICS):
            return (Profile.SERVER, self)
        return (self,)

    @property
    def assesses_host(self) -> bool:
        """Whether the machine running the agent is itself assessed."""
        return self is not Profile.WEBSITE


PROFILE_NAMES: Tuple[str, ...] = tuple(p.value for p in Profile)
