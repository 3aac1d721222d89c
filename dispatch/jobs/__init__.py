"""Jobs from report to closure: the status machine, the audit trail, SLA deadlines, ownership, escalations."""
