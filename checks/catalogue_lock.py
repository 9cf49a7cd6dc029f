"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.29"
CATALOGUE_DIGEST = "f32bfe382746d5903ac7f9261abc6f4d33d0a137ea029bac338018da7b11bee0"
