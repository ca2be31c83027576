"""Write the JSON Schema of every wire model into schemas/json/ (`python -m schemas.export`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from schemas import WIRE_MODELS

JSON_DIR = Path(__file__).parent / "json"


def rendered_schemas() -> dict[str, str]:
    """File name -> the JSON text that belongs in it."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True)
        + "\n"
        for name, model in WIRE_MODELS.items()
    }


def main() -> int:
    JSON_DIR.mkdir(exist_ok=True)
    for filename, text in rendered_schemas().items():
        (JSON_DIR / filename).write_text(text, encoding="utf-8")
        print(JSON_DIR / filename)
    return 0


if __name__ == "__main__":
    sys.exit(main())
