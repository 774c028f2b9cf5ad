"""The review desk: people correct the machine, and the year-end number becomes one they can sign.

`prodesc-monitor review` serves a small web app on this computer only (127.0.0.1) where a
person goes through the appearances the tagger counted and the candidates it rejected,
confirms or rejects each (with an optional note), corrects a theme, marks duplicates the
machine missed, and gives a reach to outlets that are not in the registry.

Design:

* The plain functions (`queue`, `record_decision`, `assign_reach`, `review_labels`, ...) do
  the work and are tested without a server; `ReviewDesk.handle` maps a request to a page;
  `serve` is a thin `http.server` adapter.
* One server process serves every browser (DuckDB allows one writing process). Each
  decision is one short INSERT with a fresh review_id: nothing is read, modified and
  written back, so two people never overwrite each other; the latest decision
  (by `decided_at`) is in force, earlier ones are history. If someone else decided on the
  same article while you were looking at it, the page says so.
* Decisions override the tagger in every view and tally (the `appearances` view applies
  the latest review), and `review_labels` turns them into labels `evaluate` can score.
* Pages come from Jinja2 templates with autoescape on: a headline with markup shows as text.
  Forms are POST, accepted only from the desk's own page (Origin/Referer on loopback),
  and answered with a redirect. The reviewer's name is asked once and kept in a cookie.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from flows.report import (LANGS, ReportError, environment, format_date, highlight, labels, parse_week,
                          safe_href, week_of)
from warehouse.db import query
from warehouse.tally import REACHES, THEMES

DECISIONS = ("confirm", "reject", "duplicate")
CLASSIFIED_REACHES = tuple(r for r in REACHES if r != "unclassified")
VIEWS = ("new", "rejected", "reviewed")
PAGE_SIZE = 100
COOKIE = "reviewer"

DESK_TEXT = {
    "es": {
        "desk": "Mesa de revisión", "new": "Apariciones nuevas", "rejected": "Candidatas descartadas",
        "reviewed": "Ya revisadas", "outlets": "Medios sin clasificar",
        "new_help": "Notas que el monitor contó y nadie ha revisado. Confirme, corrija el tema, rechace o marque duplicados.",
        "rejected_help": "Notas donde el monitor encontró un nombre parecido pero decidió NO contarlas. "
                         "Si sí hablan de ProDESC o de un caso, confírmelas.",
        "reviewed_help": "La última decisión sobre cada nota (la que cuenta). Puede cambiarla: la más reciente gana.",
        "outlets_help": "Sitios que no están en el registro (sources.yaml). Sus apariciones cuentan como «Sin clasificar» "
                        "hasta que usted les asigne un alcance; entonces se agregan al registro.",
        "week": "Semana", "all_weeks": "Todas", "show": "Mostrar",
        "none": "No hay nada por revisar aquí.", "more": "Hay más notas: elija una semana para verlas.",
        "counted": "Cuenta como aparición", "not_counted": "No cuenta",
        "theme": "Tema", "note": "Nota (opcional)", "duplicate_of": "Es duplicado de (dirección de la nota original)",
        "confirm": "Confirmar", "reject": "Rechazar", "duplicate": "Marcar duplicado",
        "confirm_done": "confirmada", "reject_done": "rechazada", "duplicate_done": "marcada como duplicado",
        "decision_confirm": "Confirmada", "decision_reject": "Rechazada", "decision_duplicate": "Duplicado",
        "last_decision": "{decision} por {who}, {when}", "decisions": "{n} decisiones en el historial",
        "why_rejected": "Por qué el monitor no la contó", "mentions": "Menciones",
        "saved": "Guardado: «{title}» {what}.",
        "conflict": "Atención: {who} había decidido «{decision}» sobre esta nota a las {when}, mientras usted la veía. "
                    "Su decisión es ahora la que cuenta; las dos quedan en el historial.",
        "name_title": "¿Quién revisa?", "name_help": "Escriba su nombre. Quedará registrado junto a cada decisión.",
        "your_name": "Su nombre", "continue": "Continuar", "change_name": "cambiar",
        "reviewer_is": "Revisa: {who}",
        "outlet": "Medio", "domains": "Dirección", "articles": "Notas", "appearances": "Apariciones",
        "example": "Ejemplo", "reach": "Alcance", "region": "Estado (si es local)", "language": "Idioma",
        "name_in_reports": "Nombre en los informes", "assign": "Asignar y agregar al registro",
        "assigned": "«{outlet}» quedó como {reach} y se agregó al registro {sources}.",
        "no_outlets": "Todos los medios están clasificados.",
        "error": "No se pudo guardar: {message}", "forbidden": "Solicitud rechazada: debe venir de la propia mesa de revisión.",
        "date": "Fecha", "open": "abrir la nota", "process": "Proceso", "tagger_theme": "tema según el monitor",
        "pick_reach": "— elija —", "report": "Informe semanal",
    },
    "en": {
        "desk": "Review desk", "new": "New appearances", "rejected": "Rejected candidates",
        "reviewed": "Reviewed", "outlets": "Unclassified outlets",
        "new_help": "Articles the monitor counted that nobody has reviewed. Confirm, correct the theme, reject or mark duplicates.",
        "rejected_help": "Articles where the monitor found a similar name but decided NOT to count them. "
                         "If they are about ProDESC or a case, confirm them.",
        "reviewed_help": "The latest decision on each article (the one that counts). You can change it: the newest wins.",
        "outlets_help": "Sites not in the registry (sources.yaml). Their appearances count as 'Unclassified' until you "
                        "assign a reach; then they are added to the registry.",
        "week": "Week", "all_weeks": "All", "show": "Show",
        "none": "Nothing to review here.", "more": "There are more: pick a week to see them.",
        "counted": "Counts as an appearance", "not_counted": "Not counted",
        "theme": "Theme", "note": "Note (optional)", "duplicate_of": "Is a duplicate of (address of the original)",
        "confirm": "Confirm", "reject": "Reject", "duplicate": "Mark duplicate",
        "confirm_done": "confirmed", "reject_done": "rejected", "duplicate_done": "marked as a duplicate",
        "decision_confirm": "Confirmed", "decision_reject": "Rejected", "decision_duplicate": "Duplicate",
        "last_decision": "{decision} by {who}, {when}", "decisions": "{n} decisions in the history",
        "why_rejected": "Why the monitor did not count it", "mentions": "Mentions",
        "saved": "Saved: '{title}' {what}.",
        "conflict": "Note: {who} had decided '{decision}' on this article at {when}, while you were looking at it. "
                    "Your decision is now the one in force; both stay in the history.",
        "name_title": "Who is reviewing?", "name_help": "Type your name. It is recorded with every decision.",
        "your_name": "Your name", "continue": "Continue", "change_name": "change",
        "reviewer_is": "Reviewer: {who}",
        "outlet": "Outlet", "domains": "Address", "articles": "Articles", "appearances": "Appearances",
        "example": "Example", "reach": "Reach", "region": "State (if local)", "language": "Language",
        "name_in_reports": "Name in reports", "assign": "Assign and add to the registry",
        "assigned": "'{outlet}' is now {reach} and was added to the registry {sources}.",
        "no_outlets": "Every outlet is classified.",
        "error": "Could not save: {message}", "forbidden": "Request refused: it must come from the review desk itself.",
        "date": "Date", "open": "open the article", "process": "Process", "tagger_theme": "the monitor's theme",
        "pick_reach": "— choose —", "report": "Weekly report",
    },
}


class ReviewError(ValueError):
    """A decision that cannot be stored, explained for the person who made it."""


def _run(con, name: str, params: dict):
    """Run warehouse/queries/<name>.sql with the named parameters it uses (DuckDB refuses extra ones)."""
    sql = query(name)
    used = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


def _rows(con, name: str, params: dict) -> list[dict]:
    cur = _run(con, name, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _url_key(url: str) -> str:
    try:
        from pipelines.urls import url_key
        return url_key(url)
    except Exception:   # a malformed address simply matches nothing
        return url


# --------------------------------------------------------------------------- reading

def reason_text(mention: dict, lang: str = "es") -> str | None:
    """Why the tagger accepted or rejected a mention, in the desk's language: the Spanish text
    (`reason_es`) in Spanish, falling back to the English `reason` for rows stored before the
    tagger wrote Spanish (NULL until a retag); the English `reason` in English."""
    if lang == "es":
        return mention.get("reason_es") or mention.get("reason")
    return mention.get("reason")


def queue(con, view: str = "new", week: str | None = None, limit: int = PAGE_SIZE,
          lang: str = "es") -> list[dict]:
    """Articles to review in one view ('new', 'rejected', 'reviewed'), with snippets and candidates.
    The tagger's reasons are given in `lang` (the desk's language, Spanish by default)."""
    if view not in VIEWS:
        raise ReviewError(f"unknown view '{view}'")
    start, end = parse_week(week) if week else (date(1, 1, 1), date(9999, 12, 31))
    items = _rows(con, "review_items", {"view": view, "start": start, "end": end, "limit": limit})
    urls = [i["url"] for i in items]
    snippets: dict[str, list[dict]] = {}
    candidates: dict[str, list[dict]] = {}
    if urls:
        for m in _rows(con, "review_snippets", {"urls": urls}):
            snippets.setdefault(m["article_url"], []).append(m)
        for c in _rows(con, "review_duplicate_candidates", {"urls": urls}):
            candidates.setdefault(c["article_url"], []).append(c)
    for i in items:
        ms = snippets.get(i["url"], [])
        terms = [m["matched"] for m in ms if m["accepted"]] or [m["matched"] for m in ms]
        seen, shown = set(), []
        for m in ms:
            if m["snippet"] and m["snippet"] not in seen and len(shown) < 3:
                seen.add(m["snippet"])
                shown.append({"pieces": highlight(m["snippet"], terms), "accepted": m["accepted"],
                              "reason": reason_text(m, lang), "entity": m["entity_name"]})
        i["snippets"] = shown
        i["reasons"] = sorted({reason_text(m, lang) for m in ms if not m["accepted"] and reason_text(m, lang)})
        i["candidates"] = candidates.get(i["url"], [])[:15]
        i["anchor"] = "item-" + hashlib.sha1(i["url"].encode()).hexdigest()[:12]
        i["href"] = safe_href(i["url"])
    return items


def unclassified_outlets(con) -> list[dict]:
    return [{**o, "href": safe_href(o["example_url"])} for o in _rows(con, "review_unclassified_outlets", {})]


def article_state(con, url: str) -> dict | None:
    rows = _rows(con, "review_article_state", {"url": url, "url_key": _url_key(url)})
    return rows[0] if rows else None


# --------------------------------------------------------------------------- deciding

@dataclass
class Decision:
    review_id: str
    url: str
    decision: str
    theme: str | None
    reviewer: str
    decided_at: datetime
    title: str | None = None
    overrode: dict | None = field(default=None)   # someone else's decision made while this one was being taken


def record_decision(con, url: str, decision: str, reviewer: str, theme: str | None = None,
                    duplicate_of: str | None = None, note: str | None = None,
                    seen_review: str | None = None) -> Decision:
    """Store one decision (an INSERT with a fresh id). `seen_review` is the review_id the person
    saw when they opened the page ('' for none): if another decision came in since, it is
    reported back in `overrode` (both stay stored; the newest is in force)."""
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("the reviewer's name is missing")
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision '{decision}'")
    article = article_state(con, url)
    if article is None:
        raise ReviewError(f"no stored article has the address {url}")
    url = article["url"]
    theme = (theme or "").strip() or None
    if decision == "confirm":
        if theme is not None and theme not in THEMES:
            raise ReviewError(f"unknown theme '{theme}'")
    else:
        theme = None
    if decision == "duplicate":
        target = article_state(con, (duplicate_of or "").strip()) if (duplicate_of or "").strip() else None
        if target is None:
            raise ReviewError("give the address of the original article (one the monitor has stored)")
        if target["url"] == url:
            raise ReviewError("an article cannot be a duplicate of itself")
        if target["decision"] == "duplicate" and target["duplicate_of"] == url:
            raise ReviewError("the other article is already marked as a duplicate of this one")
        duplicate_of = target["url"]
    else:
        duplicate_of = None
    note = (note or "").strip() or None
    overrode = None
    if (seen_review is not None and article["review_id"] and article["review_id"] != seen_review
            and article["reviewer"] != reviewer):
        overrode = {"reviewer": article["reviewer"], "decision": article["decision"], "decided_at": article["decided_at"]}
    made = Decision(str(uuid.uuid4()), url, decision, theme, reviewer, _now(), article["title"], overrode)
    _run(con, "review_insert", {"review_id": made.review_id, "url": url, "decision": decision,
                                         "theme": theme, "duplicate_of": duplicate_of, "note": note,
                                         "reviewer": reviewer, "decided_at": made.decided_at})
    return made


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def registry_with_outlet(text: str, name: str, domains: list[str], reach: str, region: str, language: str,
                         reviewer: str, when: date) -> str:
    """The registry text with one outlet block added at the end of the `outlets:` list.
    Everything else (comments, order, spacing) is kept as it was."""
    lines = text.splitlines()
    who = re.sub(r"[\r\n]+", " ", reviewer)
    block = [f"  # added from the review desk by {who}, {when.isoformat()}",
             f"  - name: {_yaml_text(name)}",
             f"    domains: [{', '.join(_yaml_text(d) for d in domains)}]",
             f"    reach: {reach}",
             f"    region: {_yaml_text(region)}",
             f"    language: {_yaml_text(language)}",
             "    feeds: []",
             "    sitemaps: []"]
    start = next((i for i, l in enumerate(lines) if re.match(r"^outlets:\s*(#.*)?$", l)), None)
    if start is None:
        if any(re.match(r"^outlets:", l) for l in lines):
            raise ReviewError("the registry's 'outlets:' list is written on one line; add the outlet by hand")
        return text.rstrip("\n") + "\n\noutlets:\n" + "\n".join(block) + "\n"
    nxt = next((i for i in range(start + 1, len(lines)) if re.match(r"^[A-Za-z_][\w-]*\s*:", lines[i])), len(lines))
    at = nxt
    while at > start + 1 and (not lines[at - 1].strip() or lines[at - 1].startswith("#")):
        at -= 1
    new = lines[:at] + [""] + block + lines[at:]
    return "\n".join(new) + "\n"


def assign_reach(con, outlet: str, reach: str, reviewer: str, sources: str | Path, name: str | None = None,
                 region: str = "", language: str = "") -> str:
    """Give a reach to a site not in the registry: the outlet is classified for its whole past,
    the change is recorded in `outlet_reach_history` (source 'review') and who made it in
    `outlet_reviews`, and the outlet is
    added to the registry file so the next crawl keeps it. Returns the outlet's name."""
    from pipelines.registry import RegistryError, load_registry

    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("the reviewer's name is missing")
    if reach not in CLASSIFIED_REACHES:
        raise ReviewError(f"reach must be one of {', '.join(CLASSIFIED_REACHES)}")
    row = con.execute("SELECT name, domains, in_registry FROM outlets WHERE name = ?", [outlet]).fetchone()
    if row is None:
        raise ReviewError(f"there is no outlet '{outlet}'")
    if row[2]:
        raise ReviewError(f"'{outlet}' is already in the registry; change its reach in sources.yaml")
    name = re.sub(r"\s+", " ", (name or "").strip()) or outlet
    region, language = (region or "").strip(), (language or "").strip()
    if name != outlet and con.execute("SELECT 1 FROM outlets WHERE name = ?", [name]).fetchone():
        raise ReviewError(f"the name '{name}' is already used by an outlet in the registry: add the address "
                          f"{', '.join(row[1])} to that outlet's domains in sources.yaml by hand")
    sources = Path(sources)
    old_text = sources.read_text(encoding="utf-8")
    new_text = registry_with_outlet(old_text, name, list(row[1]), reach, region, language, reviewer, date.today())
    # Check the new file before anything is stored: the next crawl must be able to read it.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=sources.parent, delete=False, encoding="utf-8") as tmp:
        tmp.write(new_text)
    try:
        before = len(load_registry(sources).outlets) if old_text.strip() else 0
        after = load_registry(tmp.name)
        if len(after.outlets) != before + 1 or not any(o.name == name for o in after.outlets):
            raise ReviewError("could not add the outlet to the registry file automatically; add it by hand")
    except RegistryError as exc:
        os.unlink(tmp.name)
        raise ReviewError(str(exc).replace(tmp.name, str(sources))) from None
    except BaseException:
        os.unlink(tmp.name)
        raise
    params = {"outlet": outlet, "name": name, "reach": reach, "region": region, "language": language}
    when = _now()
    con.execute("BEGIN TRANSACTION")
    try:
        if name == outlet:
            _run(con, "review_outlet_classify", params)
        else:
            _run(con, "review_outlet_rename", params)
            _run(con, "review_outlet_move", params)
            _run(con, "review_outlet_drop_placeholder", params)
        _run(con, "review_reach_history", {"outlet": name, "reach": reach, "decided_at": when})
        _run(con, "review_outlet_log", {
            "review_id": str(uuid.uuid4()), "outlet": name, "was_named": outlet, "domains": list(row[1]),
            "reach": reach, "region": region, "language": language, "reviewer": reviewer, "decided_at": when})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        os.unlink(tmp.name)
        raise
    os.replace(tmp.name, sources)
    return name


