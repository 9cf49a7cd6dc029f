"""Network checks (ports, web, TLS), judged per target. Importing this package registers them."""

from checks.net import ports, tls, web  # noqa: F401  - explicit registry: one import per module
