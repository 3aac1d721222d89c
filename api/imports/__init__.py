"""The administrator's import page: set-up files uploaded, checked in a dry run, then applied."""
