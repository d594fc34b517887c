"""B2B meetings by sub-domain; no re-exports: callers import the sub-module."""
