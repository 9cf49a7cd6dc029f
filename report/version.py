"""The tool's version: stamped into every report, printed by ``riskagent --version``, read by setup.cfg."""

VERSION = "0.1.0"
