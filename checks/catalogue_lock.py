"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.10"
CATALOGUE_DIGEST = "98a8b0d923de875a600092a7733a345f433f2b92f5b59d9e97b116a5c79e8baf"
