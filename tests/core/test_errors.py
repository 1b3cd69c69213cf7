"""ApplicationError: an upstream failure's message, written in the language of whoever reads it."""

import pickle

from django.utils import translation
from django.utils.text import format_lazy

from pools.core.errors import ApplicationError, upstream_title
from pools.modelarts import errors as client_errors
from pools.selectors.modelarts import LISTING_POOLS


def every_client_error() -> list[type[client_errors.ModelArtsError]]:
    found, pending = [client_errors.ModelArtsError], [client_errors.ModelArtsError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__ == client_errors.__name__:
                found.append(subclass)
                pending.append(subclass)
    return found


def test_every_client_errors_title_is_translated_and_reads_as_the_client_writes_it_in_english():
    for error_class in every_client_error():
        error = error_class()
        with translation.override("en"):
            assert str(upstream_title(error)) == error_class.title, error_class.__name__
        with translation.override("zh-hans"):
            chinese = str(upstream_title(error))
        assert chinese != error_class.title, f"{error_class.__name__}'s title has no Chinese"


def test_an_upstream_failure_reads_in_the_language_active_when_it_is_read():
    error = ApplicationError.from_upstream(
        format_lazy(LISTING_POOLS, name="prod"), client_errors.AuthenticationError(status=401)
    )
    with translation.override("zh-hans"):
        assert error.message == "列出连接“prod”的资源池失败：ModelArts 拒绝了访问凭证。"
        assert str(error) == error.message
    with translation.override("en"):
        assert (
            error.message
            == "Listing the pools of connection “prod” failed: ModelArts refused the credentials."
        )
        assert isinstance(error.message, str)


def test_a_lazy_message_pickles_and_stays_language_neutral():
    message = ApplicationError.from_upstream("Reading", client_errors.ServerError(status=500)).lazy_message
    restored = pickle.loads(pickle.dumps(message))
    with translation.override("zh-hans"):
        assert str(restored) == "Reading失败：ModelArts 服务器出错。"


def test_a_plain_message_stays_as_given():
    assert ApplicationError("Keys are gone.").message == "Keys are gone."
