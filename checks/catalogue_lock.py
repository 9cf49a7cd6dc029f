"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.19"
CATALOGUE_DIGEST = "f0475f495e43a79d20ef551027bb579f019492f8e86ec587f3cdb1969fd0f128"
