"""Errors of the account layer; each is a :class:`commonground.errors.Error`, so the CLI
prints it and exits 1, and the web layer answers 400 with its message."""

from __future__ import annotations

import datetime as dt

from commonground.errors import Error


class AuthError(Error):
    """Bad input to an account operation (a username, role, scope or password rule)."""

    code = "auth"


class LoginFailed(AuthError):
    """Wrong username or password; the message never says which."""

    code = "login-failed"

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class LoginLocked(AuthError):
    """Too many failed sign-ins for this username or address in the current window."""

    code = "login-locked"

    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(f"too many failed sign-ins; try again after {until:%Y-%m-%d %H:%M} UTC")
