"""Personal data at rest: round trip, fresh nonces, tamper detection, blind index."""

import base64

import pytest

from jinqiu.core.crypto import DecryptionError, blind_index, decrypt, encrypt

KEY = "k" * 32 + "test-key-one"
OTHER_KEY = "o" * 32 + "test-key-two"
TEXT = "张三 11010519491231002X 新浦街道新东社区"


def test_round_trip_of_chinese_text():
    token = encrypt(TEXT, key=KEY)
    assert token.startswith("v1:")
    assert "张三" not in token and "11010519491231002X" not in token
    assert decrypt(token, key=KEY) == TEXT


def test_same_text_never_gives_the_same_token():
    assert encrypt(TEXT, key=KEY) != encrypt(TEXT, key=KEY)


def test_tampered_token_is_refused():
    token = encrypt(TEXT, key=KEY)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[20] ^= 0x01
    tampered = "v1:" + base64.urlsafe_b64encode(bytes(raw)).decode("ascii")
    with pytest.raises(DecryptionError):
        decrypt(tampered, key=KEY)


@pytest.mark.parametrize("token", ["", "v2:abcd", "v1:!!!not-base64!!!", "v1:" + "A" * 8, "plain text"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(DecryptionError):
        decrypt(token, key=KEY)


def test_other_key_cannot_decrypt():
    with pytest.raises(DecryptionError):
        decrypt(encrypt(TEXT, key=KEY), key=OTHER_KEY)


def test_short_key_is_refused():
    with pytest.raises(ValueError):
        encrypt(TEXT, key="short")


def test_blind_index_is_deterministic_and_depends_on_the_key():
    index = blind_index("11010519491231002X", key=KEY)
    assert len(index) == 64
    assert index == blind_index("11010519491231002X", key=KEY)
    assert index != blind_index("11010519491231002X", key=OTHER_KEY)
    assert index != blind_index("110105194912310029", key=KEY)
    assert "11010519491231002X" not in index
