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
        spec = v.mapping(spec, f"vocabulary {name!r}", line_of(raw))
        v.keys(spec, {"kind", "phrases", "note"}, f"vocabulary {name!r}")
        kind = v.text(spec.get("kind"), f"vocabulary {name!r}: kind", line_of(spec))
        if kind not in VOCABULARY_KINDS:
            v.fail(line_of(spec), f"vocabulary {name!r}: kind {kind!r} is not one of {', '.join(VOCABULARY_KINDS)}")
        phrases = tuple(v.text(p, f"vocabulary {name!r}: phrase", line_of(spec))
                        for p in v.seq(spec.get("phrases"), f"vocabulary {name!r}: phrases", line_of(spec)))
        if not phrases:
            v.fail(line_of(spec), f"vocabulary {name!r} has no phrases")
        out.append(VocabularyClass(str(name), kind, phrases, line_of(spec)))
    return tuple(out)


def _parse_aliases(v: Validator, ent: dict, eid: str) -> list[Alias]:
    out: list[Alias] = []
    spec = (("names", False, False), ("ambiguous_names", True, False),
            ("acronyms", False, True), ("ambiguous_acronyms", True, True))
    for key, ambiguous, case_sensitive in spec:
        for item in v.seq(ent.get(key), f"entity {eid!r}: {key}", line_of(ent)):
            threshold = None
            requires: tuple[str, ...] = ()
            if isinstance(item, dict):
                v.keys(item, {"text", "threshold", "requires", "note"}, f"entity {eid!r}: {key} item")
                if "text" not in item:
                    v.fail(line_of(item), f"entity {eid!r}: {key} item needs a 'text'")
                text = v.text(item["text"], f"entity {eid!r}: {key} text", line_of(item))
                if "threshold" in item:
                    threshold = v.number(item["threshold"], f"entity {eid!r}: threshold of {text!r}",
                                         line_of(item))
                if "requires" in item:
                    if not ambiguous:
                        v.fail(line_of(item), f"entity {eid!r}: 'requires' only applies to ambiguous names "
                                            f"(move {text!r} to ambiguous_names or ambiguous_acronyms)")
                    requires = tuple(v.text(r, f"entity {eid!r}: requires item", line_of(item))
                                     for r in v.seq(item["requires"], f"entity {eid!r}: requires",
                                                    line_of(item)))
                    if not requires:
                        v.fail(line_of(item), f"entity {eid!r}: 'requires' of {text!r} is empty")
                line = line_of(item)
            else:
                text = v.text(item, f"entity {eid!r}: {key} item", line_of(ent))
                line = line_of(item, line_of(ent))
            if case_sensitive and " " in text:
                v.fail(line, f"entity {eid!r}: acronym {text!r} must be one word "
                             f"(put phrases under 'names' or 'ambiguous_names')")
            out.append(Alias(text, ambiguous, case_sensitive, threshold, line, requires))
    return out


