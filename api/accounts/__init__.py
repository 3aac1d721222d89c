"""Staff sign-in: the session pages and API tokens."""
