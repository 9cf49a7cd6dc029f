"""Network checks (ports, web, TLS, industrial, telematics), judged per target. Importing registers them."""

from checks.net import backends, ics, mqtt, ports, tls, vulns, web  # noqa: F401  - explicit registry: one import per module
