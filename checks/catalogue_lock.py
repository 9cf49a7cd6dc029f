"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.15"
CATALOGUE_DIGEST = "6b3d1cb0b5b2ae6703ff00d052c62a1f1993c2c81d03b92fe419e8813215b015"
