"""`monlab export`: the stack `up` would run, written as Docker Compose or as Kubernetes manifests.

Both renderers are pure functions over the StackSpec that `up` converges to (monlab/stack/spec.py),
so names, labels, ports, commands, environment and config files are never written down twice.
"""
