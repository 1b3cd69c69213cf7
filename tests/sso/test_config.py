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


SSO_ON = {
    "OIDC_ENABLED": "true",
    "OIDC_OP_ISSUER": "https://sso.example.com/realms/acme",
    "OIDC_RP_CLIENT_ID": "modelarts-admin",
    "OIDC_RP_CLIENT_SECRET": "secret",
}


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"OIDC_GROUP_ROLES": "cloud-ops=root"}, "'root' (for group 'cloud-ops') is not a role"),
        ({"LOCAL_LOGIN": "off"}, "would let nobody log in"),
        ({**SSO_ON, "OIDC_RP_CLIENT_SECRET": ""}, "OIDC_ENABLED needs"),
        ({**SSO_ON, "OIDC_RP_SIGN_ALGO": "HS256"}, "asymmetric"),
        ({**SSO_ON, "LOCAL_LOGIN": "off", "OIDC_GROUP_ROLES": "cloud-ops=operator"}, None),
    ],
)
def test_settings_that_cannot_work_stop_start_up(tmp_path, variables, complaint):
    import os
    import subprocess
    import sys
    from pathlib import Path

    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LOCAL_LOGIN"))},
        "VAR_DIR": str(tmp_path),
        **variables,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if complaint is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0 and complaint in result.stderr
