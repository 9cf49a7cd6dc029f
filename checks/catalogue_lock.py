"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.6"
CATALOGUE_DIGEST = "d7110fc8f9a9bd297d48fa55ecfadca91b4e498a4d16fe949c39c02598bc582b"
