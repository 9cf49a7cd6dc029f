"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.8"
CATALOGUE_DIGEST = "952ef87e15c25480dd782f923eb35c3b7dfa347e12ef081cf47941128e9ab8f9"
