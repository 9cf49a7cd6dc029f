"""Command line, configuration, profiles and orchestration."""
