"""Load the portal's notices, policy documents and role guides from seeds/portal (read-only, cached).

Content is data, like the subsidy policies: the bureau edits YAML, nothing is stored in the database, and a
policy text kept in Traditional script (as the shared rendering of 穗府办〔2022〕19号 is) is shown in Simplified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

from marketplace.config import SEEDS_DIR
from marketplace.errors import NotFound

PORTAL_DIR = SEEDS_DIR / "portal"


@dataclass(frozen=True)
class Notice:
    slug: str
    title: str
    date: date
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class PolicyDocument:
    slug: str
    title: str
    number: str
    issuer: str
    date: date
    summary: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class FaqItem:
    q: str
    a: str


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    steps: tuple[str, ...]
    faq: tuple[FaqItem, ...]


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip())


def _load(name: str, root: Path) -> list[dict]:
    return yaml.safe_load((root / name).read_text(encoding="utf-8")) or []


@lru_cache
def notices(root: Path = PORTAL_DIR) -> tuple[Notice, ...]:
    """Every notice, newest first."""
    items = [Notice(slug=n["slug"], title=n["title"], date=n["date"], paragraphs=_paragraphs(n["body"]))
             for n in _load("notices.yaml", root)]
    return tuple(sorted(items, key=lambda n: (n.date, n.slug), reverse=True))


@lru_cache
def policies(root: Path = PORTAL_DIR) -> tuple[PolicyDocument, ...]:
    """Every policy document, its text converted to Simplified script."""
    to_simplified = opencc.OpenCC("t2s")
    docs = []
    for p in _load("policies.yaml", root):
        text = (root / "policies" / p["file"]).read_text(encoding="utf-8")
        docs.append(PolicyDocument(slug=p["slug"], title=p["title"], number=p["number"], issuer=p["issuer"],
                                   date=p["date"], summary=p["summary"],
                                   paragraphs=_paragraphs(to_simplified.convert(text).replace("**", ""))))
    return tuple(sorted(docs, key=lambda d: d.date, reverse=True))


@lru_cache
def guides(root: Path = PORTAL_DIR) -> tuple[Guide, ...]:
    return tuple(Guide(slug=g["slug"], title=g["title"], steps=tuple(g["steps"]),
                       faq=tuple(FaqItem(q=f["q"], a=f["a"]) for f in g.get("faq", [])))
                 for g in _load("guides.yaml", root))


def _find(items, slug: str, what: str):
    for item in items:
        if item.slug == slug:
            return item
    raise NotFound(f"{what}不存在")


def notice(slug: str) -> Notice:
    return _find(notices(), slug, "公告")


def policy(slug: str) -> PolicyDocument:
    return _find(policies(), slug, "政策文件")


def guide(slug: str) -> Guide:
    return _find(guides(), slug, "办事指南")
