"""Network checks (ports, web, TLS, industrial, telematics), judged per target. Importing registers them."""

import importlib

from checks.net import ports, tls, web  # noqa: F401  - explicit registry: one import per module

# Industrial and telematics checks land with their probes; skipped until they exist.
for _module in ("checks.net.ics", "checks.net.mqtt", "checks.net.backends"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
