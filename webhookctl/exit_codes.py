"""Process exit codes; fixed by the command contract."""

OK = 0
FAILED = 1
USAGE = 2
PREFLIGHT_FAILED = 3
NOT_DEPLOYED = 4
CHANGES_PENDING = 2  # `plan --detailed-exitcode`: the plan has changes
