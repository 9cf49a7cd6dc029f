"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.24"
CATALOGUE_DIGEST = "a4e05b6bd6ae8107cbc190106656c29748d9f95a0f4cc40ca16477073065f341"
