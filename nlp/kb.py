"""Load and validate the knowledge base (``nlp/knowledge_base.yaml``).

The communications team edits the YAML file by hand, so every mistake must be
reported in words they can act on: the file, the line and the entry at fault.
The YAML is read with a loader that remembers the line of every mapping, list
and string (``nlp/kbfile.py``); validation then walks the data and raises
:class:`KnowledgeBaseError` with ``path:line: message``.

All disambiguation knowledge lives in the file (names, ambiguous names,
acronyms, context cues with weights, look-alikes); this module only turns it
into plain frozen dataclasses that the matcher and the scorer consume.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pipelines.vocabulary import PROCESS_THEMES, THEMES, Theme

from .kbfile import KnowledgeBaseError, LineDict, Validator, line_of, read_kb_file

__all__ = ["DEFAULT_KB_PATH", "Alias", "Cue", "Entity", "KnowledgeBase", "KnowledgeBaseError", "LookAlikeName",
           "VocabularyClass", "load_kb"]

DEFAULT_KB_PATH = Path(__file__).with_name("knowledge_base.yaml")

KINDS = ("organisation", "person", "process")


# --- The data model ---------------------------------------------------------

@dataclass(frozen=True)
class Alias:
    """One way of writing an entity's name.

    ``ambiguous`` aliases need context in the article; ``case_sensitive``
    ones (acronyms) match only with exactly these capitals; ``threshold``
    overrides the entity's context threshold for this alias only.
    """
    text: str
    ambiguous: bool
    case_sensitive: bool
    threshold: float | None
    line: int
    requires: tuple[str, ...] = ()   # at least one of these must be in the article
    counterpart: bool = False        # the company or project the case is against: evidence, never marked as the case


@dataclass(frozen=True)
class Cue:
    """A context word or phrase; its weight is added once per article if present.

    A phrase ending in ``*`` (one word only) matches any word starting with it.
    Negative weights are look-alikes (``label`` says which kind).
    """
    phrase: str
    weight: float
    label: str | None
    line: int
    group: str = ""                  # cues of one group share ``cap``
    cap: float | None = None         # most the group adds (or, if negative, takes away)

    @property
    def is_prefix(self) -> bool:
        return self.phrase.endswith("*")


@dataclass(frozen=True)
class LookAlikeName:
    """A name that looks like the entity's but is somebody else (e.g. Centro Prodh)."""
    text: str
    label: str
    line: int


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    name: str
    theme: str
    aliases: tuple[Alias, ...]
    cues: tuple[Cue, ...]
    look_alike_names: tuple[LookAlikeName, ...]
    threshold: float
    given_names: tuple[str, ...]      # persons: first names that may precede the surname
    supports_others: bool             # naming it supports ambiguous names of every process
    line: int
    label_ids: tuple[str, ...] = ()   # the ids labelled corpora use for it (training)
    name_en: str = ""                 # the name in English reports; `name` is the Spanish one

    def display_name(self, lang: str) -> str:
        """The name reports print in `lang` ('es' or 'en'): Spanish unless English is asked for."""
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class KnowledgeBase:
    path: str
    version: str                      # sha256 of the file content, first 12 hex digits
    entities: tuple[Entity, ...]
    organisation_support: float
    same_entity_support: float
    honorifics: tuple[str, ...]
    common_words: tuple[str, ...] = ()   # never a name on their own ("Coalición", "Colectivo")
    vocabulary: tuple["VocabularyClass", ...] = ()   # word classes the learned model reads
    by_id: dict = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def _folded_common_words(self) -> frozenset[str]:
        from .textnorm import fold
        return frozenset(fold(w) for w in self.common_words)

    def is_common_word(self, text: str) -> bool:
        """A bare everyday word of names: it may refer back to a name, never stand for one."""
        from .textnorm import fold
        return " " not in text.strip() and fold(text.strip()) in self._folded_common_words


@dataclass(frozen=True)
class VocabularyClass:
    """A class of words shared by all processes (legal action, organising...) or typical
    of the look-alike stories (tourism, earnings...). The learned model weighs how many
    of them an article uses; the rules do not read them."""
    name: str
    kind: str                         # topic | lookalike
    phrases: tuple[str, ...]
    line: int


_ENTITY_KEYS = {"id", "kind", "name", "theme", "names", "ambiguous_names", "acronyms",
                "ambiguous_acronyms", "context", "look_alikes", "look_alike_names",
                "threshold", "given_names", "supports_others", "note", "label_ids", "name_en"}
VOCABULARY_KINDS = ("topic", "lookalike")


