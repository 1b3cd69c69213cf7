import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from pools import crypto

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_round_trip_and_ciphertext_hides_plaintext():
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        token = crypto.encrypt("SK-plain-value")
        assert "SK-plain-value" not in token
        assert crypto.decrypt(token) == "SK-plain-value"


def test_rotation_moves_a_token_to_the_newest_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = crypto.encrypt("value")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        rotated = crypto.rotate(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert crypto.decrypt(rotated) == "value"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)
