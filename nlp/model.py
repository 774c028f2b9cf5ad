"""The learned decision: is the article about the process it names ambiguously?

A logistic regression over `nlp.features`: standardised features, one weight each,
an intercept. It is stored as a small JSON file (``nlp/model.json``) that
``prodesc-monitor train`` writes and anyone can read: no pickle, nothing executable,
and applying it needs only arithmetic, so tagging does not import the training
library. The file records the knowledge-base vocabulary it was trained with; a
file that does not fit the knowledge base in use is refused with a clear message
and the rules decide alone.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ConfigError

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.json")
THRESHOLD = 0.5
# The model decides the borderline: where the rules' score (context + support - look-alikes)
# is far above the threshold, or far below it, the rules' verdict stands.
BAND_BELOW = 10.0
BAND_ABOVE = 3.0


def in_band(total: float, threshold: float) -> bool:
    return threshold - BAND_BELOW <= total < threshold + BAND_ABOVE


class ModelError(ConfigError):
    """A model file that cannot be used with this knowledge base."""


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    meta: dict

    def probability(self, values: tuple[float, ...]) -> float:
        z = self.intercept
        for x, m, s, w in zip(values, self.mean, self.scale, self.coef):
            z += w * (x - m) / s
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def strongest(self, values: tuple[float, ...], n: int = 3) -> list[tuple[str, float]]:
        """The features that pushed this decision most, for the evidence text."""
        parts = [(name, w * (x - m) / s) for name, x, m, s, w in
                 zip(self.features, values, self.mean, self.scale, self.coef)]
        return sorted(parts, key=lambda p: -abs(p[1]))[:n]

    def to_json(self) -> dict:
        return {"kind": "logistic_regression", "features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept,
                "threshold": THRESHOLD, "meta": self.meta}

    def save(self, path: Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        Path(path).write_text(text + "\n", encoding="utf-8")


def load_model(path: str | Path | None, features: tuple[str, ...]) -> Model | None:
    """The model at ``path`` (default ``nlp/model.json``), or None where there is none."""
    p = Path(path) if path is not None else DEFAULT_MODEL_PATH
    if not p.exists():
        return None
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
        model = Model(tuple(d["features"]), tuple(map(float, d["mean"])), tuple(map(float, d["scale"])),
                      tuple(map(float, d["coef"])), float(d["intercept"]), d.get("meta") or {})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{p}: not a model file of this monitor ({exc})") from None
    if model.features != tuple(features):
        raise ModelError(f"{p}: trained for other features than the knowledge base now defines; "
                         f"run 'prodesc-monitor train' again")
    return model
