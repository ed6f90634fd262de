"""Make the fallback fonts in assets/fonts/ from Debian's packages (run as root once):

    apt-get install -y fonts-droid-fallback fonts-symbola
    python tools/fallback_fonts.py

DroidSansFallbackFull.ttf (CJK) is copied as it is. Symbola (emoji and symbols, monochrome)
is cut down to the characters DejaVu Sans lacks (and the space), without hinting: 1.6 MB instead of 3.2 MB.
Both are TrueType (glyf) fonts, which ReportLab can embed.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "assets" / "fonts"
DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
SYMBOLA = Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")


def main() -> None:
    shutil.copyfile(DROID, FONTS / DROID.name)
    dejavu = set(TTFont(FONTS / "DejaVuSans.ttf", lazy=True)["cmap"].getBestCmap())
    font = TTFont(SYMBOLA)
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    # Spaces too: a space between two emoji is drawn in their font.
    keep = (set(font["cmap"].getBestCmap()) - dejavu) | {0x20, 0xA0}
    subsetter.populate(unicodes=sorted(keep))
    subsetter.subset(font)
    font.save(FONTS / "Symbola-Subset.ttf")


if __name__ == "__main__":
    main()
