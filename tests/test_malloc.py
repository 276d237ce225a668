from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _on_glibc() -> bool:
    try:
        return sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        return False  # a C library that does not know the name (musl)


pytestmark = pytest.mark.skipif(not _on_glibc(), reason="the thresholds are a glibc setting")

# Arrays that grow by a little every round, as a sampler's arrays do from trial to trial: each is larger than
# any freed before, so with glibc's defaults each is mapped afresh and faults in every page it touches.
_GROWING_ARRAYS = """
import json, resource, sys
import numpy as np
from albacore._malloc import keep_freed_memory
applied = keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for n in range(20_000, 60_000, 200):
    small, large = np.ones(n), np.ones(3 * n)
    small.sum() + large.sum()
    del small, large
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"applied": applied, "faults": faults}))
"""


def _run(env: dict[str, str]) -> dict[str, int]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES", "ALBACORE_KEEP"))}
    done = subprocess.run(
        [sys.executable, "-c", _GROWING_ARRAYS], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    result: dict[str, int] = json.loads(done.stdout)
    return result


def test_freed_memory_is_reused_instead_of_mapped_again() -> None:
    kept = _run({})
    assert kept["applied"]
    # 200 rounds of two arrays, 160-480 KB and 0.5-1.4 MB: about 47,000 pages faulted in when mapped afresh,
    # a few hundred when the heap's memory is reused.
    assert kept["faults"] < 5_000
    default = _run({"ALBACORE_KEEP_FREED_MEMORY": "0"})
    assert not default["applied"]
    assert default["faults"] > 20_000


def test_the_users_own_allocator_settings_are_left_alone() -> None:
    assert not _run({"MALLOC_TRIM_THRESHOLD_": "1000000"})["applied"]
    assert not _run({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=1000000"})["applied"]