def _parse_vocabulary(v: Validator, raw: Any) -> tuple[VocabularyClass, ...]:
    out: list[VocabularyClass] = []
    if raw is None:
        return ()
    raw = v.mapping(raw, "vocabulary", 1)
    for name, spec in raw.items():
        who = f"vocabulary, clase {name!r}"
        spec = v.mapping(spec, who, line_of(raw))
        v.keys(spec, {"kind", "phrases", "note"}, who)
        kind = v.text(spec.get("kind"), f"{who}, clave kind", line_of(spec))
        if kind not in VOCABULARY_KINDS:
            v.fail(line_of(spec), f"{who}: el tipo (kind) {kind!r} no es uno de {', '.join(VOCABULARY_KINDS)}")
        phrases = tuple(v.text(p, f"{who}, un elemento de phrases", line_of(spec))
                        for p in v.seq(spec.get("phrases"), f"{who}, clave phrases", line_of(spec)))
        if not phrases:
            v.fail(line_of(spec), f"{who}: no tiene frases (phrases)")
        out.append(VocabularyClass(str(name), kind, phrases, line_of(spec)))
    return tuple(out)


def _parse_aliases(v: Validator, ent: dict, eid: str) -> list[Alias]:
    out: list[Alias] = []
    spec = (("names", False, False), ("ambiguous_names", True, False),
            ("acronyms", False, True), ("ambiguous_acronyms", True, True))
    who = f"entidad {eid!r}"
    for key, ambiguous, case_sensitive in spec:
        for item in v.seq(ent.get(key), f"{who}, clave {key}", line_of(ent)):
            threshold = None
            requires: tuple[str, ...] = ()
            if isinstance(item, dict):
                v.keys(item, {"text", "threshold", "requires", "note", "counterpart"}, f"{who}, un elemento de {key}")
                if "text" not in item:
                    v.fail(line_of(item), f"{who}: un elemento de {key} necesita 'text'")
                text = v.text(item["text"], f"{who}, text de un elemento de {key}", line_of(item))
                if "threshold" in item:
                    threshold = v.number(item["threshold"], f"{who}, threshold de {text!r}",
                                         line_of(item))
                if "requires" in item:
                    if not ambiguous:
                        v.fail(line_of(item), f"{who}: 'requires' solo se aplica a los nombres ambiguos "
                                            f"(pase {text!r} a ambiguous_names o ambiguous_acronyms)")
                    requires = tuple(v.text(r, f"{who}, un elemento de requires", line_of(item))
                                     for r in v.seq(item["requires"], f"{who}, requires de {text!r}",
                                                    line_of(item)))
                    if not requires:
                        v.fail(line_of(item), f"{who}: 'requires' de {text!r} está vacío")
                counterpart = item.get("counterpart", False)
                if not isinstance(counterpart, bool):
                    v.fail(line_of(item), f"{who}: counterpart de {text!r} debe ser true o false")
                line = line_of(item)
            else:
                counterpart = False
                text = v.text(item, f"{who}, un elemento de {key}", line_of(ent))
                line = line_of(item, line_of(ent))
            if len(text.replace(".", "").strip()) < 2:   # "X" or "A." would match the letter in every article
                v.fail(line, f"{who}: el nombre {text!r} en {key} tiene una sola letra; un nombre así aparece en "
                             f"cualquier texto: escriba el nombre completo o una sigla de dos letras o más")
            if case_sensitive and " " in text:
                v.fail(line, f"{who}: la sigla {text!r} debe ser una sola palabra "
                             f"(las frases van en 'names' o 'ambiguous_names')")
            out.append(Alias(text, ambiguous, case_sensitive, threshold, line, requires, counterpart))
    return out


