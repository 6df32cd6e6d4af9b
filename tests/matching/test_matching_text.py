import pickle

import pytest

from matching import CharNgramTokenizer, JiebaTokenizer, highlight, normalize
from matching.normalize import normalize_with_offsets


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＯＬＥＤ　５Ｇ", "oled 5g"),  # full-width letters, digits and space
        ("資訊科技與軟體開發", "资讯科技与软体开发"),  # Traditional to Simplified
        ("SiC與GaN", "sic与gan"),
        ("a\x00b\u200bc\x1b", "a b c "),  # control and format characters become spaces
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_with_offsets_maps_back_to_source():
    text = "ＧＢ／Ｔ　7714與電池"
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text)
    assert len(offsets) == len(norm)
    assert text[offsets[norm.index("电池")]] == "電"


def test_char_ngrams_inside_cjk_runs_and_latin_terms_whole():
    toks = CharNgramTokenizer((1, 2))(normalize("肽Caco-2细胞，5G"))
    assert toks == ["肽", "caco-2", "细", "胞", "细胞", "5g"]
    # no bigram spans a Latin term or punctuation
    assert "肽细" not in toks and "胞5" not in toks


@pytest.mark.parametrize(
    "term", ["5g", "oled", "sic", "caco-2", "gb/t 7714", "gb/t 7714-2015", "h.264", "c++"]
)
def test_latin_and_number_terms_kept_whole(term):
    text = normalize(f"采用{term.upper()}技术")
    assert term in CharNgramTokenizer()(text)
    assert term in JiebaTokenizer()(text)


def test_jieba_uses_domain_dictionary_and_stopwords():
    toks = JiebaTokenizer()(normalize("新能源汽车的动力电池与数字孪生"))
    assert "新能源汽车" in toks and "动力电池" in toks and "数字孪生" in toks
    assert "的" not in toks and "与" not in toks


def test_jieba_tokenizer_pickles_and_compares():
    tok = JiebaTokenizer()
    tok("预热")
    clone = pickle.loads(pickle.dumps(tok))
    assert clone == tok
    assert clone("量子计算") == tok("量子计算")


@pytest.mark.parametrize(
    "text", ["", "   ", "😀😀", "\x00\x01", "ａｂｃ😀中文", "Ω≈∑", "x" * 5000, "👩‍🔬研究"]
)
def test_tokenizers_survive_odd_text(text):
    norm = normalize(text)
    assert isinstance(CharNgramTokenizer()(norm), list)
    assert isinstance(JiebaTokenizer()(norm), list)


def test_highlight_marks_original_text_also_in_traditional_script():
    segments = highlight("我們研究動力電池與5G、15G", ["动力电池", "5g"])
    assert "".join(s for s, _ in segments) == "我們研究動力電池與5G、15G"
    assert [s for s, hit in segments if hit] == ["動力電池", "5G"]


def test_highlight_without_terms_or_text():
    assert highlight("", ["电池"]) == []
    assert highlight("电池", []) == [("电池", False)]
