"""What every demo loader shares: the seed files, the demo password, the count of rows made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from marketplace.config import SEEDS_DIR

DEMO_PASSWORD = "jiebang-demo-2026"


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def read(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict]:
    """The list under the top-level key of seeds/demo/<name>.yaml ([] if the file is missing)."""
    path = seeds_dir / "demo" / f"{name}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data.get(name, [])
