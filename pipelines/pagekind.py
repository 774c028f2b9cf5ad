"""Is this page a listing (tag, category, section, author, archive, search results)?

Counting rule 1 (shared/spec/counting-rules.md): only an article's main text counts. A
listing page quotes many articles' headlines and teasers, so one that lists a ProDESC
story would otherwise be counted as a second appearance of it. Page metadata cannot
settle the question: many CMSs stamp ``og:type=article`` on every page, listings
included. Two independent signals do:

- `listing_reason(url)`: the URL. Sites build listings from a marker segment (``/tag/``,
  ``/categoria/``, ``/autor/``, ``/search``...), pagination (``/page/2``), a search or
  taxonomy query (``?s=``, ``?cat=``) or a bare date (``/2023/05/``). A marker word is only
  a listing when little follows it: a name or two and maybe ``page/N``. Real articles
  put the word in a section prefix *followed by* their own slug or id
  (``/seccion/politica/2023/05/02/titulo-largo-123456.html``) or inside a slug
  (``/el-tema-de-la-semana.html``), and those stay articles.
- `listing_shape(tree, text, url)`: the page. A listing's main text is mostly headlines
  linking to other articles of the same site; an article's related-links box is a small
  share of it (and trafilatura usually drops it anyway).

Both are pure functions: no network, no database. The reasons are Spanish, user-facing.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

# The marker segments (accent-free, lowercase) and what the listing is, in Spanish. "Strong"
# markers are always followed by a name (a tag, a person) that may be as long as a slug.
_MARKERS = {
    **dict.fromkeys(("tag", "tags", "etiqueta", "etiquetas", "label", "labels"), "etiqueta"),
    **dict.fromkeys(("author", "authors", "autor", "autora", "autores", "autoras"), "autor"),
    **dict.fromkeys(("category", "categories", "categoria", "categorias"), "categoría"),
    **dict.fromkeys(("tema", "temas", "topic", "topics"), "tema"),
    **dict.fromkeys(("seccion", "secciones", "section", "sections"), "sección"),
    **dict.fromkeys(("archive", "archives", "archivo", "archivos"), "archivo"),
    **dict.fromkeys(("search", "buscar", "busqueda"), "resultados de búsqueda"),
}
_STRONG = {m for m, kind in _MARKERS.items() if kind in ("etiqueta", "autor")}

# What a listing's URL may carry after its name: at most this many short segments.
_MAX_TAIL = 3
_PAGE_WORDS = {"page", "pagina", "pag"}
# Query keys of search and taxonomy listings (WordPress ?s= ?cat= ?tag= ?author=, generic ?q=).
_LISTING_QUERY = {"s": "resultados de búsqueda", "q": "resultados de búsqueda", "search": "resultados de búsqueda",
                  "buscar": "resultados de búsqueda", "tag": "etiqueta", "cat": "categoría",
                  "category_name": "categoría", "author": "autor", "author_name": "autor"}
_PAGING_QUERY = {"paged", "page", "pagina"}

_FILE_EXT = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$")
_LONG_ID = re.compile(r"\d{5,}")
_WORD_SPLIT = re.compile(r"[-_+.\s]+")


def _plain(segment: str) -> str:
    """Lowercase, percent-decoded, accent-free: "Secci%C3%B3n" -> "seccion"."""
    text = unicodedata.normalize("NFKD", unquote(segment).lower())
    if text.isascii():   # most segments: no combining mark to drop, and no per-character loop
        return text
    return "".join(c for c in text if not unicodedata.combining(c))


def _words(segment: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(_FILE_EXT.sub("", segment)) if w]


def is_article_slug(segment: str) -> bool:
    """A path segment that names one article: a long hyphenated slug, a long numeric id,
    or a page file (.html, .php) whose name is more than "index"."""
    seg = _plain(segment)
    if _LONG_ID.search(seg):
        return True
    words = _words(seg)
    if _FILE_EXT.search(seg):
        return len(words) >= 3 or bool(re.search(r"\d{3,}", seg))
    return len(words) >= 5 or (len(words) >= 4 and len(seg) >= 28)


def _strip_paging(segs: list[str]) -> tuple[list[str], bool]:
    """Drop a trailing "page/N" (or "pagina/N"); say whether there was one."""
    if len(segs) >= 2 and segs[-1].isdigit() and segs[-2] in _PAGE_WORDS:
        return segs[:-2], True
    return segs, False


_DATE_ARCHIVE = re.compile(r"^(?:[^/]+/)?(?:19[89]\d|20[0-4]\d)/\d{1,2}(?:/\d{1,2})?$|^(?:19[89]\d|20[0-4]\d)$")


def _date_archive(segs: list[str]) -> bool:
    """/2023/05/ or /2023/05/02/ (maybe under one short section), or a bare /2023/ at the
    site's root: a month's or a day's archive, with no article after the date."""
    return bool(segs) and not is_article_slug(segs[0]) and bool(_DATE_ARCHIVE.match("/".join(segs)))


