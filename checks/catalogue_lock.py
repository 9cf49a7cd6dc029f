"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.26"
CATALOGUE_DIGEST = "907052f49944d2bde649e768e52723ba544224bc8f444112fa8e4c01fedb54e1"
