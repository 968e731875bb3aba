"""Accounts, roles, credentials and the audit trail."""
