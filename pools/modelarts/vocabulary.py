"""The ModelArts API's words, once: the label and annotation keys, the display-name rule, and the pool and
node phases the dashboard tests for. Imports nothing: every layer may use it."""

from __future__ import annotations

import re

# Annotation and label keys the dashboard reads (§4.1).
LABEL_NAME = "os.modelarts/name"
LABEL_WORKSPACE = "os.modelarts/workspace.id"
ANNOTATION_DESCRIPTION = "os.modelarts/description"
ANNOTATION_BILLING_MODE = "os.modelarts/billing.mode"
ANNOTATION_PERIOD_TYPE = "os.modelarts/period.type"
ANNOTATION_PERIOD_NUM = "os.modelarts/period.num"
ANNOTATION_AUTO_RENEW = "os.modelarts/auto.renew"
ANNOTATION_ORDER_ID = "os.modelarts/order.id"
# The order a pool's last scale made (PatchPool's answer); followed with ShowOrder and the order list.
LABEL_ORDER_NAME = "os.modelarts/order.name"
# The keys a CreatePool body sets besides those (§5.8).
LABEL_NODE_PREFIX = "os.modelarts/node.prefix"
ANNOTATION_AUTO_PAY = "os.modelarts/auto.pay"
ANNOTATION_PROMOTION_INFO = "os.modelarts/promotion.info"
ANNOTATION_CONSOLE_URL = "os.modelarts/service.console.url"
DEFAULT_WORKSPACE = "0"  # the workspace id of a project's default workspace
# Keys under this prefix belong to ModelArts (the ones above, os.modelarts.node/…): never a user's label.
MODELARTS_KEY_PREFIX = "os.modelarts"
# A pool's display name (the os.modelarts/name label) as Huawei's create form allows it (docs/modelarts-api.md);
# the one rule of the wizard and the change-request service.
DISPLAY_NAME = re.compile(r"^[a-z][a-z0-9-]{2,62}[a-z0-9]$")
DISPLAY_NAME_RULE = (
    "4–64 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'"
)

POOL_PHASES = (
    "Creating",
    "Running",
    "Abnormal",
    "Deleting",
    "Error",
    "CreationFailed",
    "ScalingFailed",
    "Waiting",
)
TRANSITIONAL_PHASES = frozenset({"Creating", "Deleting", "Waiting"})
FAILED_PHASES = frozenset({"Error", "Abnormal", "CreationFailed", "ScalingFailed"})
# Checking is the SDK's self-check; Rebooting and Resetting are how a node shows while a reboot or reset works
# on it (the sandbox's names; the SDK's enum has none).
NODE_PHASES = ("Available", "Creating", "Deleting", "Abnormal", "Checking", "Rebooting", "Resetting")
RESOURCE_STATES = ("creating", "available", "abnormal", "deleting")
# The phases the change-request rules and pages test for by name.
POOL_RUNNING = "Running"
POOL_DELETING = "Deleting"
NODE_DELETING = "Deleting"
NODE_AVAILABLE = "Available"
# The actions locked on a node (BatchLockPoolNodes), comma-separated: "delete".
ANNOTATION_NODE_LOCK = "os.modelarts.node/lock.action"
# The taint that marks a node as taking no new workloads: Kubernetes' cordon, which a drain
# (BatchDrainPoolNodes) leaves on the node. ModelArts' docs do not say how a drained node shows; the sandbox
# writes this taint into the node's spec.taints (docs/modelarts-api.md §11).
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
