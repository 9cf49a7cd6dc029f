"""A read-only forensic triage collection of one host (``riskagent snapshot``).

``collect.take`` runs the stages (volatile state, accounts, persistence, log
windows, file timeline, package integrity) within a time budget and hands
each finished artefact to a sink; the agent stores it by sha256 and the
report layer signs the manifest. Nothing here writes to the host, and no
access time changes where the kernel honours ``O_NOATIME``. Of a mounted
image (offline-root) every file is read inside it (``confined``), no
command is run, and the volatile stages are listed as not run.
"""
