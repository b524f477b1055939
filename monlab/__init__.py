"""monlab: the DevOps monitoring lecture as a lab that runs itself."""

__version__ = "0.1.0"
