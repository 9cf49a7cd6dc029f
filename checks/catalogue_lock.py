"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.9"
CATALOGUE_DIGEST = "9369e9b9ff1600ba7b414b471eb48834664c006c0461ebd7b1e401bff902fe3a"