def _parse_cue_groups(v: Validator, groups: Any, eid: str, key: str, negative: bool,
                      cue_sets: dict[str, list[Cue]], who: str | None = None) -> list[Cue]:
    """`who` names the owner in errors (default: the entity `eid`)."""
    out: list[Cue] = []
    who = who or f"entidad {eid!r}"
    for gi, g in enumerate(v.seq(groups, f"{who}, clave {key}", 0)):
        g = v.mapping(g, f"{who}, cada grupo de {key}", 0)
        if "use" in g:
            v.keys(g, {"use", "note"}, f"{who}, un grupo de {key}")
            name = v.text(g["use"], f"{who}, use de un grupo de {key}", line_of(g))
            if name not in cue_sets:
                v.fail(line_of(g["use"], line_of(g)), f"{who}: el conjunto {name!r} (use) no existe en cue_sets "
                                                  f"(definidos: {', '.join(sorted(cue_sets)) or 'ninguno'})")
            out.extend(cue_sets[name])
            continue
        v.keys(g, {"weight", "phrases", "label", "max", "note"}, f"{who}, un grupo de {key}")
        if "weight" not in g or "phrases" not in g:
            v.fail(line_of(g), f"{who}: cada grupo de {key} necesita 'weight' y 'phrases'")
        w = v.number(g["weight"], f"{who}, weight de un grupo de {key}", line_of(g))
        if negative and w >= 0:
            v.fail(line_of(g), f"{who}: el peso (weight) de un grupo de {key} debe ser negativo, pero es {w:g}")
        if not negative and w <= 0:
            v.fail(line_of(g), f"{who}: el peso (weight) de un grupo de {key} debe ser positivo, pero es {w:g} "
                             f"(las palabras con peso negativo van en 'look_alikes')")
        cap = None
        if "max" in g:
            cap = v.number(g["max"], f"{who}, max de un grupo de {key}", line_of(g))
            if (cap >= 0) if negative else (cap <= 0):
                v.fail(line_of(g), f"{who}: el 'max' de un grupo de {key} debe ser "
                                 f"{'negativo' if negative else 'positivo'} como su peso, pero es {cap:g}")
        label = None
        if negative:
            if "label" not in g:
                v.fail(line_of(g), f"{who}: cada grupo de {key} necesita un 'label' "
                                 f"(p. ej. tourism), que se muestra como motivo del rechazo")
            label = v.text(g["label"], f"{who}, label de un grupo de {key}", line_of(g))
        for p in v.seq(g["phrases"], f"{who}, phrases de un grupo de {key}", line_of(g)):
            phrase = v.text(p, f"{who}, una frase de un grupo de {key}", line_of(g))
            if "*" in phrase and (not phrase.endswith("*") or " " in phrase or phrase.count("*") > 1
                                  or len(phrase) < 4):
                v.fail(line_of(p, line_of(g)), f"{who}: {phrase!r}: '*' solo se permite al final de una "
                                           f"sola palabra de al menos 3 letras (p. ej. ejid*)")
            out.append(Cue(phrase, w, label, line_of(p, line_of(g)), f"{eid}/{key}/{gi}", cap))
    return out


