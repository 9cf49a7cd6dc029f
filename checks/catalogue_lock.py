"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.22"
CATALOGUE_DIGEST = "56c28b15501be4c39c8f617e8771429f9916dd91efd0ff3f63f3beffbd2d908c"
