"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.20"
CATALOGUE_DIGEST = "39f773b2f3cb2e24febd894b2a910b756b11681393128c5302a38d5e7ccb1a70"
