"""Subsidy speed (issue 11): 10k engine computations and `jiebang --help` start-up, as CPU time.

    python -m marketplace.bench.subsidies [--baseline /path/to/other/checkout] [--out var/bench-subsidies.json]

Each figure is the best of several runs in a fresh process (CPU seconds of that process: the shared
machine's load inflates wall time, less so CPU time). With --baseline the same measurements run on
the other checkout too (e.g. main before this branch), in the same command, so the two figures are
comparable. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
POLICIES = ("JB-COMPLETION", "EARLY-INVEST", "JB-COMPLETION", "HTE-GROWTH")  # shipped on main too
ENGINE = """
import json, sys, time
from marketplace.subsidies.engine.policies import load_policies
from marketplace.subsidies.engine.simulate import run_cases
data = json.load(open(sys.argv[1]))
policies = load_policies()
times = []
for _ in range(int(sys.argv[2])):
    start = time.process_time()
    entries, _ = run_cases(data, policies)
    times.append(time.process_time() - start)
assert len(entries) == len(data["cases"])
print(json.dumps({"cpu_best": min(times), "cpu_all": times}))
"""


def cases(n: int = 10_000, seed: int = 5) -> dict:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        code = rng.choice(POLICIES)
        row = {"id": f"C{i}", "policy": code, "beneficiary": f"B{rng.randrange(3000)}",
               "base": f"{rng.randrange(0, 4_000_000_000) // 100}.{rng.randrange(100):02d}",
               "date": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"}
        if code == "JB-COMPLETION":
            row["verdict"] = rng.choice(["PASSED", "PASSED", "FAILED"])
        rows.append(row)
    return {"cases": rows}


def _env(checkout: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(checkout), "JIEBANG_ENV": "dev"}


def _child_cpu(cmd: list[str], checkout: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=checkout, env=_env(checkout), check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(checkout: Path, case_file: Path, repeat: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", ENGINE, str(case_file), str(repeat)], cwd=checkout,
                         env=_env(checkout), check=True, capture_output=True, text=True).stdout
    engine = json.loads(out.strip().splitlines()[-1])
    startup = min(_child_cpu([sys.executable, "-m", "marketplace.cli", "--help"], checkout) for _ in range(5))
    return {"engine_10k_cpu_s": round(engine["cpu_best"], 3), "jiebang_help_cpu_s": round(startup, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way (before)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        case_file = Path(tmp) / "cases.json"
        case_file.write_text(json.dumps(cases()), encoding="utf-8")
        figures = {"this": measure(HERE, case_file, args.repeat)}
        if args.baseline:
            figures["baseline"] = measure(args.baseline.resolve(), case_file, args.repeat)
    for name, values in figures.items():
        print(f"{name:9} 10k subsidy computations: {values['engine_10k_cpu_s']:.3f} s CPU;  "
              f"jiebang --help: {values['jiebang_help_cpu_s']:.3f} s CPU")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
