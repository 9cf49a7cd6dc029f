"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.17"
CATALOGUE_DIGEST = "e40830ee73a497cd0307b60acf4b2b3384305387db6cb74ce828c3b22aae2267"
