"""The commands of `prodesc-monitor`, by what they are for; `flows/cli.py` puts them in one group.

- `common`: Spanish help, value types, the options several commands share, small helpers
- `collect`: crawl, load, retag, demo
- `tables`: tally, add, search, export
- `reports`: report weekly / year, review
- `quality`: evaluate, train
- `scheduling`: serve, alerts, deploy-partitions
"""
