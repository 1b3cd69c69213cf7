"""The GET forms of the pool pages (filters): pool-list filters, node filter, monitoring range and period.

Every input is checked here, so a bad value becomes a field error and no request goes upstream.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.modelarts.timerange import (
    MAX_POINTS,
    PERIODS,
    STATISTICS,
    TimeRange,
    TimeRangeError,
    check_period,
    smallest_valid_period,
)
from pools.modelarts.vocabulary import NODE_PHASES, POOL_PHASES
from pools.validators import EARLIEST_DATE, LATEST_DATE, validate_supported_date

# The words of the status badges: a pool's phase as ModelArts reports it (the list filters here, by phase;
# ListPools' own status filter groups phases under other words: created, creating, failed).
POOL_STATUSES = (("", _("Any status")), *((phase, phase) for phase in POOL_PHASES))
POOL_SORTS = (
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("phase", _("Status")),
    ("-nodes", _("Most nodes")),
    ("nodes", _("Fewest nodes")),
    ("-usage", _("Fullest first")),
    ("usage", _("Idlest first")),
)
RANGE_PRESETS = {"1h": 60, "6h": 360, "24h": 1440, "7d": 10080}
RANGE_CHOICES = (
    ("1h", _("Last hour")),
    ("6h", _("Last 6 hours")),
    ("24h", _("Last 24 hours")),
    ("7d", _("Last 7 days")),
    ("custom", _("Custom range")),
)
CUSTOM = "custom"
PERIOD_CHOICES = (("", _("Finest allowed")), *((str(p), f"{p // 60} min") for p in PERIODS))
STATISTIC_LABELS = {
    "maximum": _("Maximum"),
    "minimum": _("Minimum"),
    "average": _("Average"),
    "sum": _("Sum"),
    "sampleCount": _("Sample count"),
}
POINT_RULE = format_lazy(
    _(
        "The monitor returns at most {points} points per series: a 1-minute period covers up to 24 hours, "
        "5 minutes up to 5 days, 15 minutes up to 15 days, 1 hour up to 60 days."
    ),
    points=MAX_POINTS,
)
NEEDS_START_AND_END = _("A custom range needs both a start and an end.")
END_BEFORE_START = _("The end must be after the start.")
START_IN_FUTURE = _("The start is in the future.")
MAX_TZ_OFFSET = 14 * 60
TZ_OFFSET_INVALID = format_lazy(
    _(
        "The time zone offset in the address (tz) must be whole minutes from -{limit} to {limit}; remove it to "
        "read the times as UTC."
    ),
    limit=MAX_TZ_OFFSET,
)
RANGE_TOO_LONG = _("This range is too long for the monitor. {rule}")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
DATETIME_INPUT = forms.DateTimeInput(
    attrs={
        "type": "datetime-local",
        "min": f"{EARLIEST_DATE.isoformat()}T00:00",
        "max": f"{LATEST_DATE.isoformat()}T23:59",
    },
    format=DATETIME_FORMATS[0],
)

workspace_id = RegexValidator(r"^[A-Za-z0-9_-]*$", _("A workspace id has only letters, digits, '-' and '_'."))
printable = RegexValidator(r"^[\x20-\x7e]*$", _("Use printable ASCII characters only."))


class PoolFilterForm(forms.Form):
    connection = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    workspace = forms.CharField(
        required=False, max_length=64, validators=[workspace_id], help_text=_("Empty: all workspaces.")
    )
    status = forms.ChoiceField(required=False, choices=POOL_STATUSES)
    labels = forms.CharField(
        label=_("Label selector"),
        required=False,
        max_length=200,
        validators=[printable],
        help_text=_("Passed to ModelArts as labelSelector, e.g. os.modelarts/name=pool-demo"),
    )
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=POOL_SORTS)


class NodeFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Status"), required=False, choices=(("", _("Any status")), *((p, p) for p in NODE_PHASES))
    )
    # The API's opaque page token; only its size is ours to check.
    after = forms.CharField(required=False, max_length=2000, validators=[printable], widget=forms.HiddenInput)


class MonitorForm(forms.Form):
    """Range, statistic and period of the monitoring charts.

    ``clean`` adds ``time_range`` (a TimeRange) and ``period_seconds`` (the period to ask for: the one
    chosen, or the finest the range allows). A chosen period that breaks the point rule is a field error.
    """

    range = forms.ChoiceField(choices=RANGE_CHOICES, initial="1h")
    start = forms.DateTimeField(
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_INPUT,
        validators=[validate_supported_date],
    )
    end = forms.DateTimeField(
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_INPUT,
        validators=[validate_supported_date],
    )
    # The browser's offset from UTC in minutes (set by monitoring.js); without JavaScript times are UTC.
    tz = forms.IntegerField(
        required=False,
        min_value=-MAX_TZ_OFFSET,
        max_value=MAX_TZ_OFFSET,
        widget=forms.HiddenInput,
        error_messages={key: TZ_OFFSET_INVALID for key in ("invalid", "min_value", "max_value")},
    )
    statistics = forms.ChoiceField(
        label=_("Statistic"), choices=[(s, STATISTIC_LABELS.get(s, s)) for s in STATISTICS], initial="average"
    )
    period = forms.ChoiceField(required=False, choices=PERIOD_CHOICES, help_text=POINT_RULE)

    DEFAULTS = {"range": "1h", "statistics": "average", "period": ""}

    @classmethod
    def from_query(cls, query) -> MonitorForm:
        """Bound to the query string, with the defaults for whatever it leaves out."""
        data = dict(cls.DEFAULTS)
        data.update({key: query.get(key) for key in query if key in cls.base_fields})
        return cls(data)

    def _utc(self, value):
        """A datetime-local value (in the browser's zone, ``tz`` minutes east of UTC) as aware UTC."""
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=UTC) - timedelta(minutes=self.cleaned_data.get("tz") or 0)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            time_range = self._time_range(data)
        except forms.ValidationError as error:
            self.add_error("start" if data.get("range") == CUSTOM else "range", error)
            return data
        if time_range is None:
            return data
        chosen = data.get("period")
        if chosen:
            try:
                check_period(time_range.minutes, int(chosen))
            except TimeRangeError as error:
                self.add_error("period", f"{error} {POINT_RULE}")
                return data
            period = int(chosen)
        else:
            period = smallest_valid_period(time_range.minutes)
            if period is None:
                self.add_error("range", RANGE_TOO_LONG.format(rule=POINT_RULE))
                return data
        data["time_range"], data["period_seconds"] = time_range, period
        return data

    def _time_range(self, data) -> TimeRange | None:
        if data["range"] != CUSTOM:
            return TimeRange.last(RANGE_PRESETS[data["range"]])
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            self.add_error("end" if start else "start", NEEDS_START_AND_END)
            return None
        start, end = self._utc(start), self._utc(end)
        if end <= start:
            self.add_error("end", END_BEFORE_START)
            return None
        if start > timezone.now():
            self.add_error("start", START_IN_FUTURE)
            return None
        try:
            return TimeRange.between(start, end)
        except TimeRangeError as error:
            raise forms.ValidationError(str(error)) from None
