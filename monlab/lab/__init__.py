"""The labs: lecture sections run as checked steps on the live stack.

labs/<section>.yaml holds the narration and the steps; `model` validates them against the kinds in
`kinds.KINDS`; `runner` runs a section and returns a `results.LabResult`.
"""
