"""`scrapy crawl`, with the monitor spider's arguments checked before Scrapy starts.

Scrapy builds a spider inside its reactor's first task: an exception in the spider's
`__init__` (a missing `sources.yaml`, a mistyped `-a since=`) is printed as an
"exception was never retrieved" traceback and the command still exits 0. This command
asks the spider class to check its arguments first, so a user's mistake is one line on
stderr and exit code 2, as in `prodesc-monitor`; everything else is Scrapy's own `crawl`.
"""
from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from pipelines.errors import UserError


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) == 1:
            spidercls = self.crawler_process.spider_loader.load(args[0]) if self.crawler_process else None
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(**opts.spargs)
                except UserError as exc:
                    print(f"scrapy crawl {args[0]}: {exc}", file=sys.stderr)
                    self.exitcode = UserError.exit_code
                    return
        super().run(args, opts)
