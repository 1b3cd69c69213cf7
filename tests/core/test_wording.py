"""Clauses and lists joined the way the reader's language joins them."""

from django.utils import translation

from pools.change_kinds.create_pool import describe_create_body
from pools.core.wording import clauses, listed

BODY = {
    "spec": {
        "type": "Dedicate",
        "scope": ["Train", "Infer"],
        "resources": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2}],
        "network": {"name": "net-1"},
    }
}


def test_english_joins_with_semicolons_and_commas():
    with translation.override("en"):
        assert clauses(["a", "b"]) == "a; b"
        assert listed(["Train", "Infer"]) == "Train, Infer"
        assert describe_create_body(BODY) == (
            "Dedicate pool for Train, Infer; 2 × modelarts.vm.gpu.t4u8; network net-1; pay-per-use"
        )


def test_chinese_joins_with_its_own_punctuation():
    with translation.override("zh-hans"):
        assert clauses(["甲", "乙"]) == "甲；乙"
        assert listed(["Train", "Infer"]) == "Train、Infer"
        described = describe_create_body(BODY)
        assert "；" in described and "; " not in described and "Train、Infer" in described
