"""Name variants by rule: find a multi-word name written the way reporters write it.

The knowledge base lists each collective's name once or twice, but real articles
write "la Coordinadora Nacional de Defensoras *de los* Derechos Humanos Laborales",
"Coalición de Trabajador*as y Trabajadores* Temporales *Sinaloenses*",
"Conductor*xs* por Juárez", "Colectiva Rosa Luxemburgo". Listing every such form
does not transfer to the next article, so this module matches by rule:

* a name is reduced to its **content stems**: folded words (accents and case
  ignored) without articles and prepositions ("de", "los", "of", "the", "des"...),
  each cut to its first six letters, which makes singular/plural, masculine/
  feminine/inclusive (-os, -as, -es, -xs, -@s) and demonyms ("Sinaloa",
  "sinaloenses") the same stem;
* a candidate is a run of capitalised words and connectors in the article that
  starts with the name's head word ("Coalición", "Coordinadora", "Colectivo"...);
* it is the name when it shares the head and at least three quarters of the
  name's content stems (all of them for a two-word name), in any order, adds
  at most one stem the name lacks per three it shares, and keeps every
  *distinctive* stem: one that is not an everyday word of names (the knowledge
  base's ``common_words``: coalición, asamblea, pueblo, trabajadores...) nor
  shared with another entity's names, and the name's last word. "Asamblea Ciudadana del Pueblo" is not
  "Asamblea Ciudadana del Pueblo de Xoco"; "Trabajadores Temporales
  Sinaloenses" keeps Sinaloa.

Only names of three or more words are matched this way (a two-word name such as
"Unión Hidalgo" has nothing to spare), and never acronyms. A bare head word
("Coalición") is never a name: it has one stem out of several.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from .textnorm import fold

# Words that join a name's content words; a name may gain or lose them ("de los").
CONNECTORS = frozenset("""
de del la las los el lo y e o u para por en a al con sin x
of the and for in on at to with
des du le les et pour en au aux d l
da do dos das em e para com
""".split()) | {"&", "+", "-", "'", "’", "/"}

STEM = 6
MAX_SPAN = 16        # tokens: the longest name in the knowledge base has 12 words


def stem(word: str) -> str:
    """The first six letters of the folded word, without its inclusive-plural mark."""
    w = fold(word).rstrip("@")
    if w.endswith("xs") and len(w) > 4:
        w = w[:-2]
    return w[:STEM]


def content_stems(text: str) -> tuple[str, ...]:
    words = "".join(c if c.isalnum() or c in "@'" else " " for c in text).split()
    return tuple(stem(w) for w in words if fold(w) not in CONNECTORS and not w.isdigit())


@dataclass(frozen=True)
class _Target:
    stems: tuple[str, ...]     # content stems in order; stems[0] is the head
    payload: object            # what the caller gets back (entity, alias)
    distinctive: frozenset = frozenset()   # stems a variant must keep


@dataclass(frozen=True)
class VariantHit:
    start: int                 # token span in the doc
    end: int
    payload: object
    coverage: float            # share of the name's stems found


class VariantMatcher:
    """Multi-word names matched by their content stems (see the module docstring)."""

    def __init__(self):
        self._by_head: dict[str, list[_Target]] = {}
        self._vocab_by_head: dict[str, set[str]] = {}

    def add(self, text: str, payload: object, common: frozenset | set = frozenset()) -> None:
        """Register a name; ``common`` holds the stems that are not distinctive."""
        stems = content_stems(text)
        if len(stems) < 3 and len(text.split()) < 3:
            return
        if len(stems) < 2:
            return
        # the last word too: English and French put the kind of body there ("... Rights
        # Project" is not "... Rights Group"), Spanish the place ("... de Sinaloa")
        distinctive = frozenset(s for s in stems if s not in common) | {stems[-1]}
        self._by_head.setdefault(stems[0], []).append(_Target(stems, payload, distinctive))
        self._vocab_by_head.setdefault(stems[0], set()).update(stems)

    def anchors(self) -> list[tuple[str, ...]]:
        """Per name, the stems every match needs: the head and each distinctive stem
        start words of the run (nlp/prefilter.py)."""
        return [(t.stems[0], *sorted(t.distinctive)) for targets in self._by_head.values() for t in targets]

    def __call__(self, doc: Doc) -> list[VariantHit]:
        hits: list[VariantHit] = []
        n = len(doc)
        i = 0
        while i < n:
            tok = doc[i]
            if not (tok.is_title or tok.is_upper) or not tok.is_alpha:   # cheap checks first
                i += 1
                continue
            head = stem(tok.norm_)
            targets = self._by_head.get(head)
            if not targets:
                i += 1
                continue
            vocab = self._vocab_by_head[head]
            # the run: capitalised words, connectors, and lower-case words the names use
            span_stems: list[tuple[int, str]] = [(i, head)]
            j = i + 1
            while j < n and j - i < MAX_SPAN:
                t = doc[j]
                f = fold(t.text)
                if f in CONNECTORS or f == ",":       # "Coalición Laboral, Puteril"
                    j += 1
                    continue
                if not (t.is_alpha or t.text.endswith(("@s", "xs"))):
                    break
                s = stem(t.text)
                if not (t.is_title or t.is_upper or s in vocab):
                    break
                span_stems.append((j, s))
                j += 1
            best = self._best(span_stems, targets)
            if best is not None:
                end, target, coverage = best
                hits.append(VariantHit(i, end, target.payload, coverage))
                i = end
            else:
                i += 1
        return hits

    @staticmethod
    def _best(span: list[tuple[int, str]], targets: list[_Target]):
        """The name that the shortest prefix of the run matches best, if any matches."""
        best = None
        for t in targets:
            need = set(t.stems)
            required = len(need) if len(need) <= 2 else max(2, -(-3 * len(need) // 4))
            seen: set[str] = set()
            extra = 0
            for k, (tok_i, s) in enumerate(span):
                if s in need:
                    seen.add(s)
                else:
                    extra += 1
                if len(seen) >= required and extra * 3 <= len(seen) and t.distinctive <= seen:
                    # extend while the following stems still belong to the name
                    end_k = k
                    for k2 in range(k + 1, len(span)):
                        if span[k2][1] in need:
                            seen.add(span[k2][1])
                            end_k = k2
                        else:
                            break
                    coverage = len(seen) / len(need)
                    cand = (span[end_k][0] + 1, t, coverage)
                    if best is None or (coverage, cand[0]) > (best[2], best[0]):
                        best = cand
                    break
        return best
