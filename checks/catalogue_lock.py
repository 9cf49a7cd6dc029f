"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.16"
CATALOGUE_DIGEST = "bc282a9eb737471c716ef3d81986620addd95447e1bd879e5a10e83065937471"
