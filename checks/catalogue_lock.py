"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.25"
CATALOGUE_DIGEST = "311560494eddd0e2e5a6d123c6eef22f4864cfa4a1af3abe30b910b0730333c9"
