"""The demo city: a believable world of regions, technicians, stock, appliances and history to try the system in."""
