"""Errors the command line reports to the user, with what to do about them."""

from __future__ import annotations


class AgentError(Exception):
    """A failure the user can act on. ``hint`` says how."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(AgentError):
    """Bad arguments or inputs."""

    exit_code = 2