def listing_reason(url: str) -> str | None:
    """Why the URL is a listing page (Spanish, for the Skip's detail), or None.

    >>> listing_reason("https://sitio.mx/tag/energia-renovable/page/2")
    'página de etiqueta o listado (URL: /tag/energia-renovable/page/2)'
    >>> listing_reason("https://sitio.mx/seccion/politica/2023/05/02/titulo-largo-de-la-nota-123456.html") is None
    True
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    shown = f"(URL: {path}{'?' + parts.query if parts.query else ''})"
    if len(shown) > 120:
        shown = shown[:116] + "…)"
    raw = [s for s in path.split("/") if s]
    segs = [_plain(s) for s in raw]
    article_in_path = any(is_article_slug(s) for s in raw)

    for i, seg in enumerate(segs):
        marker = seg
        if _FILE_EXT.search(seg):             # /search.php, /buscar.html; not /2023-05-02/tema.html
            marker = _FILE_EXT.sub("", seg)
            if i > 0 or _MARKERS.get(marker) != "resultados de búsqueda":
                continue
        if marker not in _MARKERS:
            continue
        tail, _ = _strip_paging(segs[i + 1:])
        if len(tail) > _MAX_TAIL:
            continue
        head_ok = (not tail or (marker in _STRONG and not _FILE_EXT.search(tail[0]) and not _LONG_ID.search(tail[0]))
                   or not is_article_slug(tail[0]))
        if head_ok and not any(is_article_slug(s) for s in tail[1:]):
            return f"página de {_MARKERS[marker]} o listado {shown}"

    rest, paged = _strip_paging(segs)
    if paged and not any(is_article_slug(s) for s in rest):
        return f"página de listado paginada {shown}"
    if _date_archive(rest):
        return f"archivo por fecha, no un artículo {shown}"
    if not article_in_path:
        keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
        for key, kind in _LISTING_QUERY.items():
            if key in keys:
                return f"página de {kind} o listado {shown}"
        if keys & _PAGING_QUERY and (not rest or rest[-1] in ("", "index.php", "index.html")):
            return f"página de listado paginada {shown}"
    return None


# --- the page's shape -------------------------------------------------------------------

MIN_HEADLINE_LINKS = 8        # distinct same-site article links with a headline...
MIN_HEADLINE_WORDS = 4        # ...of at least this many words...
MIN_ITEMS_SHARE = 0.5         # ...whose list items make up at least this share of the main text
MAX_ITEM_WORDS = 80           # a list item: headline, teaser, date; never a whole article


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _site(host: str) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


def _words_in(element) -> int:
    """Words in the element's text: its text nodes joined by spaces, split once (the same count as
    splitting each node, without a Python step per node: ~150 elements a page come here)."""
    return len(" ".join(element.itertext()).split())


def _headline_target(url: str, href: str, site: str, own_path: str) -> str | None:
    """The path of the same-site article `href` links to, or None (another site, this page,
    a URL that names no article)."""
    try:
        target = urlsplit(urljoin(url, href))
        target_site = _site(target.hostname or "")
    except ValueError:
        return None
    key = target.path.rstrip("/")
    if target_site != site or key == own_path:
        return None
    if not any(is_article_slug(s) for s in key.split("/") if s):
        return None
    return key


def headline_items(tree, text: str, url: str) -> tuple[int, float]:
    """(how many distinct same-site article links carry a headline of at least
    MIN_HEADLINE_WORDS words, what share of the main text's words lies in their list items).

    A headline's item is the largest block around its link that holds no other headline
    and at most MAX_ITEM_WORDS words: the headline with its teaser and date on a listing, a
    line of a "related news" box or a paragraph with a "read also" link in an article. The
    extractor may keep or drop the headlines themselves (it often drops link-only headings
    and keeps the teasers), so the share is measured on the items, not on the links.
    Measured on ../shared/realdata's real articles: up to 9 such links, at most ~20 % of the text."""
    body = tree.find("body") if tree is not None else None
    lines = [_norm(line) for line in (text or "").splitlines() if line.strip()]
    total = sum(len(line.split()) for line in lines)
    if body is None or not total:
        return 0, 0.0
    page = urlsplit(url)
    site = _site(page.hostname or "")
    anchors: dict[str, list] = {}   # link path -> its headline anchors
    resolved: dict[str, str | None] = {}   # href -> its `_headline_target`
    own_path = page.path.rstrip("/")
    for a in body.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        # first: most links are menus, cheaper than resolving them (a link without child
        # elements, most of them, has only its own text: no need to walk it)
        words = len(a.text.split()) if len(a) == 0 and a.text else _words_in(a)
        if words < MIN_HEADLINE_WORDS:
            continue
        key = resolved.get(href, False)
        if key is False:   # a page links the same article from its picture, headline and teaser
            key = resolved[href] = _headline_target(url, href, site, own_path)
        if key is not None:
            anchors.setdefault(key, []).append(a)
    if len(anchors) < MIN_HEADLINE_LINKS:
        return len(anchors), 0.0
    headline_ids = {id(a) for group in anchors.values() for a in group}
    words: dict = {}   # element -> its words: the same blocks are climbed from each of their links

    def words_of(element) -> int:
        if element not in words:
            words[element] = _words_in(element)
        return words[element]

    items = []
    for group in anchors.values():
        for a in group:
            item = a
            parent = item.getparent()
            while (parent is not None and parent is not body and words_of(parent) <= MAX_ITEM_WORDS
                   and not any(id(x) in headline_ids and x not in group for x in parent.iter("a"))):
                item, parent = parent, parent.getparent()
            items.append(_norm(" ".join(item.itertext())))
    covered = sum(len(line.split()) for line in lines if any(line in item for item in items))
    return len(anchors), covered / total


def listing_shape(tree, text: str, url: str) -> str | None:
    """Why the page reads as a listing (Spanish), or None.

    A listing is a list of items, each a headline linking to another article of the same site
    (maybe with a teaser and a date), and those items are most of what the extractor took as
    main text. An article with a "related news" box has such items too, but its own paragraphs
    are the bulk of its text.
    """
    count, share = headline_items(tree, text, url)
    if count >= MIN_HEADLINE_LINKS and share >= MIN_ITEMS_SHARE:
        return (f"página de listado: {count} titulares enlazados a otras notas del sitio "
                f"forman el {round(100 * share)} % del texto principal")
    return None
