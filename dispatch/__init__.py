"""Jobs from intake to closure: entitlement, classification, SLA clocks, technicians, routing."""