def _parse_cue_sets(v: Validator, raw: Any) -> dict[str, list[Cue]]:
    sets: dict[str, list[Cue]] = {}
    if raw is None:
        return sets
    raw = v.mapping(raw, "cue_sets", 1)
    for name, groups in raw.items():
        sets[str(name)] = _parse_cue_groups(v, groups, f"cue set {name}", "context", False, {},
                                            who=f"cue_sets, conjunto {str(name)!r}")
    return sets


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Read, validate and return the knowledge base at ``path`` (default: the packaged one)."""
    p = Path(path) if path is not None else DEFAULT_KB_PATH
    data, version, v = read_kb_file(p)
    if not isinstance(data, dict):
        v.fail(1, "el archivo debe empezar con las claves de primer nivel (settings, cue_sets, entities)")
    v.keys(data, {"settings", "cue_sets", "entities", "honorifics", "common_words", "vocabulary"},
           "primer nivel del archivo")

    settings = v.mapping(data.get("settings") or LineDict(), "settings", 1)
    v.keys(settings, {"threshold", "organisation_support", "same_entity_support"}, "settings")
    default_threshold = v.number(settings.get("threshold", 2.0), "settings, clave threshold", line_of(settings))
    org_support = v.number(settings.get("organisation_support", 2.0),
                           "settings, clave organisation_support", line_of(settings))
    same_support = v.number(settings.get("same_entity_support", 2.0),
                            "settings, clave same_entity_support", line_of(settings))
    honorifics = tuple(v.text(h, "un elemento de honorifics", 1)
                       for h in v.seq(data.get("honorifics"), "honorifics", 1))

    cue_sets = _parse_cue_sets(v, data.get("cue_sets"))
    common_words = tuple(v.text(w, "un elemento de common_words", line_of(data.get("common_words"), 1))
                         for w in v.seq(data.get("common_words"), "common_words", 1))
    vocabulary = _parse_vocabulary(v, data.get("vocabulary"))

    entities: list[Entity] = []
    seen_ids: dict[str, int] = {}
    seen_alias: dict[tuple[str, bool], tuple[str, int]] = {}
    from .textnorm import fold  # local import: textnorm has no dependency on kb

    for raw_ent in v.seq(data.get("entities"), "entities", 1):
        ent = v.mapping(raw_ent, "cada entidad de entities", 1)
        eline = line_of(ent)
        eid_hint = ent.get("id", "?")
        v.keys(ent, _ENTITY_KEYS, f"entidad {eid_hint!r}")
        for req in ("id", "kind", "name", "theme"):
            if req not in ent:
                v.fail(eline, f"entidad {eid_hint!r}: falta la clave '{req}'")
        eid = v.text(ent["id"], "el id de una entidad", eline)
        if not eid.replace("_", "").isalnum() or eid != eid.lower():
            v.fail(line_of(ent["id"], eline), f"el id de entidad {eid!r} solo puede tener letras minúsculas, "
                                              f"dígitos y '_'")
        if eid in seen_ids:
            v.fail(line_of(ent["id"], eline), f"el id de entidad {eid!r} se usa dos veces "
                                              f"(la primera vez en la línea {seen_ids[eid]})")
        seen_ids[eid] = line_of(ent["id"], eline)
        who = f"entidad {eid!r}"
        kind = v.text(ent["kind"], f"{who}, clave kind", eline)
        if kind not in KINDS:
            v.fail(line_of(ent["kind"], eline), f"{who}: el tipo (kind) {kind!r} no es uno de {', '.join(KINDS)}")
        theme = v.text(ent["theme"], f"{who}, clave theme", eline)
        if theme not in THEMES:
            v.fail(line_of(ent["theme"], eline), f"{who}: el tema (theme) {theme!r} no es uno de {', '.join(THEMES)}")
        if kind == "process" and theme not in PROCESS_THEMES:
            v.fail(line_of(ent["theme"], eline), f"{who}: un proceso (process) necesita un tema (theme) "
                                               f"entre {', '.join(PROCESS_THEMES)}, pero tiene {theme!r}")
        if kind != "process" and theme != Theme.INSTITUTIONAL:
            v.fail(line_of(ent["theme"], eline), f"{who}: {'una persona' if kind == 'person' else 'una organización'} "
                                               f"({kind}) lleva el tema (theme) 'institutional', pero tiene {theme!r}")
        name = v.text(ent["name"], f"{who}, clave name", eline)
        name_en = v.text(ent["name_en"], f"{who}, clave name_en", eline) if "name_en" in ent else name
        aliases = _parse_aliases(v, ent, eid)
        if not aliases:
            v.fail(eline, f"{who}: no tiene ningún nombre (names, ambiguous_names, acronyms "
                          f"ni ambiguous_acronyms)")
        for a in aliases:
            key = (a.text if a.case_sensitive else fold(a.text), a.case_sensitive)
            if key in seen_alias and seen_alias[key][0] != eid:
                other, oline = seen_alias[key]
                v.fail(a.line, f"{who}: el nombre {a.text!r} ya pertenece a la entidad "
                               f"{other!r} (línea {oline})")
            seen_alias.setdefault(key, (eid, a.line))
        cues = _parse_cue_groups(v, ent.get("context"), eid, "context", False, cue_sets)
        cues += _parse_cue_groups(v, ent.get("look_alikes"), eid, "look_alikes", True, cue_sets)
        lans: list[LookAlikeName] = []
        for item in v.seq(ent.get("look_alike_names"), f"{who}, clave look_alike_names", eline):
            item = v.mapping(item, f"{who}, cada elemento de look_alike_names", eline)
            v.keys(item, {"text", "label", "note"}, f"{who}, un elemento de look_alike_names")
            if "text" not in item or "label" not in item:
                v.fail(line_of(item), f"{who}: cada elemento de look_alike_names necesita 'text' y 'label'")
            lans.append(LookAlikeName(v.text(item["text"], f"{who}, text de look_alike_names", line_of(item)),
                                      v.text(item["label"], f"{who}, label de look_alike_names", line_of(item)),
                                      line_of(item)))
        threshold = (v.number(ent["threshold"], f"{who}, clave threshold", eline)
                     if "threshold" in ent else default_threshold)
        given = tuple(v.text(g, f"{who}, un elemento de given_names", eline)
                      for g in v.seq(ent.get("given_names"), f"{who}, clave given_names", eline))
        if given and kind != "person":
            v.fail(eline, f"{who}: given_names solo tiene sentido para una persona (kind: person)")
        supports = ent.get("supports_others", kind != "process")
        if not isinstance(supports, bool):
            v.fail(eline, f"{who}: supports_others debe ser true o false")
        label_ids = tuple(v.text(x, f"{who}, un elemento de label_ids", eline)
                          for x in v.seq(ent.get("label_ids"), f"{who}, clave label_ids", eline))
        entities.append(Entity(eid, kind, name, theme, tuple(aliases), tuple(cues), tuple(lans),
                               threshold, given, supports, eline, label_ids, name_en))
    if not entities:
        v.fail(1, "no hay ninguna entidad (la lista 'entities' está vacía o falta)")
    kb = KnowledgeBase(str(p), version, tuple(entities), org_support, same_support, honorifics,
                       common_words, vocabulary)
    kb.by_id.update({e.id: e for e in entities})
    return kb


def entity_rows(kb: KnowledgeBase) -> list[dict]:
    """The warehouse's `entities` rows: id, name (Spanish), name_en, kind, theme, aliases."""
    return [{"id": e.id, "name": e.name, "name_en": e.name_en, "kind": e.kind, "theme": e.theme,
             "aliases": [a.text for a in e.aliases]} for e in kb.entities]
