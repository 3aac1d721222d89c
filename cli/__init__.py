"""The `aftercare` command and the background worker process."""
