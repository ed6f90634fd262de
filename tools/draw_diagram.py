"""Draw assets/shared-responsibility.png, the shared responsibility model diagram.

Run it after changing the text below: `python tools/draw_diagram.py`. The PNG is committed so
that a build needs nothing but the card files. Readable in black and white: each layer carries
its owner's name and a different outline, colour is only a help.
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
W, H = 1200, 652
bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 30)
bold_small = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 22)
regular = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 22)

CUSTOMER = ("CUSTOMER: security IN the cloud", [
    ["Customer data"],
    ["Platform, applications, identity & access management (IAM)"],
    ["Operating system (guest OS), network & firewall configuration"],
    ["Client-side data encryption", "Server-side encryption", "Network traffic protection"],
])
AWS = ("AWS: security OF the cloud", [
    ["Compute", "Storage", "Database", "Networking"],
    ["Hardware / AWS global infrastructure: Regions, Availability Zones, edge locations"],
])


def band(draw, top, title, rows, fill, dashed):
    left, right = 40, W - 40
    row_h, gap = 62, 10
    height = 60 + len(rows) * (row_h + gap)
    draw.rectangle([left, top, right, top + height], outline="black", width=4, fill=fill)
    if dashed:  # a second outline style, so the two layers differ without colour
        for x in range(left + 8, right - 8, 24):
            draw.line([x, top + 8, x + 12, top + 8], fill="black", width=3)
    draw.text((left + 20, top + 16), title, font=bold, fill="black")
    y = top + 60
    for row in rows:
        cell_w = (right - left - 40 - (len(row) - 1) * gap) / len(row)
        for i, text in enumerate(row):
            x0 = left + 20 + i * (cell_w + gap)
            draw.rectangle([x0, y, x0 + cell_w, y + row_h], outline="black", width=2, fill="white")
            font = regular
            tw = draw.textlength(text, font=font)
            while tw > cell_w - 16:
                font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), font.size - 1)
                tw = draw.textlength(text, font=font)
            draw.text((x0 + (cell_w - tw) / 2, y + row_h / 2), text, font=font, fill="black",
                      anchor="lm")
        y += row_h + gap
    return top + height


def main():
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    bottom = band(draw, 30, *CUSTOMER, fill="#dbeafe", dashed=False)
    band(draw, bottom + 40, *AWS, fill="#fde68a", dashed=True)
    draw.text((W / 2, bottom + 20), "The more managed the service, the more AWS does: "
              "EC2 > RDS > S3, DynamoDB, Lambda", font=bold_small, fill="black", anchor="mm")
    image.save(ROOT / "assets" / "shared-responsibility.png", optimize=True)


if __name__ == "__main__":
    main()
