"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.30"
CATALOGUE_DIGEST = "fd580cb0e53a176917dca4616b249c9eddb6e2bc63fbd7de7018fbab1c23419f"
