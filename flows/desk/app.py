"""The review desk as a Starlette app: its routes, and `ReviewDesk.handle` to drive it in-process.

    GET  /, /queue?view=new|rejected|reviewed&week=2026-W47   the articles to review; more filters:
             &theme=labour&process=uja&outlet=...&reach=local&q=text  (bookmarkable, shareable)
    GET  /history?url=...                                    every decision on one article
    GET  /outlets                                            sites not in the registry
    GET  /reports?week=2026-W47                              the report tab: a week, its files
    GET  /report?week=2026-W47                               the weekly report, decisions included
    GET  /report/file?week=2026-W47&format=html|csv|xlsx     the same as a file to download
    GET  /name, POST /name                                   who is reviewing (kept in a cookie)
    POST /decide, POST /outlet                               a decision; a reach for an outlet
    POST /confirm-all, POST /undo                            confirm a page; undo my last decision

Any other address gets the desk's own "page not found" (404) in its language.

Forms are answered with a redirect (303) that carries a one-shot message. The work is done
by warehouse.reviews in a worker thread, on a DuckDB cursor of its own per request; writes
go one at a time (one lock), each in a transaction. Anything unexpected becomes a page that
says what went wrong (500): nothing is half-stored.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from flows.desk.messages import desk_text
from flows.desk.security import (FormTooLarge, OwnPagesOnly, SecurityHeaders, fields, read_form, reviewer_cookie,
                                 reviewer_from, reviewer_name, safe_back)
from flows.desk.views import (LANGUAGES, PAGE_SIZE, STATES, Flashes, Pages, dated, filters_from, outlets, query_of,
                              queue, this_week, week_choices, with_flash)
from flows.report import ReportError, format_moment, parse_week
from warehouse.db import cursor
from warehouse.lake import location_of
from warehouse.reviews import (CLASSIFIED_REACHES, VIEWS, ReviewError, article_history, assign_reach, confirm_all,
                               filter_choices, record_decision, review_counts, review_weeks, undo_last)
from warehouse.tally import REACHES, THEMES

log = logging.getLogger(__name__)

# Another process's compaction of the lake (warehouse.db.compact, after every crawl's load)
# flushes the rows DuckLake keeps inlined in its catalog, such as the desk's own decisions, to
# Parquet and drops their inlined table; a connection opened before keeps looking for that
# table, and every later read on it fails ("Failed to read inlined data ... does not exist"),
# until it is opened again. So the desk then opens the warehouse again, and reads a page (a GET:
# it only reads) once more on the new connection; a form (POST) is not repeated, it says it
# could not save, and the next one works. Found by tests/reliability/test_concurrency.py.
READ_RETRIES = 2


def lost_a_race(exc: Exception) -> bool:
    """The error a stale connection gives after another process compacted the lake."""
    return "Failed to read inlined data" in str(exc)


# The weekly report's files the desk serves, and their types.
REPORT_FILES = {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Ask:
    """One request as a page handler sees it."""
    params: dict[str, str]          # the query string (last value of each)
    form: dict[str, str]            # the POSTed form ({} for a GET)
    reviewer: str | None            # from the cookie
    target: str                     # the path and query asked for, to come back to after a form


@dataclass
class Response:
    """A response as `ReviewDesk.handle` returns it: status, body, headers."""
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class ReviewDesk:
    """The desk's pages over one database connection and one registry file, in one language."""

    def __init__(self, con, sources: str | Path, lang: str = "es", allowed_hosts: tuple[str, ...] = ()):
        self.con = con
        self._location = location_of(con)       # to open the warehouse again (see READ_RETRIES)
        self._reopened: list = []              # connections the desk opened itself, closed by close()
        self._reopen_lock = threading.Lock()
        self.sources = Path(sources)
        self.lang = lang
        self.text = desk_text(lang)
        self.pages = Pages(self.text, lang)
        self.flashes = Flashes()
        self.write_lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/", self._endpoint(self.get_queue), methods=["GET"]),
            Route("/queue", self._endpoint(self.get_queue), methods=["GET"]),
            Route("/outlets", self._endpoint(self.get_outlets), methods=["GET"]),
            Route("/report", self._endpoint(self.get_report), methods=["GET"]),
            Route("/name", self._endpoint(self.get_name, anonymous=True), methods=["GET"]),
            Route("/name", self._endpoint(self.post_name, anonymous=True), methods=["POST"]),
            Route("/decide", self._endpoint(self.post_decide), methods=["POST"]),
            Route("/outlet", self._endpoint(self.post_outlet), methods=["POST"]),
            Route("/confirm-all", self._endpoint(self.post_confirm_all), methods=["POST"]),
            Route("/undo", self._endpoint(self.post_undo), methods=["POST"]),
            Route("/history", self._endpoint(self.get_history), methods=["GET"]),
            Route("/reports", self._endpoint(self.get_reports), methods=["GET"]),
            Route("/report/file", self._endpoint(self.get_report_file), methods=["GET"]),
        ], exception_handlers={404: self._not_found, 405: self._not_found}, middleware=[
            Middleware(SecurityHeaders),
            Middleware(OwnPagesOnly, allowed_hosts=allowed_hosts, refuse=self._refuse),
        ])

    # -- plumbing
    def _endpoint(self, page: Callable[[Ask], StarletteResponse], anonymous: bool = False):
        """An ASGI endpoint around a plain page function run in a worker thread."""
        async def endpoint(request: Request) -> StarletteResponse:
            reviewer = reviewer_from(request.headers.get("cookie", ""))
            try:
                form = await read_form(request) if request.method == "POST" else {}
            except FormTooLarge:
                return self.pages.message(self.text["too_large"], reviewer, 413)
            if not anonymous and not reviewer:
                return RedirectResponse("/name", 303)
            raw_path = request.scope.get("raw_path") or request.url.path.encode()
            query = request.scope.get("query_string", b"").decode("latin-1")
            target = raw_path.decode("latin-1") + (f"?{query}" if query else "")
            ask = Ask(fields(query), form, reviewer, target)
            for attempt in range(1, READ_RETRIES + 1):
                try:
                    return await run_in_threadpool(page, ask)
                except Exception as exc:   # the page says what went wrong; each write is one transaction
                    if lost_a_race(exc):
                        await run_in_threadpool(self._reopen, self.con)
                        if request.method == "GET" and attempt < READ_RETRIES:
                            continue
                    log.exception("review desk request failed")
                    key = "error" if request.method == "POST" else "page_failed"
                    return self.pages.message(self.text[key].format(message=exc), None, 500)
        return endpoint

    def _reopen(self, stale) -> None:
        """Open the warehouse again after another process compacted it (see READ_RETRIES); once,
        however many requests found `stale` stale at the same time. The stale connection stays
        open for requests still using it (the caller's, closed by whoever opened it)."""
        from warehouse.db import connect

        with self._reopen_lock:
            if self.con is not stale:          # another request already did
                return
            log.warning("the lake was compacted by another process: the review desk opens it again")
            location = self._location
            self.con = connect(location.catalog if location.label == "PostgreSQL"
                               else location.catalog.removeprefix("sqlite:"))
            self._reopened.append(self.con)

    def close(self) -> None:
        """Close the connections the desk opened itself (never the one it was given)."""
        while self._reopened:
            self._reopened.pop().close()

    async def _not_found(self, request: Request, exc) -> StarletteResponse:
        """An address the desk does not have (or a method it does not take there): the desk's own
        page, in its language, with its tabs to go on from, never a bare 'Not Found'."""
        status = getattr(exc, "status_code", 404)
        key = "not_found" if status == 404 else "not_allowed"
        return self.pages.message(self.text[key], reviewer_from(request.headers.get("cookie", "")), status)

    def _explain(self, exc: ReviewError) -> str:
        """A refused decision in the desk's language ('No se pudo guardar: ...')."""
        key = f"err_{exc.code}"
        message = self.text[key].format(**exc.params) if exc.code and key in self.text else str(exc)
        return self.text["error"].format(message=message)

    def _refuse(self, request: Request) -> StarletteResponse:
        return self.pages.message(self.text["forbidden"], reviewer_from(request.headers.get("cookie", "")), 403)

    def _redirect(self, location: str, kind: str | None = None, message: str = "") -> StarletteResponse:
        if kind:
            location = with_flash(location, self.flashes.keep(kind, message))
        return RedirectResponse(location, 303)

    # -- pages
    def get_queue(self, ask: Ask) -> StarletteResponse:
        view = ask.params.get("view", "new")
        view = view if view in VIEWS else "new"
        week = ask.params.get("week") or None
        flash = self.flashes.take(ask.params.get("flash"))
        cur = cursor(self.con)
        try:
            choices = filter_choices(cur, self.lang)
            filters = filters_from(ask.params, choices, THEMES, REACHES)
            try:
                start, end = parse_week(week) if week else (None, None)
            except ReportError:
                flash = flash or ("error", self.text["bad_week"].format(week=week))
                week, start, end = None, None, None
            items = queue(cur, view, week, PAGE_SIZE + 1, lang=self.lang, filters=filters)
            counts = review_counts(cur, start, end, filters)
            weeks = week_choices(review_weeks(cur), self.lang)
        finally:
            cur.close()
        keep = query_of(week=week or "", **filters)         # what the tabs keep when switching
        return self.pages.render("review_queue.html", ask.reviewer, view=view, week=week or "", weeks=weeks,
                                 items=dated(items[:PAGE_SIZE], self.lang), more=len(items) > PAGE_SIZE,
                                 flash=flash, back=ask.target, themes=THEMES, reaches=REACHES,
                                 this_week=this_week(), counts=counts, filters=filters, choices=choices,
                                 keep=keep, filtered=any(filters.values()))

    def get_history(self, ask: Ask) -> StarletteResponse:
        """Every decision on one article, oldest first: who, when (Mexico City time) and what,
        undos and the decisions they took back included."""
        cur = cursor(self.con)
        try:
            article, history = article_history(cur, ask.params.get("url", ""))
        finally:
            cur.close()
        if article is None:
            return self.pages.message(self.text["err_no_article"].format(url=ask.params.get("url", "")),
                                      ask.reviewer, 404)
        by_id = {h["review_id"]: h for h in history}
        for h in history:
            h["when"] = format_moment(h["decided_at"], self.lang)
            if h["decision"] == "undo" and h["note"] in by_id:
                undone = by_id[h["note"]]
                h["undid"] = {"decision": undone["decision"], "who": undone["reviewer"], "when": undone["when"]}
        return self.pages.render("review_history.html", ask.reviewer, article=article, history=history,
                                 in_force=article["review_id"], back=safe_back(ask.params.get("back")))

    def get_outlets(self, ask: Ask) -> StarletteResponse:
        cur = cursor(self.con)
        try:
            found = outlets(cur, self.lang)
        finally:
            cur.close()
        return self.pages.render("review_outlets.html", ask.reviewer, outlets=found,
                                 flash=self.flashes.take(ask.params.get("flash")),
                                 reaches=CLASSIFIED_REACHES, sources=str(self.sources), states=STATES,
                                 sources_name=self.sources.name,
                                 languages=LANGUAGES)

    def _week_or_last(self, ask: Ask) -> str:
        from flows.report import last_full_week

        week = ask.params.get("week") or last_full_week()
        try:
            parse_week(week)
        except ReportError:
            week = last_full_week()
        return week

    def get_reports(self, ask: Ask) -> StarletteResponse:
        """The report tab: pick a week, see its report, download its files."""
        from flows.report import last_full_week

        week = self._week_or_last(ask)
        cur = cursor(self.con)
        try:
            weeks = review_weeks(cur)
        finally:
            cur.close()
        if week not in weeks:
            weeks = sorted({*weeks, week, last_full_week()}, reverse=True)
        return self.pages.render("review_report.html", ask.reviewer, week=week,
                                 weeks=week_choices(weeks, self.lang), formats=REPORT_FILES)

    def get_report_file(self, ask: Ask) -> StarletteResponse:
        """One of the files `report weekly` writes (HTML, CSV or XLSX), as of now, to download:
        written by flows.report.write_weekly into a scratch folder and sent whole."""
        import tempfile

        from flows.report import write_weekly

        kind = ask.params.get("format", "")
        if kind not in REPORT_FILES:
            return self.pages.message(self.text["bad_format"], ask.reviewer, 400)
        week = self._week_or_last(ask)
        with tempfile.TemporaryDirectory(prefix="desk-report-") as scratch:
            cur = cursor(self.con)
            try:
                files = write_weekly(cur, week, Path(scratch), self.lang, db_name=self.text["report_source"])
            finally:
                cur.close()
            path = next(f for f in files if f.suffix == f".{kind}")
            body = path.read_bytes()
        return StarletteResponse(body, 200, media_type=REPORT_FILES[kind], headers={
            "Content-Disposition": f'attachment; filename="{path.name}"'})

    def get_report(self, ask: Ask) -> StarletteResponse:
        """The weekly report as of now, decisions included (the same page `report weekly` writes):
        while the desk holds the database, this is how to see the report without closing it."""
        from flows.report import last_full_week, render_weekly_html, weekly_context

        week = ask.params.get("week") or last_full_week()
        try:
            parse_week(week)
        except ReportError:
            week = last_full_week()
        cur = cursor(self.con)
        try:
            html = render_weekly_html(weekly_context(cur, week, self.lang, db_name=self.text["report_source"]))
        finally:
            cur.close()
        return HTMLResponse(html)

    def get_name(self, ask: Ask) -> StarletteResponse:
        return self.pages.render("review_name.html", ask.reviewer, name=ask.reviewer or "")

    def post_name(self, ask: Ask) -> StarletteResponse:
        name = reviewer_name(ask.form.get("name", ""))
        if not name:
            return self.pages.render("review_name.html", None, 400, name="")
        return RedirectResponse("/queue", 303, headers={"Set-Cookie": reviewer_cookie(name)})

    def post_decide(self, ask: Ask) -> StarletteResponse:
        form, t = ask.form, self.text
        back = safe_back(form.get("back"))
        cur = cursor(self.con)
        try:
            with self.write_lock:
                made = record_decision(cur, form.get("url", ""), form.get("decision", ""), ask.reviewer,
                                       theme=form.get("theme"), duplicate_of=form.get("duplicate_of"),
                                       note=form.get("note"), seen_review=form.get("seen", ""))
        except ReviewError as exc:
            return self._redirect(back, "error", self._explain(exc))
        finally:
            cur.close()
        message, kind = t["saved"].format(title=made.title or made.url, what=t[f"{made.decision}_done"]), "ok"
        if made.overrode:
            kind = "warn"
            message += " " + t["conflict"].format(
                who=made.overrode["reviewer"], decision=t[f"decision_{made.overrode['decision']}"],
                when=format_moment(made.overrode["decided_at"], self.lang))
        return self._redirect(back, kind, message)

    def post_confirm_all(self, ask: Ask) -> StarletteResponse:
        """Confirm every card of the page, each with the theme it shows: one form, one POST, one
        decision row per article with the reviewer, all in one transaction."""
        form, t = ask.form, self.text
        back = safe_back(form.get("back"))
        count = form.get("count", "")
        if not count.isdigit() or int(count) > PAGE_SIZE:
            return self._redirect(back, "error", t["error"].format(message=t["err_nothing"]))
        items = [{"url": form.get(f"url-{i}", ""), "theme": form.get(f"theme-{i}") or None,
                  "seen": form.get(f"seen-{i}", "")} for i in range(int(count))]
        cur = cursor(self.con)
        try:
            with self.write_lock:
                made = confirm_all(cur, items, ask.reviewer)
        except ReviewError as exc:
            return self._redirect(back, "error", self._explain(exc))
        finally:
            cur.close()
        overrode = [m for m in made if m.overrode]
        message = t["confirmed_all"].format(n=len(made))
        if overrode:
            message += " " + t["confirmed_all_conflict"].format(n=len(overrode))
        return self._redirect(back, "warn" if overrode else "ok", message)

    def post_undo(self, ask: Ask) -> StarletteResponse:
        """Take back this reviewer's own last decision (warehouse.reviews.undo_last: an appended
        'undo' row, the history stays whole)."""
        t = self.text
        back = safe_back(ask.form.get("back"))
        cur = cursor(self.con)
        try:
            with self.write_lock:
                undone = undo_last(cur, ask.reviewer)
        except ReviewError as exc:
            return self._redirect(back, "error", self._explain(exc))
        finally:
            cur.close()
        return self._redirect(back, "ok", t["undone"].format(
            title=undone["title"] or undone["url"], decision=t[f"decision_{undone['decision']}"],
            when=format_moment(undone["decided_at"], self.lang)))

    def post_outlet(self, ask: Ask) -> StarletteResponse:
        form, t = ask.form, self.text
        region, language = form.get("region", ""), form.get("language", "")
        if region and region not in STATES:
            return self._redirect("/outlets", "error", t["error"].format(message=t["err_region"].format(region=region)))
        if language not in LANGUAGES:
            return self._redirect("/outlets", "error",
                                  t["error"].format(message=t["err_language"].format(language=language)))
        if form.get("reach") == "local" and not region:
            return self._redirect("/outlets", "error", t["error"].format(message=t["err_local_region"]))
        cur = cursor(self.con)
        try:
            with self.write_lock:
                name = assign_reach(cur, form.get("outlet", ""), form.get("reach", ""), ask.reviewer, self.sources,
                                    name=form.get("name"), region=form.get("region", ""),
                                    language=form.get("language", ""))
        except ReviewError as exc:
            return self._redirect("/outlets", "error", self._explain(exc))
        finally:
            cur.close()
        message = t["assigned"].format(outlet=name, reach=t["reaches"][form["reach"]], sources=self.sources.name)
        return self._redirect("/outlets", "ok", message)

    # -- in-process
    def handle(self, method: str, target: str, headers, body: bytes = b"") -> Response:
        """One request through the whole app (middleware included) without a server: `headers`
        is any mapping with .items(). For tests and scripts; not from inside an event loop."""
        return asyncio.run(_call(self.app, method, target, headers, body))


async def _call(app, method: str, target: str, headers, body: bytes) -> Response:
    parts = urlsplit(target)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method.upper(),
             "scheme": "http", "path": unquote(parts.path), "raw_path": parts.path.encode("latin-1"),
             "query_string": parts.query.encode("latin-1"), "root_path": "",
             "headers": [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in dict(headers).items()],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0)}
    sent, done = False, asyncio.Event()
    out = Response(500)
    chunks: list[bytes] = []

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()                      # the client leaves once it has the whole response
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    out.body = b"".join(chunks)
    return out
