"""All Prefect client plumbing: starting case runs, deploying, the worker, events."""
