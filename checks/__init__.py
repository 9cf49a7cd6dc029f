"""Checks: pure judgement over evidence, with MLPS and insurer metadata."""
