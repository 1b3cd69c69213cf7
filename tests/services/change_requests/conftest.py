"""Fixtures of the change-request service tests."""

import pytest


@pytest.fixture
def pool(cloud):
    return cloud.add_pool("pool-demo", nodes=3)
