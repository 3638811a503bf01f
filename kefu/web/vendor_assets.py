"""Copy the pinned front-end packages from node_modules into kefu/static/vendor (no CDN)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = {
    "node_modules/htmx.org/dist/htmx.min.js": "htmx.min.js",
}


def main() -> None:
    target = ROOT / "kefu" / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for source, name in ASSETS.items():
        shutil.copyfile(ROOT / source, target / name)


if __name__ == "__main__":
    main()
