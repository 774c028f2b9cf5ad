"""Listing pages (tag, category, section, author, archive, search) never become articles.

Counting rule 1: only an article's main text counts. The pages below are written for
these tests (invented outlets and text); the URLs follow the shapes real outlets use.
"""
from __future__ import annotations

import pytest

from pipelines.dates import parse_tree
from pipelines.extract import extract_article
from pipelines.pagekind import listing_reason, listing_shape
from pipelines.records import Skip
from tests.test_extract import fetched

LISTINGS = [
    # the real-press cases that og:type=article let through
    "http://urbanotlaxcala.mx/tag/energia-renovable/page/2",
    "http://perspectiva.mx/category/sin-categoria/tlaxcala/calpulalpan/",
    "http://latamgremial.com/category/confederaciones",
    "http://amapolaperiodismo.com/tema/migracion/page/2/?filtered=random&amp",
    "http://eldragonario.net/search?max-results=25&reverse-paginate=true&updated-max=2022-11-17T23%3A15%3A00-06%3A00",
    # markers in several languages and spellings
    "https://www.diariouno.example/tag/prodesc/",
    "https://www.diariouno.example/tags/union-hidalgo-contra-edf-en-francia/",   # a long tag name is still a tag
    "https://www.diariouno.example/etiqueta/derechos-humanos",
    "https://www.diariouno.example/etiquetas/prodesc/page/3/",
    "https://www.diariouno.example/categoria/estados/",
    "https://www.diariouno.example/categor%C3%ADa/estados/oaxaca/",
    "https://www.diariouno.example/categories/news",
    "https://www.diariouno.example/temas/mitikah",
    "https://www.diariouno.example/topic/labor-rights/",
    "https://www.diariouno.example/seccion/politica/",
    "https://www.diariouno.example/secci%C3%B3n/politica/page/2",
    "https://www.diariouno.example/section/world/americas/",
    "https://www.diariouno.example/author/lucia-pech/",
    "https://www.diariouno.example/autor/alejandra-ancheita/page/4",
    "https://www.diariouno.example/autores/maria-jose-lopez-hernandez/",
    "https://www.diariouno.example/archive/2023/05/",
    "https://www.diariouno.example/archivo/",
    "https://www.diariouno.example/buscar?texto=prodesc",
    "https://www.diariouno.example/busqueda/?q=prodesc",
    "https://www.diariouno.example/b%C3%BAsqueda/prodesc",
    "https://www.diariouno.example/search.php?query=prodesc",
    "https://www.diariouno.example/es/tag/prodesc/",
    # Blogger
    "https://blog.example.blogspot.com/search/label/Uni%C3%B3n%20Hidalgo",
    "https://blog.example.blogspot.com/search?updated-max=2023-05-01T10:00:00-06:00&max-results=7",
    "https://blog.example.blogspot.com/label/derechos",
    # WordPress queries and pagination
    "https://sitio.example/?s=prodesc",
    "https://sitio.example/?s=",
    "https://sitio.example/?q=ejidos+mayas",
    "https://sitio.example/?tag=prodesc",
    "https://sitio.example/?cat=12",
    "https://sitio.example/?paged=2",
    "https://sitio.example/page/2/",
    "https://sitio.example/noticias/page/12",
    # date-only archives
    "https://sitio.example/2023/05/",
    "https://sitio.example/2023/05/02/",
    "https://sitio.example/2023/",
    "https://sitio.example/noticias/2023/05/",
]

