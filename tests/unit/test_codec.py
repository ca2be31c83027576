import pytest

from schemas import RawArticle
from streams.codec import decode
from streams.rejection import Rejected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"not json", "invalid_json"),
        (b'{"title": "t", "text": 5}', "invalid_schema"),
        (b'{"title": "t", "text": "x", "published": "someday"}', "invalid_schema"),
        (b"[1, 2]", "invalid_schema"),
        (b"", "empty_record"),
        (None, "empty_record"),
        (b"\xff\xfe{", "invalid_json"),
    ],
)
def test_bad_records_become_rejections_with_a_reason(value, reason):
    result = decode(RawArticle, value)
    assert isinstance(result, Rejected)
    assert result.reason == reason


def test_good_record_decodes():
    result = decode(RawArticle, b'{"title": "t", "text": "x"}')
    assert isinstance(result, RawArticle) and result.text == "x"
