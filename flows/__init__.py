"""The application: what the team runs, built on the crawler, the tagger and the warehouse.

Named parts (each module's docstring says more):

    flows.py      the Prefect flows, thin: each only calls steps
    steps.py      the steps as plain functions (crawl, load, retag, tally and report files);
                  the flows, the commands and the tests run these same functions
    tasks.py      what Prefect adds to the steps: retries, fan-out, artifacts, events
    processes.py  extraction and tagging on local worker processes (`--workers N`)
    deploy.py     schedules, partitions on a work pool, and alerts on the Prefect server
    children.py   no child process (Prefect's server, Scrapy, workers) outlives its command
    summary.py    the end-of-run summary in words
    evaluate.py   `evaluate`'s replay proxy and report (the scoring rule is warehouse/evaluation.py)
    labelled.py, training.py   labelled articles and learning the ambiguous-name decision
    demo/         the offline demo: a fictional press served on this machine
    report/       the weekly and annual reports
    desk/         the review desk (Starlette on loopback; its rules are warehouse/reviews.py)
    cli.py, commands/   `prodesc-monitor`
"""
