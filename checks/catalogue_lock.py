"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.18"
CATALOGUE_DIGEST = "d33a0dfcf4ef972f69710dffe7a63c912dfdcbe13a3c2a7508ca5c87baa044fd"