# --------------------------------------------------------------------------- labels for evaluate

def review_labels(con) -> list[dict]:
    """The decisions in force as labels `flows.evaluate.score` can use: one dict per reviewed
    article with url, counted (True only when confirmed), theme (the person's, else the
    tagger's, for confirmed ones), process, reach and date (from the database), plus decision,
    duplicate_of, note, reviewer, decided_at. The rules are in warehouse/queries/review_labels.sql,
    which `flows.labelled.from_reviews` reads too."""
    out = []
    for r in _rows(con, "review_labels", {}):
        out.append({"url": r["url"], "counted": r["counted"], "theme": r["theme"],
                    "process": r["process"], "reach": r["reach"], "date": r["date"],
                    "decision": r["decision"], "duplicate_of": r["duplicate_of"], "note": r["note"],
                    "reviewer": r["reviewer"], "decided_at": r["decided_at"]})
    return out


def tagger_verdicts(con) -> list[dict]:
    """What the tagger alone counted among the reviewed articles (reviews not applied), shaped
    like `evaluation_appearances`: `score(review_labels(con), tagger_verdicts(con))` measures the
    tagger against the people's decisions."""
    return _rows(con, "review_tagger_verdicts", {})


# --------------------------------------------------------------------------- the web app

@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class ReviewDesk:
    """The desk's pages, independent of the HTTP server (requests in, responses out)."""

    def __init__(self, con, sources: str | Path, lang: str = "es", allowed_hosts: tuple[str, ...] = ()):
        self.con = con
        self.sources = Path(sources)
        self.lang = lang
        self.allowed_hosts = set(allowed_hosts)
        self.write_lock = threading.Lock()
        self.flashes: dict[str, tuple[str, str]] = {}
        self.flash_lock = threading.Lock()
        self.env = environment()
        self.text = {**labels(lang), **DESK_TEXT[lang]}

    # -- helpers
    def _cursor(self):
        cur = self.con.cursor()          # one DuckDB connection per request thread
        cur.execute("SET TimeZone = 'America/Mexico_City'")
        return cur

    def _page(self, template: str, reviewer: str | None, status: int = 200, **ctx) -> Response:
        ctx.setdefault("flash", None)
        body = self.env.get_template(template).render(t=self.text, lang=self.lang, reviewer=reviewer, **ctx)
        return Response(status, body.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])

    @staticmethod
    def _redirect(location: str, extra: list[tuple[str, str]] | None = None) -> Response:
        return Response(303, b"", [("Location", location), *(extra or [])])

    def _flash(self, kind: str, message: str) -> str:
        token = secrets.token_urlsafe(8)
        with self.flash_lock:
            if len(self.flashes) > 500:
                self.flashes.clear()
            self.flashes[token] = (kind, message)
        return token

    def _take_flash(self, token: str | None):
        if not token:
            return None
        with self.flash_lock:
            return self.flashes.pop(token, None)

    @staticmethod
    def _back(raw: str | None, default: str = "/queue") -> str:
        """Only a path on this desk (never another site) to go back to after a form."""
        if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
            return raw
        return default

    @staticmethod
    def _with_flash(path: str, token: str, anchor: str | None = None) -> str:
        parts = urlsplit(path)
        q = [(k, v) for k, v in parse_qs(parts.query).items() if k != "flash"]
        qs = urlencode([(k, x) for k, vs in q for x in vs] + [("flash", token)])
        return f"{parts.path}?{qs}" + (f"#{anchor}" if anchor else "")

    def _same_origin(self, headers) -> bool:
        origin = headers.get("Origin")
        if origin and origin != "null":
            return urlsplit(origin).netloc in self.allowed_hosts
        referer = headers.get("Referer")
        if referer:
            return urlsplit(referer).netloc in self.allowed_hosts
        return False

    # -- dispatch
    def handle(self, method: str, target: str, headers, body: bytes = b"") -> Response:
        try:
            return self._handle(method, target, headers, body)
        except Exception as exc:   # the page says what went wrong; nothing half-stored (each write is one transaction)
            import logging
            logging.getLogger(__name__).exception("review desk request failed")
            return self._page("review_message.html", None, 500, message=self.text["error"].format(message=exc))

    def _handle(self, method: str, target: str, headers, body: bytes = b"") -> Response:
        host = headers.get("Host", "")
        if self.allowed_hosts and host not in self.allowed_hosts:
            return Response(421, b"Wrong host", [("Content-Type", "text/plain")])   # DNS rebinding
        parts = urlsplit(target)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        reviewer = _cookie(headers.get("Cookie", ""), COOKIE)
        if method == "POST":
            if self.allowed_hosts and not self._same_origin(headers):
                return self._page("review_message.html", reviewer, 403, message=self.text["forbidden"])
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            if parts.path == "/name":
                return self.post_name(form)
            if not reviewer:
                return self._redirect("/name")
            if parts.path == "/decide":
                return self.post_decide(form, reviewer)
            if parts.path == "/outlet":
                return self.post_outlet(form, reviewer)
            return Response(404, b"Not found", [("Content-Type", "text/plain")])
        if method != "GET":
            return Response(405, b"Method not allowed", [("Allow", "GET, POST")])
        if parts.path == "/name":
            return self._page("review_name.html", reviewer, name=reviewer or "")
        if not reviewer:
            return self._redirect("/name")
        flash = self._take_flash(params.get("flash"))
        if parts.path in ("/", "/queue"):
            return self.get_queue(params, reviewer, flash, target)
        if parts.path == "/outlets":
            return self.get_outlets(reviewer, flash)
        if parts.path == "/report":
            return self.get_report(params)
        return Response(404, b"Not found", [("Content-Type", "text/plain")])

    # -- pages
    def get_queue(self, params, reviewer, flash, target) -> Response:
        view = params.get("view", "new")
        view = view if view in VIEWS else "new"
        week = params.get("week") or None
        cur = self._cursor()
        try:
            try:
                items = queue(cur, view, week, PAGE_SIZE + 1, lang=self.lang)
            except (ReportError, ReviewError):
                week, items = None, queue(cur, view, None, PAGE_SIZE + 1, lang=self.lang)
            weeks = [r[0] for r in cur.execute(
                "SELECT DISTINCT strftime(published_date, '%G-W%V') AS w FROM articles ORDER BY w DESC LIMIT 60").fetchall()]
        finally:
            cur.close()
        more = len(items) > PAGE_SIZE
        for i in items[:PAGE_SIZE]:
            i["date_text"] = format_date(i["published_date"], self.lang)
            i["decided_text"] = format_date(i["decided_at"], self.lang) if i["decided_at"] else ""
        return self._page("review_queue.html", reviewer, view=view, week=week or "", weeks=weeks,
                          items=items[:PAGE_SIZE], more=more, flash=flash, back=target,
                          themes=THEMES, this_week=week_of(date.today()))

    def get_outlets(self, reviewer, flash) -> Response:
        cur = self._cursor()
        try:
            outlets = unclassified_outlets(cur)
        finally:
            cur.close()
        for o in outlets:
            o["date_text"] = format_date(o["last_published"], self.lang)
        return self._page("review_outlets.html", reviewer, outlets=outlets, flash=flash,
                          reaches=CLASSIFIED_REACHES, sources=str(self.sources))

    def get_report(self, params) -> Response:
        """The weekly report as of now, decisions included (the same page `report weekly` writes):
        while the desk holds the database, this is how to see the report without closing it."""
        from flows.report import last_full_week, render_weekly_html, weekly_context

        week = params.get("week") or last_full_week()
        try:
            parse_week(week)
        except ReportError:
            week = last_full_week()
        cur = self._cursor()
        try:
            html = render_weekly_html(weekly_context(cur, week, self.lang, db_name="mesa de revisión"
                                                     if self.lang == "es" else "review desk"))
        finally:
            cur.close()
        return Response(200, html.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])

    def post_name(self, form) -> Response:
        name = re.sub(r"\s+", " ", form.get("name", "")).strip()[:80]
        if not name:
            return self._page("review_name.html", None, 400, name="")
        cookie = f"{COOKIE}={quote(name)}; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly"
        return self._redirect("/queue", [("Set-Cookie", cookie)])

    def post_decide(self, form, reviewer) -> Response:
        back = self._back(form.get("back"))
        t = self.text
        cur = self._cursor()
        try:
            with self.write_lock:
                made = record_decision(cur, form.get("url", ""), form.get("decision", ""), reviewer,
                                       theme=form.get("theme"), duplicate_of=form.get("duplicate_of"),
                                       note=form.get("note"), seen_review=form.get("seen", ""))
        except ReviewError as exc:
            return self._redirect(self._with_flash(back, self._flash("error", t["error"].format(message=exc))))
        finally:
            cur.close()
        message = t["saved"].format(title=made.title or made.url, what=t[f"{made.decision}_done"])
        kind = "ok"
        if made.overrode:
            kind = "warn"
            message += " " + t["conflict"].format(
                who=made.overrode["reviewer"], decision=t[f"decision_{made.overrode['decision']}"],
                when=format_date(made.overrode["decided_at"], self.lang))
        return self._redirect(self._with_flash(back, self._flash(kind, message)))

    def post_outlet(self, form, reviewer) -> Response:
        t = self.text
        cur = self._cursor()
        try:
            with self.write_lock:
                name = assign_reach(cur, form.get("outlet", ""), form.get("reach", ""), reviewer, self.sources,
                                    name=form.get("name"), region=form.get("region", ""),
                                    language=form.get("language", ""))
        except ReviewError as exc:
            return self._redirect(self._with_flash("/outlets", self._flash("error", t["error"].format(message=exc))))
        finally:
            cur.close()
        message = t["assigned"].format(outlet=name, reach=t["reaches"][form["reach"]], sources=self.sources.name)
        return self._redirect(self._with_flash("/outlets", self._flash("ok", message)))


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return unquote(value).strip() or None
    return None


