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
    ("outlets:\n  - name: X\n    domains: [x.example]\n    reach: regional\n", "reach is 'regional'"),
    ("outlets:\n  - name: X\n    reach: local\n", "needs at least one domain"),
    ("outlets:\n  - domains: [x.example]\n    reach: local\n", "needs a 'name'"),
    ("outlets:\n  - name: X\n    domains: [a.example]\n    reach: local\n"
     "  - name: Y\n    domains: [a.example]\n    reach: local\n", "already used by outlet 'X'"),
    ("outlets: [\n", "not valid YAML"),
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
