"""Warehouse pages and the stock API."""
