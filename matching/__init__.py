"""Chinese text matching: normalisation, tokenisation, BM25/TF-IDF index, explanation, evaluation.

Imports nothing from ``marketplace``.
"""

from matching.explain import highlight
from matching.index import FORMAT_VERSION, Hit, IndexCorrupt, SearchIndex, TermContribution
from matching.normalize import normalize
from matching.tokenize import CharNgramTokenizer, JiebaTokenizer

__all__ = [
    "FORMAT_VERSION",
    "CharNgramTokenizer",
    "Hit",
    "IndexCorrupt",
    "JiebaTokenizer",
    "SearchIndex",
    "TermContribution",
    "highlight",
    "normalize",
]
