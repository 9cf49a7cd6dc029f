"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.5"
CATALOGUE_DIGEST = "bbf4f820fa5c1db0829ed601d8c76ce44e22c7a71eee355127486dbd6bd5a298"
