"""`prodesc-monitor train` on a small invented labelled corpus: it reads the recorded
web through the crawl's extraction, cross-validates by article, and writes the same
model file twice from the same labels."""
from __future__ import annotations

import json
from pathlib import Path

from flows.cli import main
from flows.labelled import from_corpus
from flows.training import folds_of, train

POSITIVE = ("Vecinos de Xoco {n} contra Mítikah",
            "Vecinos del pueblo de Xoco protestaron frente a Mítikah; denuncian despojo de agua y un juez "
            "concedió la suspensión del amparo que promovieron. La asamblea exigió consulta. Caso {n}.")
NEGATIVE = ("Mítikah abre tiendas {n}",
            "El centro comercial Mítikah, junto a Xoco, inauguró tiendas, restaurantes y cine; las compras "
            "de temporada y el Buen Fin atraen consumidores. Nota {n}.")


def _page(title: str, text: str) -> str:
    body = "".join(f"<p>{text} {i}</p>" for i in range(3))
    return (f"<html><head><title>{title}</title><meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='2023-05-02T10:00:00-06:00'></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def make_corpus(root: Path, n: int = 6) -> Path:
    corpus = root / "mini"
    (corpus / "web" / "files").mkdir(parents=True)
    index, labels = [], []
    for i in range(n):
        for kind, (title, text) in (("pos", POSITIVE), ("neg", NEGATIVE)):
            url = f"http://diario.test/nota-{kind}-{i}"
            name = f"files/{kind}{i}"
            (corpus / "web" / name).write_text(_page(title.format(n=i), text.format(n=i)), encoding="utf-8")
            index.append({"url": url, "status": 200, "headers": {"Content-Type": "text/html; charset=utf-8"},
                          "file": name})
            labels.append({"url": url, "counted": kind == "pos", "theme": "land_territory" if kind == "pos" else None,
                           "process": "xoco" if kind == "pos" else None})
    (corpus / "web" / "index.json").write_text(json.dumps(index))
    (corpus / "labels.jsonl").write_text("\n".join(json.dumps(x) for x in labels) + "\n")
    (corpus / "sources.yaml").write_text(
        "outlets:\n  - name: Diario\n    domains: [diario.test]\n    reach: national\n    language: es\n"
        "    feeds: []\n", encoding="utf-8")
    return corpus


def test_labelled_articles_come_through_the_crawls_extraction(tmp_path):
    arts = from_corpus(make_corpus(tmp_path, 3))
    assert len(arts) == 6 and sum(a.counted for a in arts) == 3
    assert all("Xoco" in a.text or "Mítikah" in a.text for a in arts)


def test_folds_hold_out_every_article_once_and_stratify():
    arts = [type("A", (), {"source": "s", "counted": i % 2 == 0})() for i in range(20)]
    folds = folds_of(arts, 5)
    assert sorted(i for f in folds for i in f) == list(range(20))
    assert all(sum(arts[i].counted for i in f) == 2 for f in folds)


def test_train_is_reproducible_and_reports_folds(tmp_path):
    arts = from_corpus(make_corpus(tmp_path, 6))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    ra = train(arts, out=a, folds=3, force=True, say=lambda s: None)
    rb = train(arts, out=b, folds=3, force=True, say=lambda s: None)
    assert ra.shipped and a.read_bytes() == b.read_bytes()
    assert len(ra.folds) == 3 and sum(f["articles"] for f in ra.folds) == len(arts)
    assert ra.pairs == len(arts)            # one (article, Xoco) pair per article
    meta = json.loads(a.read_text())["meta"]
    assert meta["cv_rules"] and meta["cv_model"] and meta["seed"]


def test_train_command_keeps_the_rules_when_the_model_does_not_win(tmp_path, capsys):
    corpus = make_corpus(tmp_path, 4)
    out = tmp_path / "model.json"
    out.write_text("{}")
    report = tmp_path / "report.json"
    assert main(["train", "--corpus", str(corpus), "--out", str(out), "--folds", "2", "--json", str(report)]) == 0
    said = capsys.readouterr().out
    assert "Validación cruzada (2 pliegues" in said
    data = json.loads(report.read_text())
    if data["shipped"]:
        assert json.loads(out.read_text())["features"]
    else:   # the rules already get these right: the old model file is removed, and it says so
        assert not out.exists() and "deciden las reglas" in said
