"""Segmentation with the county dictionary: service terms stay whole in a
query, and the index holds them whole and in parts."""

import pytest

from yichuang.knowledge.text import (
    county_words,
    cut_query,
    index_terms,
    mask_phones,
    pinyin_keys,
    query_runs,
)

SERVICE_TERMS = ["低保", "临时救助", "异地就医备案", "社保卡", "灵活就业", "高龄津贴"]


@pytest.mark.parametrize("term", SERVICE_TERMS)
def test_it_keeps_a_service_term_whole_in_a_query(term):
    assert term in cut_query(f"请问{term}怎么办理")


def test_the_county_dictionary_lists_the_service_terms():
    words = {word for word, _freq in county_words()}
    assert set(SERVICE_TERMS) <= words


def test_it_indexes_a_long_term_whole_and_in_parts():
    terms = index_terms("最低生活保障申请")
    assert {"最低生活保障", "最低", "生活", "保障", "申请"} <= terms


def test_it_drops_stop_words_and_punctuation():
    assert cut_query("社保卡丢了怎么办？！") == ["社保卡", "丢"]
    assert index_terms("！？。，、……") == set()


def test_query_syntax_is_only_text():
    assert query_runs('"低保" OR dbsq* NEAR:-1') == ["低保", "or", "dbsq", "near", "1"]
    assert query_runs("😀🎉!!!") == []


def test_it_folds_full_width_letters():
    assert query_runs("ＤＢＳＱ") == ["dbsq"]


def test_pinyin_keys():
    assert pinyin_keys("低保") == ("dibao", "db")
    assert pinyin_keys("abc") == ("", "")


def test_it_masks_phone_numbers():
    assert mask_phones("电话 13812345678，座机 0571-88886666") == (
        "电话 138****5678，座机 0571-****66"
    )
