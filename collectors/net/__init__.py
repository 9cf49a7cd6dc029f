"""Network collectors: probe declared targets, read-only, inside the declared scope.

The probe modules are listed in ``collectors.net.registry.PROBE_MODULES`` and
imported on first use.
"""
