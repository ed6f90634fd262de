"""Draw assets/shared-responsibility.png, the shared responsibility model diagram.

Run it after changing the text below: `python tools/draw_diagram.py`. The PNG is committed so
that a build needs nothing but the card files.

Drawn for a phone first: 800 px wide with 30 px text, so that shown about 340 px wide (a card
on a 390 px phone) its labels are still 12-13 px tall, and the text wraps inside its boxes
instead of shrinking. The background is transparent, so in night mode only the two coloured
layers show, not a white sheet; every label sits on its own light fill, so it reads on any
background, and on paper. Readable in black and white: each layer carries its owner's name
and a different outline, colour is only a help.
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
W = 800
PAD, GAP, CELL_PAD = 16, 10, 12
bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 34)
note_font = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 28)
regular = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 30)

CUSTOMER = ("CUSTOMER: security IN the cloud", [
    ["Customer data"],
    ["Platform, applications, identity & access management (IAM)"],
    ["Operating system (guest OS), network & firewall configuration"],
    ["Client-side data encryption", "Server-side encryption", "Network traffic protection"],
])
AWS = ("AWS: security OF the cloud", [
    ["Compute", "Storage"],
    ["Database", "Networking"],
    ["Hardware / AWS global infrastructure: Regions, Availability Zones, edge locations"],
])
NOTE = "The more managed the service, the more AWS does: EC2 > RDS > S3, DynamoDB, Lambda"


def wrap(draw, text, font, width):
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line]


def line_height(font):
    return font.size * 1.25


def text_block(draw, lines, font, x0, x1, y):
    """Centred lines between x0 and x1 from y down; returns the bottom."""
    for line in lines:
        tw = draw.textlength(line, font=font)
        draw.text(((x0 + x1 - tw) / 2, y), line, font=font, fill="black")
        y += line_height(font)
    return y


def band(draw, top, title, rows, fill, dashed, measure=False):
    left, right = 4, W - 4
    y = top + PAD + line_height(bold) + GAP
    layout = []
    for row in rows:
        cell_w = (right - left - 2 * PAD - (len(row) - 1) * GAP) / len(row)
        wrapped = [wrap(draw, text, regular, cell_w - 2 * CELL_PAD) for text in row]
        row_h = max(len(w) for w in wrapped) * line_height(regular) + 2 * CELL_PAD
        layout.append((y, cell_w, wrapped, row_h))
        y += row_h + GAP
    bottom = y + PAD - GAP
    if measure:
        return bottom
    draw.rectangle([left, top, right, bottom], outline="black", width=4, fill=fill)
    if dashed:  # a second outline style, so the two layers differ without colour
        for x in range(left + 8, right - 8, 24):
            draw.line([x, top + 9, x + 12, top + 9], fill="black", width=3)
    draw.text((left + PAD, top + PAD + 2), title, font=bold, fill="black")
    for y, cell_w, wrapped, row_h in layout:
        for i, lines in enumerate(wrapped):
            x0 = left + PAD + i * (cell_w + GAP)
            draw.rectangle([x0, y, x0 + cell_w, y + row_h], outline="black", width=2,
                           fill="white")
            inner = len(lines) * line_height(regular)
            text_block(draw, lines, regular, x0, x0 + cell_w, y + (row_h - inner) / 2)
    return bottom


def note(draw, top, measure=False):
    lines = wrap(draw, NOTE, note_font, W - 8 - 2 * PAD)
    bottom = top + len(lines) * line_height(note_font) + 2 * CELL_PAD
    if not measure:
        draw.rectangle([4, top, W - 4, bottom], outline="black", width=2, fill="white")
        text_block(draw, lines, note_font, 4, W - 4, top + CELL_PAD)
    return bottom


def main():
    scratch = ImageDraw.Draw(Image.new("RGBA", (W, 10)))
    height = band(scratch, 4, *CUSTOMER, fill=None, dashed=False, measure=True)
    height = note(scratch, height + 14, measure=True)
    height = band(scratch, height + 14, *AWS, fill=None, dashed=True, measure=True) + 4
    image = Image.new("RGBA", (W, int(height)), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    bottom = band(draw, 4, *CUSTOMER, fill="#dbeafe", dashed=False)
    bottom = note(draw, bottom + 14)
    band(draw, bottom + 14, *AWS, fill="#fde68a", dashed=True)
    image.save(ROOT / "assets" / "shared-responsibility.png", optimize=True)


if __name__ == "__main__":
    main()
