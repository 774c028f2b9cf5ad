import pytest

from pipelines.registry import RegistryError, load_registry


def test_outlet_found_by_host(registry):
    assert registry.outlet_for_url("https://diariouno.example/x").name == "Diario Uno"
    assert registry.outlet_for_url("http://WWW.DiarioUno.example./y").reach == "local"


def test_unknown_host_is_unclassified_never_guessed(registry):
    outlet = registry.outlet_for_url("http://la-lista.example/noticias/1")
    assert outlet.reach == "unclassified"
    assert outlet.name == "la-lista.example"
    assert not outlet.in_registry


def test_discovery_feeds_read(registry):
    assert [d.url for d in registry.discovery] == ["http://search.example/rss?q=ProDESC"]


@pytest.mark.parametrize("bad, message", [
    ("outlets:\n  - name: X\n    domains: [x.example]\n    reach: regional\n", "es 'regional'; debe ser uno de"),
    ("outlets:\n  - name: X\n    reach: local\n", "necesita al menos un dominio"),
    ("outlets:\n  - domains: [x.example]\n    reach: local\n", "necesita un 'name'"),
    ("outlets:\n  - name: X\n    domains: [a.example]\n    reach: local\n"
     "  - name: Y\n    domains: [a.example]\n    reach: local\n", "ya lo usa el medio 'X'"),
    ("outlets: [\n", "no es YAML válido"),
])
def test_clear_errors(tmp_path, bad, message):
    path = tmp_path / "sources.yaml"
    path.write_text(bad)
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_domain_with_path_for_groups_sharing_a_host(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("outlets:\n"
                    "  - name: El Sol de México\n    domains: [oem.example/elsoldemexico]\n    reach: national\n"
                    "  - name: El Sol de Tlaxcala\n    domains: [oem.example/elsoldetlaxcala]\n    reach: local\n")
    registry = load_registry(path)
    assert registry.outlet_for_url("https://oem.example/elsoldetlaxcala/local/nota-123").name == "El Sol de Tlaxcala"
    assert registry.outlet_for_url("https://oem.example/ElSolDeMexico/nota").reach == "national"
    assert registry.outlet_for_url("https://oem.example/otro/nota").reach == "unclassified"


# ---------------------------------------------------------------------------- appending an outlet (review desk)

COMMENTED = """\
# =====================================================================
#  The outlets we follow  (a header the communications team wrote)
# =====================================================================
outlets:
  # --- Yucatán ---
  - name: Diario Uno            # the main paper
    domains: [www.diariouno.example, diariouno.example]
    reach: local
    region: "Yucatán"
    language: es
    feeds: ["http://www.diariouno.example/feed/?type=rss&x=1"]   # unverified
    sitemaps: []

  # --- national ---
  - name: Nacional Dos
    domains: [nacionaldos.example]
    reach: national
    region: ''
    language: es
    feeds: [http://nacionaldos.example/rss.xml]
    sitemaps: []

# ======================================================
#  DISCOVERY - news searches
# ======================================================
discovery:
  - name: Search   # Google News
    url: http://search.example/rss?q=ProDESC
"""


def test_appending_an_outlet_keeps_every_comment_and_the_layout(tmp_path):
    from pipelines.registry import outlet_added

    path = tmp_path / "sources.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    with outlet_added(path, "La Lista", ["la-lista.example"], "national", "", "es",
                      comment="added from the review desk by Ana, 2026-11-30") as registry:
        assert path.read_text(encoding="utf-8") == COMMENTED            # not replaced before the body ends
    assert [o.name for o in registry.outlets] == ["Diario Uno", "Nacional Dos", "La Lista"]
    text = path.read_text(encoding="utf-8")
    at = COMMENTED.index("\n# ======================================================\n#  DISCOVERY")
    head, tail = COMMENTED[:at], COMMENTED[at:]                          # the outlets, and what follows them
    assert text == head + ("  # added from the review desk by Ana, 2026-11-30\n"
                           '  - name: "La Lista"\n'
                           '    domains: ["la-lista.example"]\n'
                           "    reach: national\n"
                           '    region: ""\n'
                           '    language: "es"\n'
                           "    feeds: []\n"
                           "    sitemaps: []\n") + tail                 # every other byte as it was
    registry = load_registry(path)
    assert registry.outlet_for_url("https://la-lista.example/nota").reach == "national"
    assert [d.name for d in registry.discovery] == ["Search"]


def test_a_failed_append_leaves_the_file_as_it_was(tmp_path):
    from pipelines.registry import outlet_added

    path = tmp_path / "sources.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(RegistryError, match=r"sources.yaml.*ya lo usa el medio 'Nacional Dos'"):
        with outlet_added(path, "Otra", ["nacionaldos.example"], "local"):
            pass
    with pytest.raises(RuntimeError):
        with outlet_added(path, "Otra", ["otra.example"], "local"):
            raise RuntimeError("the database refused")                    # e.g. the transaction failed
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert not list(tmp_path.glob("tmp*.yaml"))


def test_registry_text_without_a_following_section():
    import yaml

    from pipelines.registry import registry_with_outlet

    text = "outlets:\n  - name: A\n    domains: [a.example]\n    reach: local\n# trailing comment\n"
    out = registry_with_outlet(text, 'Ñ "quoted"', ["n.example"], "national", "", "es",
                               comment="added from the review desk by Ana\nX, 2026-11-30")
    assert out.startswith(text.rstrip("\n").rsplit("\n", 1)[0])
    assert '  - name: "Ñ \\"quoted\\""' in out and "by Ana X, 2026-11-30" in out
    assert out.endswith("    sitemaps: []\n# trailing comment\n")           # the file's last words stay last
    assert [o["name"] for o in yaml.safe_load(out)["outlets"]] == ["A", 'Ñ "quoted"']


@pytest.mark.parametrize("text, expected_start", [
    ("", "outlets:\n  # note\n  - name: \"X\""),
    ("# only a comment\n", "# only a comment\n\noutlets:\n"),
    ("outlets: []   # none yet\ndiscovery: []\n", "outlets:"),
    ("outlets:\n- name: A\n  domains: [a.example]\n  reach: local\n", "outlets:\n- name: A\n  domains: [a.example]\n"
                                                                      "  reach: local\n# note\n- name: \"X\""),
])
def test_registry_append_in_other_layouts(text, expected_start):
    import yaml

    from pipelines.registry import registry_with_outlet

    out = registry_with_outlet(text, "X", ["x.example"], "local", "Yucatán", "es", comment="note")
    assert out.startswith(expected_start)
    assert yaml.safe_load(out)["outlets"][-1] == {"name": "X", "domains": ["x.example"], "reach": "local",
                                                 "region": "Yucatán", "language": "es", "feeds": [], "sitemaps": []}


def test_an_outlets_list_on_one_line_is_left_to_a_person():
    from pipelines.registry import registry_with_outlet

    with pytest.raises(RegistryError, match="una sola línea"):
        registry_with_outlet("outlets: [{name: A, domains: [a.example], reach: local}]\n", "X", ["x.example"], "local")
