"""`python -m flows.report report weekly|year ...`: the same as `prodesc-monitor report weekly|year ...`."""
import argparse
import sys

from flows.report.command import add_report_commands

parser = argparse.ArgumentParser(prog="prodesc-monitor")
add_report_commands(parser.add_subparsers(dest="command", required=True))
ns = parser.parse_args()
sys.exit(ns.func(ns))
