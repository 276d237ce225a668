"""What every Optuna reader produces: plain study records, and how naive datetimes and heartbeats are read."""

from __future__ import annotations

import datetime
import math
from typing import Any, NamedTuple

from albacore._study_records import StudyDirection
from albacore.exceptions import InvalidArgumentError
from albacore.trial import FrozenTrial

__all__ = ["SourceStudy", "as_epoch_aware", "parse_timezone", "read_float"]


class SourceStudy(NamedTuple):
    """One study as read from a source storage, ready to be written into any albacore storage.

    Attributes:
        name: The study's name.
        directions: One direction per objective.
        user_attrs: The study's user attributes.
        system_attrs: The study's system attributes.
        trials: Every trial, ordered by number (0, 1, 2, ...); a heartbeat a source kept apart from the trial
            is in its system attributes under ``albacore.storages._heartbeat.HEARTBEAT_ATTR``.
    """

    name: str
    directions: list[StudyDirection]
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]
    trials: list[FrozenTrial]


def parse_timezone(text: str) -> datetime.tzinfo | None:
    """Read a ``--naive-timezone`` value: ``local`` (None), ``UTC``, an offset like ``+09:00`` or an IANA name.

    Example:
        >>> parse_timezone("+09:00")
        datetime.timezone(datetime.timedelta(seconds=32400))
    """
    if text.lower() == "local":
        return None
    if text.upper() in ("UTC", "Z"):
        return datetime.timezone.utc
    if text[:1] in "+-" and len(text) in (5, 6):
        digits = text[1:].replace(":", "")
        if digits.isdigit() and len(digits) == 4:
            offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return datetime.timezone(-offset if text[0] == "-" else offset)
    try:
        import zoneinfo

        return zoneinfo.ZoneInfo(text)
    except (ValueError, KeyError, OSError) as err:  # zoneinfo raises these for unknown or malformed names
        raise InvalidArgumentError(
            f"A time zone must be 'local', 'UTC', an offset such as '+09:00' or a name such as 'Asia/Tokyo', "
            f"got {text!r}."
        ) from err


def as_epoch_aware(moment: datetime.datetime | None, naive_zone: datetime.tzinfo | None) -> datetime.datetime | None:
    """The naive local datetime albacore hands out for ``moment``; a naive ``moment`` is read in ``naive_zone``
    (None: this machine's local time)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        if naive_zone is None:
            return moment
        moment = moment.replace(tzinfo=naive_zone)
    return datetime.datetime.fromtimestamp(moment.timestamp())


def read_float(value: Any) -> float:
    """A float column or JSON number as a float; a missing value (NULL) reads as NaN."""
    return math.nan if value is None else float(value)