ARTICLES = [
    # the brief's look-alikes: the word inside a slug, or a section prefix before the article
    "https://www.jornada.com.mx/notas/2023/03/01/estados/comuneros-de-union-hidalgo-exigen-a-edf-respetar-su-territorio",
    "https://elpais.com/mexico/2023-05-02/el-tema-de-la-semana.html",
    "https://site.mx/seccion/politica/2023/05/02/titulo-largo-de-la-nota-123456.html",
    # La Jornada
    "https://www.jornada.com.mx/2023/05/02/politica/012n2pol",
    "https://www.jornada.com.mx/2025/10/26/capital/024n1cap?partner=rss",
    "https://www.jornada.com.mx/noticia/2023/05/02/estados/jornaleros-de-sinaloa-se-organizan-1234",
    # El Universal
    "https://www.eluniversal.com.mx/estados/union-hidalgo-el-pueblo-zapoteca-que-llevo-a-edf-a-tribunales/",
    "https://www.eluniversal.com.mx/opinion/alejandra-ancheita/debida-diligencia-mexico-no-puede-quedarse-mirando/",
    "https://www.eluniversal.com.mx/metropoli/vecinos-de-xoco-clausuran-plaza-mitikah/",
    "https://oaxaca.eluniversal.com.mx/municipios/14-07-2019/en-resistencia-contra-las-eolicas-union-hidalgo",
    # Proceso, Milenio, Animal Político, El País
    "https://www.proceso.com.mx/nacional/2023/5/2/jornaleros-de-sinaloa-exigen-derechos-305123.html",
    "https://www.proceso.com.mx/nacional/estados/2023/5/2/ejidos-mayas-ganan-amparo-305124.html",
    "https://www.milenio.com/politica/prodesc-presenta-estudio-sobre-el-capitulo-laboral",
    "https://www.milenio.com/estados/colectivo-de-calpulalpan-pide-resolver-juicio",
    "https://www.animalpolitico.com/2023/05/ejidos-mayas-chichen-itza-amparo/",
    "https://www.animalpolitico.com/sociedad/xoco-mitikah-agua-vecinos",
    "https://elpais.com/mexico/2023-05-02/los-ejidos-mayas-que-defienden-su-laguna.html",
    "https://elpais.com/internacional/2023-05-02/tema.html",
    # WordPress short links and ids
    "https://sitio.example/?p=4301",
    "http://lostubos.com/?p=173579",
    "https://sitio.example/index.php?option=com_content&view=article&id=5012",
    # sections named like markers but followed by the article itself
    "https://sitio.example/seccion/estados/ejidatarios-de-xcalacoop-piden-acompanamiento-legal",
    "https://sitio.example/tema/migracion/jornaleros-de-sinaloa-se-organizan-bajo-una-consigna",
    "https://sitio.example/categoria/nacional/2023/05/02/nota-1234567",
    "https://sitio.example/autor/lucia-pech/bordadoras-de-tehuantepec-exponen-en-merida-su-trabajo",
    "https://sitio.example/archivo/nota/2019/07/14/en-resistencia-contra-las-eolicas.html",
    "https://sitio.example/search-and-rescue-teams-reach-the-village-after-the-storm",
    "https://sitio.example/topics-que-marcaron-el-ano-en-derechos-laborales",
    # other common shapes
    "https://www.sinembargo.mx/18-01-2024/4454119",
    "https://zetatijuana.com/2016/01/alianza-de-jornaleros-en-sq-tiene-sindicato",
    "https://www.nvinoticias.com/istmo/2023/07/13/comuneros-de-union-hidalgo-exigen-reconocimiento.html",
    "https://nortedigital.mx/noticias/20231114/003/pugil-de-union-hidalgo-oaxaca-encabeza-funcion/",
    "https://www.excelsior.com.mx/nacional/jornaleros-agricolas-exigen-pago-justo/1567890",
    "https://www.informador.mx/mexico/Ejidos-mayas-defienden-laguna-20230502-0012.html",
    "https://www.theguardian.com/global-development/2023/09/15/a-school-for-people-the-law-forgot",
    "https://www.liberation.fr/international/2026/11/04/alejandra-ancheita-affaiblir-le-devoir-de-vigilance/",
    "https://www.dw.com/es/ejidos-mayas-frenan-granja/a-65331234",
    "https://www.infobae.com/mexico/2023/05/02/ejidos-mayas-ganan-amparo/",
    "https://sitio.example/",
    "https://sitio.example/nota/2023",
    "https://sitio.example/p/1234567",
    "https://sitio.example/deportes/resultados/liga-femenil-jornada-5",
]


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_urls(url):
    reason = listing_reason(url)
    assert reason and "(URL: /" in reason


@pytest.mark.parametrize("url", ARTICLES)
def test_article_urls_are_not_listings(url):
    assert listing_reason(url) is None


def test_reason_is_spanish_and_names_the_kind():
    assert listing_reason("https://sitio.example/tag/prodesc/") == "página de etiqueta o listado (URL: /tag/prodesc/)"
    assert "categoría" in listing_reason("https://sitio.example/categoria/estados/")
    assert "búsqueda" in listing_reason("https://sitio.example/?s=prodesc")
    assert listing_reason("not a url at all") is None and listing_reason("http://[::1") is None


# --- the page's shape ----------------------------------------------------------------------

_HEADLINES = [
    "Ejidatarios del sur piden acompañamiento legal para su laguna",
    "Vecinas del barrio alto denuncian cortes de agua por una obra",
    "Cooperativa de bordadoras abre su primera tienda en la capital",
    "Jornaleros del valle exigen contratos por escrito antes de viajar",
    "Colectivo de conductoras presenta una guía de seguridad laboral",
    "Tribunal agrario fija audiencia por el parque solar del llano",
    "Sindicato de técnicos de cine pide seguridad social para todos",
    "Defensoras comunitarias concluyen su escuela de formación anual",
    "Productores de miel reclaman por fumigaciones cerca de sus colmenas",
    "Maestras rurales recorren tres municipios para censar escuelas",
]


def _listing_page() -> bytes:
    items = "\n".join(
        f'<div class="item"><h2><a href="/estados/{h.lower().replace(" ", "-")}-{1000 + i}">{h}</a></h2>'
        f'<p class="teaser">Lo que se sabe hasta ahora y lo que sigue, según las personas consultadas.</p>'
        f'<span class="date">Hace {i + 2} horas</span></div>'
        for i, h in enumerate(_HEADLINES))
    return f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Derechos humanos | Diario Uno</title>
