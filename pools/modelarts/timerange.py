"""The ``time_range`` of ShowPoolMonitor (§5.5) and the rules around it.

On the wire it is ``start.end.minutes``: start and end in UTC epoch milliseconds, either of them ``-1``, and a
duration in minutes that must be positive. The server fills a ``-1`` in: a missing start is end − duration,
a missing end is start + duration (never past now), both missing mean "the last ``minutes``". A query may
return at most ``MAX_POINTS`` points per series, so ``minutes × 60 / period ≤ 1440``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from datetime import datetime

PERIODS = (60, 300, 900, 3600)
MAX_POINTS = 1440
STATISTICS = ("maximum", "minimum", "sum", "average", "sampleCount")
UNSET = -1
MS_PER_MINUTE = 60_000
# Epoch milliseconds fit in 15 digits until the year 33658; anything longer is a typo.
_MAX_EPOCH_DIGITS = 15
_MAX_MINUTES_DIGITS = 9

_EPOCH = re.compile(rf"-1|0|[1-9][0-9]{{0,{_MAX_EPOCH_DIGITS - 1}}}")
_MINUTES = re.compile(rf"[1-9][0-9]{{0,{_MAX_MINUTES_DIGITS - 1}}}")


class TimeRangeError(ValueError):
    """A time range or period the monitor API cannot serve; the message says what to change, in English.

    ``code`` names the rule that was broken and ``params`` the values the message quotes, so that a caller
    with a translation catalogue can say the same in the reader's language (pools/forms/time_range_errors.py).
    """

    def __init__(self, message: str, *, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def _require_period(period: int) -> int:
    if isinstance(period, bool) or not isinstance(period, int) or period not in PERIODS:
        allowed = ", ".join(str(p) for p in PERIODS)
        raise TimeRangeError(
            f"The period must be one of {allowed} seconds, not {period!r}.",
            code="period",
            allowed=allowed,
            period=repr(period),
        )
    return period


def _require_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TimeRangeError(
            f"The duration must be a whole number of minutes, not {minutes!r}.",
            code="minutes_type",
            minutes=repr(minutes),
        )
    if minutes < 1:
        raise TimeRangeError(
            f"The duration must be at least 1 minute, not {minutes}.", code="minutes_min", minutes=minutes
        )
    return minutes


def points(minutes: int, period: int) -> int:
    """How many points a series of ``minutes`` has at ``period`` seconds (a partial period counts)."""
    return math.ceil(_require_minutes(minutes) * 60 / _require_period(period))


def smallest_valid_period(minutes: int) -> int | None:
    """The finest period that keeps ``minutes`` within ``MAX_POINTS``; None when even an hour is too fine."""
    return next((period for period in PERIODS if points(minutes, period) <= MAX_POINTS), None)


def check_period(minutes: int, period: int) -> None:
    """Raise ``TimeRangeError`` unless ``minutes`` at ``period`` seconds stays within ``MAX_POINTS`` points."""
    count = points(minutes, period)
    if count <= MAX_POINTS:
        return
    smallest = smallest_valid_period(minutes)
    if smallest is None:
        longest = MAX_POINTS * PERIODS[-1] // 60
        raise TimeRangeError(
            f"{minutes} minutes is too long for the monitor: at most {MAX_POINTS} points per series, and even "
            f"the coarsest period ({PERIODS[-1]} s) allows at most {longest} minutes.",
            code="range_too_long",
            minutes=minutes,
            max_points=MAX_POINTS,
            coarsest=PERIODS[-1],
            longest=longest,
        )
    raise TimeRangeError(
        f"{minutes} minutes at a {period}-second period would be {count} points, more than the {MAX_POINTS} "
        f"allowed; use a period of {smallest} seconds or more (the smallest valid period is {smallest} s).",
        code="too_many_points",
        minutes=minutes,
        period=period,
        count=count,
        max_points=MAX_POINTS,
        smallest=smallest,
    )


def _epoch_ms(moment: datetime, what: str) -> int:
    if not isinstance(moment, datetime):
        kind = type(moment).__name__
        raise TimeRangeError(
            f"The {what} must be a datetime, not {kind}.", code="moment_type", what=what, type=kind
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeRangeError(
            f"The {what} must carry a time zone (UTC is sent); got a naive datetime.",
            code="moment_naive",
            what=what,
        )
    return math.floor(moment.timestamp() * 1000)


@dataclass(frozen=True)
class TimeRange:
    """``start_ms.end_ms.minutes``; either end may be ``-1`` (filled in by the server, see the module doc)."""

    start_ms: int
    end_ms: int
    minutes: int

    def __post_init__(self) -> None:
        for what, value in (("start", self.start_ms), ("end", self.end_ms)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TimeRangeError(
                    f"The {what} must be epoch milliseconds or -1, not {value!r}.",
                    code="epoch_type",
                    what=what,
                    value=repr(value),
                )
            if value < UNSET:
                raise TimeRangeError(
                    f"The {what} must be epoch milliseconds (0 or more) or -1, not {value}.",
                    code="epoch_negative",
                    what=what,
                    value=value,
                )
        _require_minutes(self.minutes)
        if self.start_ms != UNSET and self.end_ms != UNSET and self.end_ms <= self.start_ms:
            raise TimeRangeError(
                f"The end ({self.end_ms}) must be after the start ({self.start_ms}) of the time range.",
                code="end_not_after_start",
                start=self.start_ms,
                end=self.end_ms,
            )

    def __str__(self) -> str:
        return f"{self.start_ms}.{self.end_ms}.{self.minutes}"

    @classmethod
    def last(cls, minutes: int) -> TimeRange:
        """The last ``minutes`` up to now, as the server sees now: ``-1.-1.minutes``."""
        return cls(UNSET, UNSET, _require_minutes(minutes))

    @classmethod
    def between(cls, start: datetime, end: datetime) -> TimeRange:
        """A fixed window between two aware datetimes; the duration is rounded up to whole minutes."""
        start_ms, end_ms = _epoch_ms(start, "start"), _epoch_ms(end, "end")
        if end_ms <= start_ms:
            raise TimeRangeError(
                f"The end ({end.isoformat()}) must be after the start ({start.isoformat()}).",
                code="end_not_after_start",
                start=start.isoformat(),
                end=end.isoformat(),
            )
        return cls(start_ms, end_ms, math.ceil((end_ms - start_ms) / MS_PER_MINUTE))

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Strictly parse ``start.end.minutes`` (e.g. ``-1.-1.60``); ``TimeRangeError`` says what is wrong."""
        if not isinstance(text, str):
            kind = type(text).__name__
            raise TimeRangeError(
                f"A time range must be text like -1.-1.60, not {kind}.", code="text_type", type=kind
            )
        parts = text.split(".")
        if len(parts) != 3:
            raise TimeRangeError(
                f"A time range looks like start.end.minutes (e.g. -1.-1.60), three parts separated by dots; "
                f"got {text[:40]!r}.",
                code="text_parts",
                text=repr(text[:40]),
            )
        start, end, minutes = parts
        for what, part in (("start", start), ("end", end)):
            if not _EPOCH.fullmatch(part):
                raise TimeRangeError(
                    f"The {what} of a time range must be epoch milliseconds (up to {_MAX_EPOCH_DIGITS} digits, "
                    f"no leading zeros) or -1; got {part[:20]!r}.",
                    code="epoch_format",
                    what=what,
                    digits=_MAX_EPOCH_DIGITS,
                    part=repr(part[:20]),
                )
        if not _MINUTES.fullmatch(minutes):
            raise TimeRangeError(
                f"The duration of a time range must be a whole number of minutes, 1 or more (no sign or leading "
                f"zeros); got {minutes[:20]!r}.",
                code="minutes_format",
                minutes=repr(minutes[:20]),
            )
        return cls(int(start), int(end), int(minutes))

    @property
    def is_relative(self) -> bool:
        """True when the server decides the window from its own clock (an end of -1)."""
        return self.end_ms == UNSET

    def points(self, period: int) -> int:
        return points(self.minutes, period)

    def check(self, period: int) -> None:
        check_period(self.minutes, period)

    def resolve(self, now_ms: int | None = None) -> tuple[int, int]:
        """(start_ms, end_ms) as the server fills in ``-1`` at ``now_ms`` (now by default)."""
        now_ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        span = self.minutes * MS_PER_MINUTE
        if self.start_ms == UNSET and self.end_ms == UNSET:
            return now_ms - span, now_ms
        if self.start_ms == UNSET:
            return self.end_ms - span, self.end_ms
        if self.end_ms == UNSET:
            return self.start_ms, min(self.start_ms + span, now_ms)
        return self.start_ms, self.end_ms
