"""`monlab doctor`: every precondition of `monlab up` as a small check with a verdict and the exact
fix, like the lab's step kinds: a registry of checks (registry.py), one small function each
(checks_*.py), all run side by side so that an unreachable registry costs its bounded probe once."""
