"""The stack on a Docker engine: desired state (spec), what to change (plan), and the commands'
work (up, status, down, teardown), plus the StackControl labs use (control)."""
