"""What the desk's pages show: the queue and outlet lists made ready for the templates, the
pages rendered (Jinja2, autoescape on: the report's environment), and one-shot flash messages."""
from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.responses import HTMLResponse

from flows.report import (environment, format_date, format_moment, format_week, highlight, parse_week, safe_href,
                          week_of)
from warehouse.reviews import review_queue, unclassified_outlets

PAGE_SIZE = 100

# The states of Mexico (entidades federativas), as `region` holds them for a local outlet
# (sources.yaml: "region: the state, for local outlets; "" for the others"). Proper names:
# the same in every language of the desk.
STATES = ("Aguascalientes", "Baja California", "Baja California Sur", "Campeche", "Chiapas", "Chihuahua",
          "Ciudad de México", "Coahuila", "Colima", "Durango", "Estado de México", "Guanajuato", "Guerrero",
          "Hidalgo", "Jalisco", "Michoacán", "Morelos", "Nayarit", "Nuevo León", "Oaxaca", "Puebla", "Querétaro",
          "Quintana Roo", "San Luis Potosí", "Sinaloa", "Sonora", "Tabasco", "Tamaulipas", "Tlaxcala", "Veracruz",
          "Yucatán", "Zacatecas")
# The languages an outlet may publish in, as sources.yaml's `language` codes; the desk shows
# each by its name (messages: language_<code>).
LANGUAGES = ("es", "en", "fr", "pt", "de", "it")


SIMILAR_TITLE = 0.85    # Jaro-Winkler of two headlines from which they are "the same headline"


def queue(con, view: str = "new", week: str | None = None, limit: int = PAGE_SIZE,
          lang: str = "es", filters: dict | None = None) -> list[dict]:
    """Articles to review in one view ('new', 'rejected', 'reviewed') of one ISO week ('2026-W47',
    None for all), narrowed by `filters` (warehouse.reviews.review_queue), each with up to three
    sentences with its mentions marked, the tagger's reasons (in `lang`, the desk's language,
    Spanish by default), an anchor and a safe link, and its look-alikes split by the counting
    rules (§1): `duplicates`, the same outlet's article with the same text or headline (one
    appearance: marking it is one click), and `reprints`, another outlet's (one appearance per
    outlet: shown, never merged by default); `candidates` stays the full list of the outlet's
    own articles nearby, to pick an original by hand. Raises ReviewError for an unknown view,
    ReportError for a malformed week."""
    start, end = parse_week(week) if week else (None, None)
    items = review_queue(con, view, start, end, limit, lang, filters)
    for i in items:
        ms = i.pop("mentions")
        terms = [m["matched"] for m in ms if m["accepted"]] or [m["matched"] for m in ms]
        seen, shown = set(), []
        for m in ms:
            if m["snippet"] and m["snippet"] not in seen and len(shown) < 3:
                seen.add(m["snippet"])
                shown.append({"pieces": highlight(m["snippet"], terms), "accepted": m["accepted"],
                              "reason": m["reason_text"], "entity": m["entity_name"]})
        i["snippets"] = shown
        i["anchor"] = "item-" + hashlib.sha1(i["url"].encode()).hexdigest()[:12]
        i["href"] = safe_href(i["url"])
        alike = [{**c, "href": safe_href(c["url"]), "date_text": format_date(c["published_date"], lang)}
                 for c in i["candidates"] if c["same_text"] or c["title_similarity"] >= SIMILAR_TITLE]
        i["duplicates"] = [c for c in alike if c["same_outlet"]]
        i["reprints"] = [c for c in alike if not c["same_outlet"]]
        i["candidates"] = [c for c in i["candidates"] if c["same_outlet"]]
    return items


def dated(items: list[dict], lang: str) -> list[dict]:
    """Dates written the desk's way ('24 nov 2026'; a decision's moment in Mexico City time,
    with its zone), for the queue's cards."""
    for i in items:
        i["date_text"] = format_date(i["published_date"], lang)
        i["decided_text"] = format_moment(i["decided_at"], lang) if i["decided_at"] else ""
    return items


def week_choices(weeks: list[str], lang: str) -> list[tuple[str, str]]:
    """The week picker's options: ('2026-W47', 'semana 47 (16–22 nov 2026)')."""
    return [(w, format_week(w, lang)) for w in weeks]


def filters_from(params: dict[str, str], choices: dict, themes, reaches) -> dict[str, str]:
    """The filters asked for in a query string (every key of warehouse.reviews.FILTERS, '' for
    "any"), each kept only when it is one the desk offers (an unknown value is dropped, not an
    error: a shared link from an older desk, or to an outlet since renamed, still opens)."""
    allowed = {"theme": set(themes), "reach": set(reaches),
               "outlet": {v for v, _ in choices["outlet"]}, "process": {v for v, _ in choices["process"]}}
    out = {k: params.get(k, "") if params.get(k, "") in allowed[k] else "" for k in allowed}
    out["q"] = " ".join((params.get("q") or "").split())[:100]
    return out


def query_of(**params) -> str:
    """A query string of the non-empty parameters, for links that keep the filters."""
    return urlencode([(k, v) for k, v in params.items() if v])


def outlets(con, lang: str = "es") -> list[dict]:
    """Sites not in the registry, with a safe link to their example and its date written out."""
    return [{**o, "href": safe_href(o["example_url"]), "date_text": format_date(o["last_published"], lang)}
            for o in unclassified_outlets(con)]


def this_week() -> str:
    return week_of(date.today())


class Pages:
    """Renders the desk's templates in one language."""

    def __init__(self, text: dict, lang: str):
        self.env = environment()
        self.text = text
        self.lang = lang

    def render(self, template: str, reviewer: str | None, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("flash", None)
        body = self.env.get_template(template).render(t=self.text, lang=self.lang, reviewer=reviewer, **ctx)
        return HTMLResponse(body, status)

    def message(self, message: str, reviewer: str | None = None, status: int = 200) -> HTMLResponse:
        return self.render("review_message.html", reviewer, status, message=message)


class Flashes:
    """One-shot messages after a form ("Guardado: ..."): kept under a random token that the
    redirect carries, shown once, then forgotten. Bounded, so nobody can fill the memory."""

    def __init__(self, most: int = 500):
        self.most = most
        self._kept: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def keep(self, kind: str, message: str) -> str:
        token = secrets.token_urlsafe(8)
        with self._lock:
            if len(self._kept) > self.most:
                self._kept.clear()
            self._kept[token] = (kind, message)
        return token

    def take(self, token: str | None) -> tuple[str, str] | None:
        if not token:
            return None
        with self._lock:
            return self._kept.pop(token, None)


def with_flash(path: str, token: str, anchor: str | None = None) -> str:
    """`path` (a desk address) with its `flash` parameter set to `token`."""
    parts = urlsplit(path)
    q = [(k, v) for k, v in parse_qs(parts.query).items() if k != "flash"]
    qs = urlencode([(k, x) for k, vs in q for x in vs] + [("flash", token)])
    return f"{parts.path}?{qs}" + (f"#{anchor}" if anchor else "")