def _parse_cue_groups(v: Validator, groups: Any, eid: str, key: str, negative: bool,
                      cue_sets: dict[str, list[Cue]]) -> list[Cue]:
    out: list[Cue] = []
    for gi, g in enumerate(v.seq(groups, f"entity {eid!r}: {key}", 0)):
        g = v.mapping(g, f"entity {eid!r}: each '{key}' group", 0)
        if "use" in g:
            v.keys(g, {"use", "note"}, f"entity {eid!r}: {key} group")
            name = v.text(g["use"], f"entity {eid!r}: {key} 'use'", line_of(g))
            if name not in cue_sets:
                v.fail(line_of(g["use"], line_of(g)), f"entity {eid!r}: unknown cue set {name!r} "
                                                  f"(defined: {', '.join(sorted(cue_sets)) or 'none'})")
            out.extend(cue_sets[name])
            continue
        v.keys(g, {"weight", "phrases", "label", "max", "note"}, f"entity {eid!r}: {key} group")
        if "weight" not in g or "phrases" not in g:
            v.fail(line_of(g), f"entity {eid!r}: each '{key}' group needs 'weight' and 'phrases'")
        w = v.number(g["weight"], f"entity {eid!r}: {key} weight", line_of(g))
        if negative and w >= 0:
            v.fail(line_of(g), f"entity {eid!r}: look-alike weight must be negative, got {w}")
        if not negative and w <= 0:
            v.fail(line_of(g), f"entity {eid!r}: context weight must be positive, got {w} "
                             f"(put negative cues under 'look_alikes')")
        cap = None
        if "max" in g:
            cap = v.number(g["max"], f"entity {eid!r}: {key} max", line_of(g))
            if (cap >= 0) if negative else (cap <= 0):
                v.fail(line_of(g), f"entity {eid!r}: 'max' of a {key} group must be "
                                 f"{'negative' if negative else 'positive'} like its weight, got {cap}")
        label = None
        if negative:
            if "label" not in g:
                v.fail(line_of(g), f"entity {eid!r}: each look-alike group needs a 'label' "
                                 f"(e.g. tourism), shown as the reason for rejecting")
            label = v.text(g["label"], f"entity {eid!r}: look-alike label", line_of(g))
        for p in v.seq(g["phrases"], f"entity {eid!r}: {key} phrases", line_of(g)):
            phrase = v.text(p, f"entity {eid!r}: {key} phrase", line_of(g))
            if "*" in phrase and (not phrase.endswith("*") or " " in phrase or phrase.count("*") > 1
                                  or len(phrase) < 4):
                v.fail(line_of(p, line_of(g)), f"entity {eid!r}: {phrase!r}: '*' is only allowed at the "
                                           f"end of a single word of at least 3 letters (e.g. ejid*)")
            out.append(Cue(phrase, w, label, line_of(p, line_of(g)), f"{eid}/{key}/{gi}", cap))
    return out


