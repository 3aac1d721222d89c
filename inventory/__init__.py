"""Spare parts, warehouses and stock."""