class _Handler(BaseHTTPRequestHandler):
    server_version = "ProDESC-review"
    desk: ReviewDesk

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self):
        self._send(self.server.desk.handle("GET", self.path, self.headers))

    def do_POST(self):
        length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        self._send(self.server.desk.handle("POST", self.path, self.headers, self.rfile.read(length)))

    def log_message(self, fmt, *args):   # quiet: one line per request only when asked
        if getattr(self.server, "verbose", False):
            sys.stderr.write("%s - %s\n" % (self.log_date_time_string(), fmt % args))


class DeskServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, desk_factory, port: int = 8765, verbose: bool = False):
        super().__init__(("127.0.0.1", port), _Handler)   # loopback only: never reachable from the network
        self.verbose = verbose
        self.port = self.server_address[1]
        self.desk = desk_factory((f"127.0.0.1:{self.port}", f"localhost:{self.port}"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def make_server(con, sources, lang: str = "es", port: int = 8765, verbose: bool = False) -> DeskServer:
    """A desk server on 127.0.0.1 (port 0: any free port). Call serve_forever() to run it."""
    return DeskServer(lambda hosts: ReviewDesk(con, sources, lang, hosts), port, verbose)


def _stop(signum, frame):
    raise KeyboardInterrupt


def cmd_review(args) -> int:
    from warehouse.db import connect

    if not Path(args.sources).exists():
        print(f"The sources file {args.sources} does not exist. Give one with --sources FILE.", file=sys.stderr)
        return 2
    con = connect(args.db)
    try:
        server = make_server(con, args.sources, args.lang, args.port, args.verbose)
        text = {"es": "Mesa de revisión abierta en {url}\nÁbrala en su navegador. Para cerrarla: Ctrl+C. "
                      "Mientras esté abierta, la recolección espera a que se cierre.",
                "en": "Review desk open at {url}\nOpen it in your browser. To close it: Ctrl+C. "
                      "While it is open, a crawl waits for it to close."}[args.lang]
        print(text.format(url=server.url), flush=True)
        if args.open:
            import webbrowser
            webbrowser.open(server.url)
        signal.signal(signal.SIGTERM, _stop)   # closed by the system: close the database cleanly too
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        con.close()
    return 0


def add_review_command(sub) -> None:
    """Register `review` on the CLI's subparsers."""
    r = sub.add_parser("review", help="open the review desk in your browser: confirm, reject, correct, classify outlets",
                       description="Opens a small web page on this computer (only this computer can reach it) where "
                                   "you go through new appearances and rejected candidates, confirm or reject each, "
                                   "correct themes, mark duplicates and give a reach to new outlets. Every decision "
                                   "is stored with your name and changes the reports and the tally on their next run. "
                                   "Two people can use it at once from this computer.")
    r.add_argument("--db", type=Path, default=Path("data/monitor.duckdb"),
                   help="the database file (default: data/monitor.duckdb)")
    r.add_argument("--sources", type=Path, default=Path("sources.yaml"),
                   help="the registry that classified outlets are added to (default: sources.yaml)")
    r.add_argument("--port", type=int, default=8765, help="port on this computer (default: 8765)")
    r.add_argument("--lang", choices=LANGS, default="es", help="language of the pages (default: es, Spanish)")
    r.add_argument("--open", action="store_true", help="also open the page in the default browser")
    r.add_argument("--verbose", action="store_true", help="print one line per request")
    r.set_defaults(func=cmd_review)


if __name__ == "__main__":   # a stand-in until flows/cli.py registers the command
    parser = argparse.ArgumentParser(prog="prodesc-monitor")
    add_review_command(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
