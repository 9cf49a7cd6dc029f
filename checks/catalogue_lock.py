"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.13"
CATALOGUE_DIGEST = "fee0698490e653f115b5f07631bd8f939ddcab18736462e82ddb258c5a4a45ee"
