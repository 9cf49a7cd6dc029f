"""The sectors an applicant declares: apart from the applicant profile, since every report's underwriting view reads them."""

from __future__ import annotations

from collectors.strictjson import TextEnum


class Industry(TextEnum):
    """The sectors of the pilot notice (附件 §三)."""

    TELECOM_INTERNET = "telecom_internet"
    INDUSTRIAL_INTERNET = "industrial_internet"
    CONNECTED_VEHICLES = "connected_vehicles"
    HEALTHCARE = "healthcare"
    FINANCE = "finance"
    ENERGY = "energy"
    OTHER = "other"