<meta property="og:type" content="article"><meta property="og:title" content="Derechos humanos">
</head><body><header><nav><a href="/">Inicio</a> <a href="/estados/">Estados</a></nav></header>
<main><h1>Derechos humanos</h1>{items}
<nav class="pagination"><a href="/derechos-humanos?pagina=2">Siguiente</a></nav></main>
<footer>Diario Uno, Mérida</footer></body></html>""".encode()


def _article_with_related_box() -> bytes:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in [
        "Integrantes de una cooperativa de bordadoras del Istmo presentaron este martes en Mérida una "
        "muestra de cuarenta piezas hechas a mano durante el último año, con motivos que recuperan "
        "flores, aves y escenas de la vida diaria de sus comunidades.",
        "La muestra estará abierta durante tres semanas en el centro cultural de la ciudad, donde las "
        "artesanas también impartirán talleres gratuitos de bordado los fines de semana para niñas, "
        "niños y personas adultas que quieran aprender las técnicas tradicionales.",
        "Según explicaron, cada pieza requiere entre dos y seis semanas de trabajo, y el precio que "
        "reciben por ellas apenas cubre los materiales y el tiempo invertido, por lo que buscan vender "
        "directamente al público sin intermediarios que se queden con la mayor parte de la ganancia.",
        "La cooperativa reúne a veintidós mujeres de cuatro localidades, que se organizaron hace cinco "
        "años para comprar hilo y tela en conjunto y compartir los gastos de transporte a las ferias "
        "regionales donde ofrecen su trabajo a lo largo del año.",
        "Las organizadoras invitaron a las autoridades municipales a visitar la muestra y a conocer de "
        "cerca las condiciones en que trabajan las artesanas, quienes piden espacios permanentes de "
        "venta en los mercados de la ciudad y apoyo para registrar sus diseños.",
    ])
    related = "\n".join(f'<li><a href="/cultura/{h.lower().replace(" ", "-")}-{2000 + i}">{h}</a></li>'
                        for i, h in enumerate(_HEADLINES))
    return f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Bordadoras del Istmo exponen en Mérida</title><meta property="og:type" content="article">
</head><body><header><nav><a href="/">Inicio</a></nav></header>
<main><article><h1>Bordadoras del Istmo exponen en Mérida</h1>{paragraphs}</article>
<aside class="related"><h3>Te puede interesar</h3><ul>{related}</ul></aside></main>
<footer>Diario Uno, Mérida</footer></body></html>""".encode()


def test_headline_list_is_a_listing_even_with_article_metadata(registry):
    url = "http://www.diariouno.example/derechos-humanos"
    assert listing_reason(url) is None                       # the URL says nothing here
    result = extract_article(fetched(_listing_page(), url=url), registry)
    assert isinstance(result, Skip) and result.reason == "not_an_article"
    assert result.detail.startswith("página de listado: 10 titulares")


def test_article_with_related_links_stays_an_article(registry):
    url = "http://www.diariouno.example/cultura/bordadoras-del-istmo-exponen-en-merida"
    result = extract_article(fetched(_article_with_related_box(), url=url), registry)
    assert not isinstance(result, Skip)
    assert "veintidós mujeres" in result.text


def test_shape_with_related_links_in_the_main_text():
    # even if the extractor kept the related box, the article's own paragraphs outweigh it
    body = _article_with_related_box()
    tree = parse_tree(body)
    text = "\n".join(" ".join(p.itertext()) for p in tree.iter("p", "li"))
    assert listing_shape(tree, text, "http://www.diariouno.example/cultura/bordadoras-del-istmo-exponen-en-merida") is None


def test_shape_ignores_links_to_other_sites_and_empty_pages():
    body = _listing_page().replace(b'href="/estados/', b'href="http://otro.example/estados/')
    tree = parse_tree(body)
    text = "\n".join(_HEADLINES)
    assert listing_shape(tree, text, "http://www.diariouno.example/derechos-humanos") is None
    assert listing_shape(parse_tree(_listing_page()), text, "http://www.diariouno.example/derechos-humanos")
    assert listing_shape(None, text, "http://www.diariouno.example/") is None
    assert listing_shape(tree, "", "http://www.diariouno.example/") is None


# --- through extraction -------------------------------------------------------------------

def test_tag_url_is_skipped_before_extraction(registry):
    # an article-looking page (og:type article, long text) served at a tag URL
    url = "http://www.diariouno.example/tag/bordadoras/page/2/"
    result = extract_article(fetched(_article_with_related_box(), url=url), registry)
    assert result == Skip(url, "not_an_article", "página de etiqueta o listado (URL: /tag/bordadoras/page/2/)")


def test_article_url_with_marker_word_in_slug_is_extracted(registry):
    url = "http://www.diariouno.example/seccion/cultura/2023/05/02/bordadoras-del-istmo-exponen-en-merida-123456.html"
    result = extract_article(fetched(_article_with_related_box(), url=url), registry)
    assert not isinstance(result, Skip)
