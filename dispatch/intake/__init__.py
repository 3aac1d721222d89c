"""Turning a report into a job: the classifier, the 三包 entitlement, and the report itself."""
