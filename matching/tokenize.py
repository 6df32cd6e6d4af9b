"""Tokenisers over normalised text: CJK character n-grams, jieba words, whole Latin/number terms."""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import jieba

__all__ = [
    "CharNgramTokenizer",
    "JiebaTokenizer",
    "iter_spans",
    "latin_terms",
    "load_stopwords",
]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ALNUM = "0-9a-z\u00df-\u024f\u0370-\u03ff\u0400-\u04ff"
# A standard code such as "gb/t 7714-2015" stays one term, then any alphanumeric run that may
# contain inner hyphens, dots, slashes or plus signs ("caco-2", "sio2", "h.264", "tcp/ip", "c++").
_LATIN = (
    rf"(?<![{_ALNUM}])[a-z]{{1,4}}/[tz] ?\d+(?:[.\-]\d+)*"
    rf"|[{_ALNUM}]+(?:[\-./+][{_ALNUM}]+)*\+*"
)
_SPAN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>{_LATIN})")


def iter_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(kind, start, end)`` for each CJK run ("cjk") and Latin/number term ("latin")."""
    for m in _SPAN_RE.finditer(text):
        yield m.lastgroup, m.start(), m.end()


def latin_terms(text: str) -> list[str]:
    """Return the whole Latin/number terms of normalised *text*."""
    return [m.group() for m in _SPAN_RE.finditer(text) if m.lastgroup == "latin"]


@lru_cache(maxsize=4)
def load_stopwords(name: str = "stopwords.txt") -> frozenset[str]:
    """Load a stop-word list shipped in ``matching/resources``."""
    text = resources.files("matching.resources").joinpath(name).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


class CharNgramTokenizer:
    """Character n-grams inside CJK runs plus whole Latin/number terms.

    Parameters
    ----------
    ngram_range : tuple of int
        Smallest and largest n-gram length inside a CJK run.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2)):
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        """Tokenise normalised *text*."""
        lo, hi = self.ngram_range
        out: list[str] = []
        for m in _SPAN_RE.finditer(text):
            tok = m.group()
            if m.lastgroup == "latin":
                out.append(tok)
                continue
            if lo <= 1:
                out.extend(tok)
            if lo <= 2 <= hi:
                out.extend(map(operator.add, tok, tok[1:]))
            for n in range(max(lo, 3), hi + 1):
                out.extend(tok[i : i + n] for i in range(len(tok) - n + 1))
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.ngram_range == self.ngram_range

    def __repr__(self) -> str:
        return f"CharNgramTokenizer(ngram_range={self.ngram_range})"


class JiebaTokenizer:
    """jieba words (private Tokenizer with the domain dictionary) plus whole Latin/number terms.

    Picklable: the jieba ``Tokenizer`` (which holds an ``RLock``) is rebuilt lazily after
    unpickling.

    Parameters
    ----------
    user_dict : str
        Name of a jieba dictionary file in ``matching/resources``.
    stopwords : str
        Name of a stop-word file in ``matching/resources``.
    hmm : bool
        Whether jieba guesses unknown words with its HMM (slower).
    """

    _lock = threading.Lock()

    def __init__(
        self,
        user_dict: str = "domain_dict.txt",
        stopwords: str = "stopwords.txt",
        hmm: bool = False,
    ):
        self.user_dict = user_dict
        self.stopwords = stopwords
        self.hmm = hmm
        self._jieba = None
        self._stop: frozenset[str] = frozenset()

    def _tokenizer(self) -> jieba.Tokenizer:
        """Return the private jieba tokenizer, building it on first use."""
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    tok = jieba.Tokenizer()
                    tok.initialize()
                    if self.user_dict:
                        path = resources.files("matching.resources").joinpath(self.user_dict)
                        with resources.as_file(path) as p:
                            tok.load_userdict(str(p))
                    self._stop = load_stopwords(self.stopwords) if self.stopwords else frozenset()
                    self._jieba = tok
        return self._jieba

    def __call__(self, text: str) -> list[str]:
        """Tokenise normalised *text*."""
        tok = self._tokenizer()
        stop = self._stop
        out: list[str] = []
        for m in _SPAN_RE.finditer(text):
            if m.lastgroup == "latin":
                out.append(m.group())
            else:
                out.extend(w for w in tok.cut(m.group(), HMM=self.hmm) if w not in stop)
        return out

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_jieba"] = None
        state["_stop"] = frozenset()
        return state

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (
            (other.user_dict, other.stopwords, other.hmm)
            == (self.user_dict, self.stopwords, self.hmm)
        )

    def __repr__(self) -> str:
        return f"JiebaTokenizer(user_dict={self.user_dict!r}, hmm={self.hmm})"
