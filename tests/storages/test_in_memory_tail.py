"""The in-memory storage's tail read follows a subclass or a patched instance that changes get_all_trials."""

from __future__ import annotations

from albacore._study_records import StudyDirection
from albacore.storages import InMemoryStorage
from albacore.trial import FrozenTrial


def test_tail_read_follows_a_patched_get_all_trials() -> None:
    storage = InMemoryStorage()
    study_id = storage.create_new_study([StudyDirection.MINIMIZE])
    storage.create_new_trial(study_id)
    assert storage._get_trials_from(study_id, 0)[0] == 1

    def nothing(*args: object, **kwargs: object) -> list[FrozenTrial]:
        return []

    storage.get_all_trials = nothing  # type: ignore[method-assign]
    assert storage._get_trials_from(study_id, 0) == (0, [])


def test_tail_read_follows_a_subclass() -> None:
    class Hiding(InMemoryStorage):
        def get_all_trials(self, *args: object, **kwargs: object) -> list[FrozenTrial]:  # type: ignore[override]
            return []

    storage = Hiding()
    study_id = storage.create_new_study([StudyDirection.MINIMIZE])
    storage.create_new_trial(study_id)
    assert storage._get_trials_from(study_id, 0) == (0, [])
