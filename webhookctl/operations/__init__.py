"""Operating a deployed env: each operation is a plain function that returns a result object."""
