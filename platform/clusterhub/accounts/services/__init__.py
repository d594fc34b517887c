"""Accounts services by sub-domain; no re-exports: callers import the sub-module."""
