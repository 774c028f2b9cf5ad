"""The tokenizer without spaCy's exceptions for plain whitespace: same tokens, and a cache that works.

spaCy stops caching a text's chunks after the first exception it meets (spaCy #1250); its
exceptions for "\\n", "\\t" and " " met one at every article's first line break."""
from __future__ import annotations

import pytest
import spacy

from nlp.pipelines import _customise_tokenizer, get_pipeline

TEXTS = [
    "Unión Hidalgo denunció el parque eólico.\nLa comunidad zapoteca,\tcon ProDESC-A.C., acudió al juez.\n\n"
    "EE.UU. y la Sra. Ancheita (ProDESC) hablaron a las 10 a.m. en prodesc.org.mx :) #ProDESC @ProDESC_AC",
    "Línea uno\n  \n\tLínea\u00a0dos  con   espacios\r\nfin.\n",
    "Title\n\nBy Jane Doe | May 2, 2024\nThe Mexico City office said...\n\t- item\n- item",
    "\n\n\t ",
]


def _stock(lang: str):
    """The same pipeline with spaCy's own exception list left whole."""
    nlp = spacy.blank(lang)
    rules = nlp.tokenizer.rules
    _customise_tokenizer(nlp)
    nlp.tokenizer.rules = rules
    nlp.add_pipe("fold_norm")
    return nlp


@pytest.mark.parametrize("lang", ["es", "en", "fr", "pt"])
def test_plain_whitespace_exceptions_are_gone_and_tokens_are_the_same(lang):
    ours, stock = get_pipeline(lang), _stock(lang)
    assert not {"\n", "\t", " "} & set(ours.tokenizer.rules)
    assert "\u00a0" in ours.tokenizer.rules          # that one also sets NORM: kept
    for text in TEXTS:
        a, b = ours(text), stock(text)
        assert [(t.text, t.idx, t.whitespace_, t.norm_, t.lemma_) for t in a] == \
               [(t.text, t.idx, t.whitespace_, t.norm_, t.lemma_) for t in b]
