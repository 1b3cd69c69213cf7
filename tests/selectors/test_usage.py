"""Runtime usage as bars: per pool, summed for a card, and each pool's accelerator for the pool list."""

from pools.modelarts.metrics import RuntimeMetrics
from pools.selectors.usage import accelerator_usage, usage_rows, usage_summary


def metrics(*items) -> RuntimeMetrics:
    return RuntimeMetrics.parse({"items": list(items)})


def item(name, display, allocated, capacity):
    return {
        "metadata": {"name": name, "labels": {"os.modelarts/name": display}},
        "table": {"allocated": {"value": allocated}, "capacity": {"value": capacity}},
    }


def test_bars_show_cpu_memory_then_accelerators_with_units_and_percentages():
    rows = usage_rows(
        metrics(
            item(
                "pool-b-1",
                "vision",
                {"cpu": "20", "memory": "64Gi", "tnt004": 1},
                {"cpu": 64, "memory": "256Gi", "tnt004": "2"},
            ),
            item("pool-a-1", "Alpha", {"cpu": "1073m"}, {"cpu": "0"}),
        )
    )
    assert [row.display_name for row in rows] == ["Alpha", "vision"]
    vision = rows[1]
    assert [bar.label for bar in vision.bars] == ["CPU", "Memory", "GPU"]
    cpu, memory, gpu = vision.bars
    assert (cpu.allocated_text, cpu.capacity_text, cpu.percent) == ("20", "64", 31)
    assert (memory.allocated_text, memory.capacity_text, memory.percent) == ("64.0 GiB", "256.0 GiB", 25)
    assert gpu.percent == 50
    alpha_cpu = rows[0].bars[0]
    assert alpha_cpu.allocated_text == "1.07" and alpha_cpu.percent is None, "no capacity, no percentage"


def test_a_pool_without_a_display_name_shows_its_id():
    rows = usage_rows(metrics({"metadata": {"name": "pool-x"}, "table": {}}))
    assert rows[0].display_name == "pool-x" and rows[0].bars == ()


def test_amounts_of_other_types_are_told_apart_and_odd_ones_do_not_break_the_card():
    from tests.views.test_row_templates import usage_html

    rows = usage_rows(
        metrics(
            item("pool-a", "a", {"cpu": 1}, {"cpu": 2}),
            item("pool-b", "b", {"cpu": True}, {"cpu": 2}),  # not a quantity: shown as it came
            item("pool-c", "c", {"cpu": {"odd": 1}}, {"cpu": [2]}),  # unhashable amounts
        )
    )
    a, b, c = (row.bars[0] for row in rows)
    assert (a.allocated_text, a.percent) == ("1", 50)
    assert (b.allocated_text, b.percent) == ("True", 0)
    assert c.allocated_text == "{'odd': 1}" and c.percent is None

    html = usage_html(rows, 7)
    assert html.count('class="usage-bar"') == 3 and "{&#x27;odd&#x27;: 1}" in html


def test_a_card_sums_every_resource_and_names_the_fullest_pools_first():
    usage = metrics(
        item("pool-idle", "idle", {"cpu": "1", "tnt004": "0"}, {"cpu": "8", "tnt004": "8"}),
        item("pool-full", "full", {"cpu": "2", "tnt004": "8"}, {"cpu": "8", "tnt004": "8"}),
        item("pool-half", "half", {"cpu": "6", "memory": "1Gi"}, {"cpu": "8", "memory": "2Gi"}),
        item("pool-none", "none", {}, {}),
    )
    summary = usage_summary(usage, shown=2)

    assert summary.pool_count == 4
    totals = {bar.label: (bar.allocated_text, bar.capacity_text, bar.percent) for bar in summary.totals}
    assert totals == {"CPU": ("9", "24", 38), "Memory": ("1.0 GiB", "2.0 GiB", 50), "GPU": ("8", "16", 50)}
    assert [row.display_name for row in summary.fullest] == ["full", "half"]


def test_the_pool_list_gets_each_pools_accelerator_or_else_its_cpu():
    usage = metrics(
        item("pool-gpu", "gpu", {"cpu": "2", "tnt004": "6"}, {"cpu": "8", "tnt004": "8"}),
        item("pool-cpu", "cpu", {"cpu": "2"}, {"cpu": "8"}),
        item("pool-none", "none", {}, {}),
    )
    shown = accelerator_usage(usage)

    assert (shown["pool-gpu"].label, shown["pool-gpu"].percent) == ("GPU", 75)
    assert (shown["pool-cpu"].label, shown["pool-cpu"].percent) == ("CPU", 25)
    assert "pool-none" not in shown
