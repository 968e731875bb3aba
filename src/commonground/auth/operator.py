"""The operator: whoever runs the command line with the database's credentials.

It has no account (audit events show no account) but may do what an admin may; the
web layer never produces it.
"""

from __future__ import annotations

from commonground.auth.principal import Principal

OPERATOR = Principal(username="operator")


def is_admin(actor: Principal) -> bool:
    return actor == OPERATOR or actor.can("admin", scope="admin")
