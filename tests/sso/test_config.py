"""The group → role mapping of OIDC_GROUP_ROLES."""

import pytest

from pools.sso.config import SsoConfigurationError, origin, parse_group_roles, roles_for_groups

MAPPING = parse_group_roles("cloud-ops=operator, cloud-approvers=Approver;AUDITOR ,cloud-ops=viewer")


def test_the_mapping_reads_pairs_and_several_roles_per_group():
    assert MAPPING == {"cloud-ops": ("Operator", "Viewer"), "cloud-approvers": ("Approver", "Auditor")}
    assert parse_group_roles("") == {}


@pytest.mark.parametrize(
    "text", ["cloud-ops", "=operator", "cloud-ops=", "cloud-ops=superuser", "a=viewer;root"]
)
def test_a_mapping_that_cannot_work_stops_start_up(text):
    with pytest.raises(SsoConfigurationError):
        parse_group_roles(text)


@pytest.mark.parametrize(
    ("groups", "roles"),
    [
        (["cloud-ops"], ["Viewer", "Operator"]),
        (["/cloud-approvers", "marketing"], ["Approver", "Auditor"]),
        ("cloud-ops", ["Viewer", "Operator"]),
        (["CLOUD-OPS", "cloud-opps"], []),  # group names are compared exactly
        ([{"name": "cloud-ops"}, 7], []),
        (None, []),
    ],
)
def test_roles_come_from_known_groups_only(groups, roles):
    assert roles_for_groups(groups, MAPPING) == roles


def test_origin():
    assert origin("https://idp.example.com:8443/realms/acme") == "https://idp.example.com:8443"
