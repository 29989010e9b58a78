"""Draw the Kurslotse program icon (an original drawing, CC0): a smartphone on a blue tile with a guiding star.

Run once after changing the drawing:  .venv/bin/python installer/programmsymbol_zeichnen.py
Writes ressourcen/programmsymbol/kurslotse.ico (Windows, 16–256 px) and kurslotse.png (256 px).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

S = 1024
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle((40, 40, S - 40, S - 40), radius=200, fill="#0b3a6e")
# smartphone
d.rounded_rectangle((330, 170, 694, 860), radius=70, fill="#ffffff")
d.rounded_rectangle((370, 250, 654, 740), radius=18, fill="#cfe0f5")
d.ellipse((482, 770, 542, 830), fill="#0b3a6e")
# a four-pointed guiding star on the screen (the "Lotse" shows the way)
cx, cy, r, w = 512, 495, 170, 50
d.polygon([(cx, cy - r), (cx + w, cy - w), (cx + r, cy), (cx + w, cy + w), (cx, cy + r), (cx - w, cy + w),
           (cx - r, cy), (cx - w, cy - w)], fill="#f2a900")
d.ellipse((cx - 30, cy - 30, cx + 30, cy + 30), fill="#ffffff")
out = Path(__file__).resolve().parent.parent / "ressourcen" / "programmsymbol"
img.resize((256, 256), Image.LANCZOS).save(out / "kurslotse.png")
img.save(out / "kurslotse.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
