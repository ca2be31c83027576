"""Learn the furniture model's shipped defaults offline, from a corpus: the cold start.

    python bench/furniture_defaults.py [--corpus PATH] [--out PATH]

The same learner the worker runs (streams/cleaning/furniture.py) reads the corpus in
arrival order, each outlet apart, from an empty model; then the model, frozen, cleans
every article again, and each template it removed somewhere is kept, with its support.
Only those: a template is masked (casefolded, digits "#", links "url", punctuation gone)
and is kept only when it was furniture (frequent across an outlet's articles), so the file
holds no body text. The package applies these templates to every outlet from its first
article, by the same thresholds as the ones it learns.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.clean_quality import CORPUS, Replay, raw_article
from schemas import CleanArticle
from streams.cleaning import furniture
from streams.cleaning.logic import OutletLearning

OUT = Path(furniture.__file__).with_name(furniture.DEFAULTS_FILE)


def learned_defaults(rows: list[dict[str, str]]) -> dict[str, int]:
    """Template -> support, for every template the model learned from `rows` removes."""
    learner = Replay(OutletLearning(defaults={}))
    for row in rows:
        learner.clean(raw_article(row))
    frozen = learner.frozen()
    found: dict[str, int] = {}
    for row in rows:
        result = frozen.clean(raw_article(row))
        if isinstance(result, CleanArticle):
            for removal in frozen.learned:
                found[removal.template] = max(found.get(removal.template, 0), removal.support)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    lines = args.corpus.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    found = learned_defaults(rows)
    document = {
        "about": (
            "Furniture templates learned offline by bench/furniture_defaults.py from "
            f"{args.corpus.name} ({len(rows)} articles): masked lines and sentences its "
            "outlets repeated, with their support (articles of one outlet). Applied to every "
            "outlet from its first article. No body text."
        ),
        "thresholds": {
            "alone": furniture.THRESHOLD,
            "prose": furniture.PROSE_THRESHOLD,
            "block": furniture.BLOCK_THRESHOLD,
        },
        "templates": [
            {"template": text, "support": support}
            for text, support in sorted(found.items(), key=lambda item: (-item[1], item[0]))
        ],
    }
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(found)} templates -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
