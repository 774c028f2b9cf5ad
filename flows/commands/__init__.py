"""The commands of `prodesc-monitor`, by what they are for; `flows/cli.py` puts them in one group.

- `common`: Spanish help, value types, the options several commands share, small helpers
- `language`: what the commands print, as data (`messages/es.yaml`, `messages/en.yaml`), and
  the language: `--lang`, else PRODESC_MONITOR_LANG, else Spanish
- `collect`: crawl, load, retag, demo
- `tables`: tally, add, search, export
- `reports`: report weekly / year, review
- `quality`: evaluate, train
- `scheduling`: serve, alerts, deploy-partitions
"""
