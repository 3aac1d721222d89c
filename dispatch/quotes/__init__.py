"""Paid repairs: the labour price list, the quote a customer approves before paid work starts."""
# The check that paid work waits for an approved quote joins the status machine whenever quotes are in use.
from dispatch.quotes import services  # noqa: F401
