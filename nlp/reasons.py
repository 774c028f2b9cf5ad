"""Why a candidate name was accepted or rejected: a code analysts group by, and the
same reason in words, in Spanish (what the review desk shows) and in English.

The code is a short enumerated value stored with every mention row
(`mentions.reason_code`); the texts are built from the same evidence (the cue
words found, the score, the model's probability), so a reviewer reads exactly what
the tagger weighed.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ReasonCode(str, Enum):
    """Every reason a mention can have; `ACCEPTED_CODES` are the ones that count."""
    UNAMBIGUOUS_NAME = "unambiguous_name"      # a name that means only this entity
    NAME_VARIANT = "name_variant"              # such a name written otherwise (nlp/variants.py)
    ACRONYM = "acronym"                        # an exact-capitals acronym
    BYLINE = "byline"                          # signed by ProDESC or its director
    SAME_ENTITY = "same_entity"                # ambiguous, but the article names it unambiguously too
    CONTEXT = "context"                        # ambiguous, and the article is about it (cues / model)
    LOOKALIKE_NAME = "lookalike_name"          # another organisation's or person's name
    OTHER_PERSON = "other_person"              # same surname, another first name
    MISSING_REQUIRED = "missing_required"      # the name needs a word the article lacks
    COMMON_WORD = "common_word"                # a bare everyday word ("Coalición"), never a name alone
    LOOKALIKE_CONTEXT = "lookalike_context"    # the article is about the other meaning (tourism, earnings...)
    INSUFFICIENT_CONTEXT = "insufficient_context"  # not enough to say the article is about it
    PASSING_MENTION = "passing_mention"        # named, but only in passing (the article is about something else)
    NOT_MAIN_TEXT = "not_main_text"            # reserved: a name outside the main text


ACCEPTED_CODES = frozenset({ReasonCode.UNAMBIGUOUS_NAME, ReasonCode.NAME_VARIANT, ReasonCode.ACRONYM, ReasonCode.BYLINE,
                            ReasonCode.SAME_ENTITY, ReasonCode.CONTEXT})


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    en: str
    es: str


# Look-alike labels of the knowledge base are written in English; the desk shows Spanish.
LOOKALIKE_LABELS_ES = {
    "energy business news": "noticias de negocios de energía",
    "other news from the town (culture, sport)": "otras noticias del pueblo (cultura, deporte)",
    "financial news": "noticias financieras",
    "tourism": "turismo",
    "shopping-centre news": "noticias del centro comercial",
    "a date, not the collective": "una fecha, no el colectivo",
    "other local news": "otras noticias locales",
    "weather or other radars": "clima u otros radares",
    "the historical figure": "la figura histórica",
    "a university (Universidad de Jaén)": "una universidad (Universidad de Jaén)",
    "other body named UNICA (e.g. Brazilian sugar-cane industry)": "otro organismo llamado UNICA (p. ej., la industria azucarera de Brasil)",
    "policing / self-defence groups": "policía comunitaria o autodefensas",
    "land sale or investment, not the defence": "venta de tierras o inversión, no la defensa",
    "look-alike": "homónimo",
}


def label_es(label: str) -> str:
    """The Spanish for a look-alike label; a label the table lacks (added by the team in
    the knowledge base, often already in Spanish) is shown as written."""
    if label.startswith("other organisation (") and label.endswith(")"):
        return "otra organización (" + label[len("other organisation ("):]
    if label.startswith("other person (") and label.endswith(")"):
        return "otra persona (" + label[len("other person ("):]
    return LOOKALIKE_LABELS_ES.get(label, label)


def _num(x: float) -> str:
    return f"{x:g}"


_KIND_ES = {"process": "el mismo proceso", "organisation": "la misma organización", "person": "la misma persona"}


def fixed(code: ReasonCode, detail: str = "", kind: str = "process") -> Reason:
    """The reasons that need no score: names, acronyms, bylines, look-alike names, people."""
    d = f" ({detail})" if detail else ""
    if code is ReasonCode.UNAMBIGUOUS_NAME:
        return Reason(code, "unambiguous name", "nombre inequívoco")
    if code is ReasonCode.NAME_VARIANT:
        return Reason(code, f"a way of writing the name {detail}", f"otra forma de escribir el nombre {detail}")
    if code is ReasonCode.ACRONYM:
        return Reason(code, "acronym (exact capitals)", "sigla (mayúsculas exactas)")
    if code is ReasonCode.BYLINE:
        return Reason(code, "signed by (byline)", "firma el artículo")
    if code is ReasonCode.SAME_ENTITY:
        return Reason(code, f"same {kind} named unambiguously{d}",
                      f"{_KIND_ES.get(kind, 'la misma entidad')} nombrada sin ambigüedad{d}")
    if code is ReasonCode.LOOKALIKE_NAME:
        return Reason(code, f"look-alike: {detail}", f"homónimo: {label_es(detail)}")
    if code is ReasonCode.OTHER_PERSON:
        return Reason(code, f"look-alike: other person ({detail})", f"homónimo: otra persona ({detail})")
    if code is ReasonCode.MISSING_REQUIRED:
        return Reason(code, f"missing required context: one of {detail}",
                      f"falta el contexto necesario: alguna de estas palabras: {detail}")
    if code is ReasonCode.COMMON_WORD:
        return Reason(code, f"a common word on its own ({detail}), not a name",
                      f"palabra común sola ({detail}), no un nombre")
    raise ValueError(code)


def decided(accepted: bool, positives: tuple[str, ...], negatives: tuple[tuple[str, str], ...],
            support: list[tuple[str, str]], total: float, threshold: float,
            probability: float | None = None, passing: bool = False) -> Reason:
    """The reason for an ambiguous name decided on the article's context.

    ``support`` holds (English, Spanish) phrases such as ("ProDESC named", "nombra a ProDESC").
    ``probability`` is the learned model's, when it decided; the rules' score is shown too.
    """
    en: list[str] = []
    es: list[str] = []
    if negatives and not accepted:
        labels: dict[str, list[str]] = {}
        for label, phrase in negatives:
            labels.setdefault(label, []).append(phrase)
        en.append("; ".join(f"look-alike: {lab} ({', '.join(ph[:4])})" for lab, ph in labels.items()))
        es.append("; ".join(f"homónimo: {label_es(lab)} ({', '.join(ph[:4])})" for lab, ph in labels.items()))
    if positives:
        en.append("context: " + ", ".join(positives[:6]))
        es.append("contexto: " + ", ".join(positives[:6]))
    for s_en, s_es in support:
        en.append(s_en)
        es.append(s_es)
    if not en:
        en.append("no context cue")
        es.append("ninguna palabra de contexto")
    cmp = ">=" if total >= threshold else "<"
    score_en = f"score {_num(total)} {cmp} {_num(threshold)}"
    # The team reads words, not comparisons: "puntaje 3; necesita 2" (a minus sign, not a hyphen).
    score_es = f"puntaje {_num(total).replace('-', '−')}; necesita {_num(threshold)}"
    if probability is not None:
        score_en = f"model {probability:.2f}; {score_en}"
        score_es = f"modelo {probability:.2f}; {score_es}"   # Mexico writes the decimal point
    if passing and not accepted:
        en.insert(0, "named only in passing")
        es.insert(0, "solo se menciona de paso")
    if accepted:
        code = ReasonCode.CONTEXT
    elif passing:
        code = ReasonCode.PASSING_MENTION
    elif negatives:
        code = ReasonCode.LOOKALIKE_CONTEXT
    else:
        code = ReasonCode.INSUFFICIENT_CONTEXT
    return Reason(code, f"{'; '.join(en)} ({score_en})", f"{'; '.join(es)} ({score_es})")

