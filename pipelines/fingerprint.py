"""The SimHash fingerprint of an article's text, as trafilatura computes it, in one vectorised pass.

Syndicated copies are found by comparing fingerprints (`articles.fingerprint`), so the value must
stay exactly trafilatura's `Simhash(text).to_hex()`: the warehouse already holds fingerprints made
that way. trafilatura adds each token's 64 ±1 contributions in a Python loop (~6 % of the
processing stage on real pages, docs/performance.md); here the same tokens and the same
blake2b hashes are summed bit by bit with numpy.
"""
from __future__ import annotations

from functools import lru_cache
from hashlib import blake2b

import numpy as np
from trafilatura.deduplication import sample_tokens

LENGTH = 64
_SHIFTS = np.arange(LENGTH, dtype=np.uint64)
_WEIGHTS = np.left_shift(np.uint64(1), _SHIFTS)


@lru_cache(maxsize=2**16)
def _token_hash(token: str) -> int:
    return int.from_bytes(blake2b(token.encode(), digest_size=8).digest(), "big")


def simhash_hex(text: str) -> str:
    """trafilatura's `Simhash(text).to_hex()`: bit i is set when at least half the sampled tokens'
    hashes have bit i set (their ±1 sum is >= 0); no token at all sets every bit."""
    tokens = sample_tokens(text, LENGTH)
    hashes = np.fromiter((_token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    ones = ((hashes[:, None] >> _SHIFTS) & np.uint64(1)).sum(axis=0, dtype=np.int64)
    keep = 2 * ones >= len(tokens)
    return f"{int(_WEIGHTS[keep].sum(dtype=np.uint64)):x}"
