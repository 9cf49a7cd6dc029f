"""riskagent command line (placeholder until the scan command lands)."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """riskagent: evidence-backed cyber-risk assessment."""
