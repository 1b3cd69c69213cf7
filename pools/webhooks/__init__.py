"""Signed JSON webhooks, without Django: how a delivery is signed and verified (``signing``), and a small
local receiver that verifies and logs what it gets (``receiver``, used by the demo and the tests)."""
