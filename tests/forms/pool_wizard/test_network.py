from pools.forms.pool_wizard import messages
from pools.forms.pool_wizard.base import WizardContext
from tests.forms.pool_wizard.helpers import data, errors, state

T4 = "modelarts.vm.gpu.t4u8"
NPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=("modelarts.bm.npu.arm.8snt9b3.d",))
GPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=(T4, "modelarts.vm.cpu.8ud"))
GPU_LOGICAL = WizardContext(pool_type="Logical", flavor_ids=(T4,))
CPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=("modelarts.vm.cpu.8ud",))


def test_physical_pool_needs_a_network_and_takes_the_matching_driver():
    assert errors("network", data(update_strategy="idle"), GPU_DEDICATE)["network_name"] == [
        messages.NETWORK_REQUIRED
    ]
    assert state(
        "network",
        data(
            network_name="network-a1b2",
            gpu_version="535.161.08",
            update_strategy="force",
            job_flavors="a.b, c-d\nc-d",
        ),
        GPU_DEDICATE,
    ) == {
        "network_name": "network-a1b2",
        "job_flavors": ["a.b", "c-d"],
        "gpu_version": "535.161.08",
        "npu_version": "",
        "update_strategy": "force",
    }


def test_driver_versions_must_match_the_flavors_and_the_pool_type():
    found = errors(
        "network", data(network_name="net-1", npu_version="24.1.rc2", update_strategy="idle"), GPU_DEDICATE
    )
    assert found["npu_version"] == [messages.DRIVER_NO_NPU]
    found = errors(
        "network", data(network_name="net-1", gpu_version="470.57.02", update_strategy="idle"), NPU_DEDICATE
    )
    assert found["gpu_version"] == [messages.DRIVER_NO_GPU]
    found = errors("network", data(gpu_version="470.57.02", update_strategy="idle"), GPU_LOGICAL)
    assert found["gpu_version"] == [messages.DRIVER_LOGICAL]
    found = errors(
        "network", data(network_name="net-1", gpu_version="latest", update_strategy="idle"), GPU_DEDICATE
    )
    assert found["gpu_version"] == [messages.DRIVER_VERSION_INVALID]
    found = errors("network", data(network_name="net-1", update_strategy="sometimes"), GPU_DEDICATE)
    assert "update_strategy" in found


def test_logical_pool_has_no_network():
    assert errors("network", data(network_name="net-1", update_strategy="idle"), GPU_LOGICAL)[
        "network_name"
    ] == [messages.NETWORK_LOGICAL]
    assert state("network", data(update_strategy="idle"), GPU_LOGICAL)["network_name"] == ""


def test_the_update_strategy_is_optional_and_defaults_to_idle():
    # A logical pool (or a physical one without drivers) shows no update strategy, so none is posted.
    assert state("network", data(), GPU_LOGICAL)["update_strategy"] == "idle"
    assert state("network", data(network_name="net-1"), CPU_DEDICATE)["update_strategy"] == "idle"


def test_bad_job_flavor_names():
    found = errors(
        "network", data(network_name="net-1", update_strategy="idle", job_flavors="ok, <bad>"), GPU_DEDICATE
    )
    assert found["job_flavors"] == [messages.JOB_FLAVOR_INVALID.format(name="<bad>")]
