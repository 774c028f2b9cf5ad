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
