"""The monitor's time range errors in the reader's language.

``pools/modelarts/timerange.py`` imports no Django, so it words a ``TimeRangeError`` in English and gives it a
``code`` and ``params``; where the error becomes a form or field error, this says the same in the language of
the request, from the same values.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pools.modelarts.timerange import TimeRangeError

MESSAGES = {
    "period": _("The period must be one of {allowed} seconds, not {period}."),
    "minutes_type": _("The duration must be a whole number of minutes, not {minutes}."),
    "minutes_min": _("The duration must be at least 1 minute, not {minutes}."),
    "range_too_long": _(
        "{minutes} minutes is too long for the monitor: at most {max_points} points per series, and even the "
        "coarsest period ({coarsest} s) allows at most {longest} minutes."
    ),
    "too_many_points": _(
        "{minutes} minutes at a {period}-second period would be {count} points, more than the {max_points} "
        "allowed; use a period of {smallest} seconds or more (the smallest valid period is {smallest} s)."
    ),
    "moment_type": _("The {what} must be a date and time, not {type}."),
    "moment_naive": _("The {what} must carry a time zone (UTC is sent)."),
    "epoch_type": _("The {what} must be epoch milliseconds or -1, not {value}."),
    "epoch_negative": _("The {what} must be epoch milliseconds (0 or more) or -1, not {value}."),
    "end_not_after_start": _("The end ({end}) must be after the start ({start})."),
    "text_type": _("A time range must be text like -1.-1.60, not {type}."),
    "text_parts": _(
        "A time range looks like start.end.minutes (e.g. -1.-1.60), three parts separated by dots; got {text}."
    ),
    "epoch_format": _(
        "The {what} of a time range must be epoch milliseconds (up to {digits} digits, no leading zeros) or "
        "-1; got {part}."
    ),
    "minutes_format": _(
        "The duration of a time range must be a whole number of minutes, 1 or more (no sign or leading "
        "zeros); got {minutes}."
    ),
}
# The part of the range an error is about (its ``what``).
PARTS = {
    "start": pgettext_lazy("part of a time range", "start"),
    "end": pgettext_lazy("part of a time range", "end"),
}


def time_range_message(error: TimeRangeError) -> str:
    """What ``error`` says, in the active language."""
    params = {name: PARTS[value] if name == "what" else value for name, value in error.params.items()}
    return str(MESSAGES[error.code]).format(**params)


def time_range_validation_error(error: TimeRangeError) -> ValidationError:
    return ValidationError(time_range_message(error), code=error.code)
