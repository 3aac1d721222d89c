"""Test builders, one module per domain, each with sensible defaults so a test states only what matters to it."""
