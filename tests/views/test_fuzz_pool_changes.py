"""Arbitrary text in every field of the scale, edit and tags pages never makes a 500: bad input gets a field
error (the fuzzing of ``test_fuzz_inputs.py``, on the pool-change pages)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pools.forms.pool_changes import MAX_NEW_TAG_ROWS
from tests.views.test_fuzz_inputs import FUZZ, HOSTILE_TEXT, assert_handled, estate, pool_url, values_for

pytestmark = pytest.mark.django_db
__all__ = ["estate"]  # the fixture, shared with the other fuzzing

SCALE_FIELDS = (
    "count_0",
    "zone_0_0",
    "zone_0_1",
    "zone_0_2",
    "new_flavor",
    "new_count",
    "zone_new_0",
    "zone_new_2",
    "reason",
    "submission_key",
)
EDIT_FIELDS = ("description", "driver_version", "update_strategy", "reason", "submission_key")
TAG_FIELDS = (
    *(f"key_{n}" for n in range(MAX_NEW_TAG_ROWS)),
    *(f"value_{n}" for n in range(MAX_NEW_TAG_ROWS)),
    "reason",
    "submission_key",
)


@FUZZ
@given(data=values_for(SCALE_FIELDS), preview=st.booleans())
def test_scale_form(estate, data, preview):
    assert_handled(
        estate.client.post(
            pool_url(estate, "scale_pool_request"), {**data, **({"preview": "1"} if preview else {})}
        )
    )


@FUZZ
@given(data=values_for(EDIT_FIELDS), scope=st.lists(HOSTILE_TEXT, max_size=4))
def test_edit_form(estate, data, scope):
    assert_handled(estate.client.post(pool_url(estate, "edit_pool_request"), {**data, "scope": scope}))


@FUZZ
@given(data=values_for(TAG_FIELDS), remove=st.lists(HOSTILE_TEXT, max_size=4))
def test_tags_form(estate, data, remove):
    assert_handled(estate.client.post(pool_url(estate, "pool_tags_request"), {**data, "remove": remove}))
