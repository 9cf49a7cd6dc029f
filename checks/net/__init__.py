"""Network checks (ports, web, TLS), judged per target. Importing registers them."""

import importlib

# Explicit list; a module that does not exist yet is skipped (it lands with its own change).
for _module in ("checks.net.ports", "checks.net.web", "checks.net.tls"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
