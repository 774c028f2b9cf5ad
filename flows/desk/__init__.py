"""The review desk: people correct the machine, and the year-end number becomes one they can sign.

`prodesc-monitor review` serves a small web app on this computer only (127.0.0.1) where a
person goes through the appearances the tagger counted and the candidates it rejected,
confirms or rejects each (with an optional note), corrects a theme, marks duplicates the
machine missed, and gives a reach to outlets that are not in the registry.

    command.py    the `review` command: open the desk until Ctrl+C
    server.py     uvicorn on 127.0.0.1, `make_server(con, sources, port=0)`
    app.py        the Starlette app and its routes; `ReviewDesk.handle` drives it in-process
    security.py   Host and Origin checks, security headers, the reviewer cookie, form reading
    views.py      the queue and outlet lists for the templates, rendering, one-shot messages
    messages.py   the pages' words, from messages/es.yaml (default) and messages/en.yaml

The rules (recording decisions, classifying outlets, the queue, labels for `evaluate`) are in
warehouse/reviews.py; appending an outlet to sources.yaml is pipelines.registry.outlet_added.
Templates are flows/templates/review_*.html (the report's Jinja2 environment, autoescape on).
"""