def _parse_cue_sets(v: Validator, raw: Any) -> dict[str, list[Cue]]:
    sets: dict[str, list[Cue]] = {}
    if raw is None:
        return sets
    raw = v.mapping(raw, "cue_sets", 1)
    for name, groups in raw.items():
        sets[str(name)] = _parse_cue_groups(v, groups, f"cue set {name}", "context", False, {})
    return sets


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Read, validate and return the knowledge base at ``path`` (default: the packaged one)."""
    p = Path(path) if path is not None else DEFAULT_KB_PATH
    data, version, v = read_kb_file(p)
    if not isinstance(data, dict):
        v.fail(1, "the file must start with top-level keys (settings, cue_sets, entities)")
    v.keys(data, {"settings", "cue_sets", "entities", "honorifics", "common_words", "vocabulary"}, "top level")

    settings = v.mapping(data.get("settings") or LineDict(), "settings", 1)
    v.keys(settings, {"threshold", "organisation_support", "same_entity_support"}, "settings")
    default_threshold = v.number(settings.get("threshold", 2.0), "settings: threshold", line_of(settings))
    org_support = v.number(settings.get("organisation_support", 2.0),
                           "settings: organisation_support", line_of(settings))
    same_support = v.number(settings.get("same_entity_support", 2.0),
                            "settings: same_entity_support", line_of(settings))
    honorifics = tuple(v.text(h, "honorifics item", 1)
                       for h in v.seq(data.get("honorifics"), "honorifics", 1))

    cue_sets = _parse_cue_sets(v, data.get("cue_sets"))
    common_words = tuple(v.text(w, "common_words item", line_of(data.get("common_words"), 1))
                         for w in v.seq(data.get("common_words"), "common_words", 1))
    vocabulary = _parse_vocabulary(v, data.get("vocabulary"))

    entities: list[Entity] = []
    seen_ids: dict[str, int] = {}
    seen_alias: dict[tuple[str, bool], tuple[str, int]] = {}
    from .textnorm import fold  # local import: textnorm has no dependency on kb

    for raw_ent in v.seq(data.get("entities"), "entities", 1):
        ent = v.mapping(raw_ent, "each entity", 1)
        eline = line_of(ent)
        eid_hint = ent.get("id", "?")
        v.keys(ent, _ENTITY_KEYS, f"entity {eid_hint!r}")
        for req in ("id", "kind", "name", "theme"):
            if req not in ent:
                v.fail(eline, f"entity {eid_hint!r} is missing '{req}'")
        eid = v.text(ent["id"], "entity id", eline)
        if not eid.replace("_", "").isalnum() or eid != eid.lower():
            v.fail(line_of(ent["id"], eline), f"entity id {eid!r} must be lower-case letters, digits, '_'")
        if eid in seen_ids:
            v.fail(line_of(ent["id"], eline), f"entity id {eid!r} is used twice (first on line {seen_ids[eid]})")
        seen_ids[eid] = line_of(ent["id"], eline)
        kind = v.text(ent["kind"], f"entity {eid!r}: kind", eline)
        if kind not in KINDS:
            v.fail(line_of(ent["kind"], eline), f"entity {eid!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
        theme = v.text(ent["theme"], f"entity {eid!r}: theme", eline)
        if theme not in THEMES:
            v.fail(line_of(ent["theme"], eline), f"entity {eid!r}: theme {theme!r} is not one of {', '.join(THEMES)}")
        if kind == "process" and theme not in PROCESS_THEMES:
            v.fail(line_of(ent["theme"], eline), f"entity {eid!r}: a process needs theme "
                                               f"{'|'.join(PROCESS_THEMES)}, got {theme!r}")
        if kind != "process" and theme != Theme.INSTITUTIONAL:
            v.fail(line_of(ent["theme"], eline), f"entity {eid!r}: an {kind} has theme 'institutional'")
        name = v.text(ent["name"], f"entity {eid!r}: name", eline)
        name_en = v.text(ent["name_en"], f"entity {eid!r}: name_en", eline) if "name_en" in ent else name
        aliases = _parse_aliases(v, ent, eid)
        if not aliases:
            v.fail(eline, f"entity {eid!r} has no names, ambiguous_names or acronyms")
        for a in aliases:
            key = (a.text if a.case_sensitive else fold(a.text), a.case_sensitive)
            if key in seen_alias and seen_alias[key][0] != eid:
                other, oline = seen_alias[key]
                v.fail(a.line, f"entity {eid!r}: name {a.text!r} already belongs to entity "
                               f"{other!r} (line {oline})")
            seen_alias.setdefault(key, (eid, a.line))
        cues = _parse_cue_groups(v, ent.get("context"), eid, "context", False, cue_sets)
        cues += _parse_cue_groups(v, ent.get("look_alikes"), eid, "look_alikes", True, cue_sets)
        lans: list[LookAlikeName] = []
        for item in v.seq(ent.get("look_alike_names"), f"entity {eid!r}: look_alike_names", eline):
            item = v.mapping(item, f"entity {eid!r}: each look_alike_names item", eline)
            v.keys(item, {"text", "label", "note"}, f"entity {eid!r}: look_alike_names item")
            if "text" not in item or "label" not in item:
                v.fail(line_of(item), f"entity {eid!r}: look_alike_names items need 'text' and 'label'")
            lans.append(LookAlikeName(v.text(item["text"], "look-alike text", line_of(item)),
                                      v.text(item["label"], "look-alike label", line_of(item)),
                                      line_of(item)))
        threshold = (v.number(ent["threshold"], f"entity {eid!r}: threshold", eline)
                     if "threshold" in ent else default_threshold)
        given = tuple(v.text(g, f"entity {eid!r}: given_names item", eline)
                      for g in v.seq(ent.get("given_names"), f"entity {eid!r}: given_names", eline))
        if given and kind != "person":
            v.fail(eline, f"entity {eid!r}: given_names only makes sense for a person")
        supports = ent.get("supports_others", kind != "process")
        if not isinstance(supports, bool):
            v.fail(eline, f"entity {eid!r}: supports_others must be true or false")
        label_ids = tuple(v.text(x, f"entity {eid!r}: label_ids item", eline)
                          for x in v.seq(ent.get("label_ids"), f"entity {eid!r}: label_ids", eline))
        entities.append(Entity(eid, kind, name, theme, tuple(aliases), tuple(cues), tuple(lans),
                               threshold, given, supports, eline, label_ids, name_en))
    if not entities:
        v.fail(1, "no entities defined")
    kb = KnowledgeBase(str(p), version, tuple(entities), org_support, same_support, honorifics,
                       common_words, vocabulary)
    kb.by_id.update({e.id: e for e in entities})
    return kb
