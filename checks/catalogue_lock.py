"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.28"
CATALOGUE_DIGEST = "3efb380685c21bf4c23d6a0308df87a5fadfc6f22e6868263b10c2546c059fdc"
