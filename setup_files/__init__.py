"""Set-up files: the CSV or .xlsx files that describe an organisation (regions, staff, technicians,
models, policies, stock set-up, appliances), read, checked all or nothing, imported, exported, and a
small example world to start from."""
