from __future__ import annotations

import pytest

from albacore.trial import TrialState


@pytest.mark.parametrize("state", list(TrialState))
def test_a_state_prints_its_name(state: TrialState) -> None:
    # IntEnum prints its number since Python 3.11; messages, logs and test ids read better with the name.
    assert str(state) == repr(state) == f"TrialState.{state.name}"
    assert f"{state}" == f"TrialState.{state.name}"
    assert int(state) == state.value
