"""``trial.seed``: one reproducible integer per (study name, trial number), for seeding the objective's RNGs."""

from __future__ import annotations

import hashlib

__all__ = ["SEED_ATTR", "trial_seed"]

SEED_ATTR = "albacore:seed"
"""System attribute where a trial records the seed its objective read, so ``FrozenTrial.seed`` returns it."""


def trial_seed(study_name: str, number: int) -> int:
    """The seed of trial ``number`` of study ``study_name``: in ``[0, 2**31 - 1]``, equal in every process.

    A hash rather than ``number`` itself, so that neighbouring trials (and the same trial number of two studies)
    get unrelated streams; the 31-bit range is accepted by numpy, ``random``, torch and scikit-learn alike.
    """
    digest = hashlib.blake2b(f"{study_name}\x00{number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF
