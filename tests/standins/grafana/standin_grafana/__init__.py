"""monlab's Grafana stand-in: NOT Grafana. A small Python server that loads Grafana's provisioning
files the way Grafana 12.4's provisioning code does and serves the part of Grafana's HTTP API that
monlab uses. Every behaviour cites the Grafana source file it mirrors (github.com/grafana/grafana).
"""

VERSION = "12.4.10-standin"
