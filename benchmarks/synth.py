"""Write a synthetic deck of N cards (mixed kinds, short and long text) for benchmarks."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

WORDS = ("security cloud customer service account access key policy encryption network "
         "firewall data bucket instance region role user group compliance audit threat "
         "detect scan report manage control protect log event rule shared model root").split()
PER_FILE = 250


# Phrases in other scripts, for the font fallback (CJK), joining and bidi (Arabic, Hebrew).
SCRIPTS = ("暗号化キー", "セキュリティグループ", "κρυπτογράφηση", "التشفير الآمن", "הצפנה")


def _text(rng: random.Random, low: int, high: int, scripts: bool = False) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if len(words) > 6 and rng.random() < 0.3:
        words[2] = f"**{words[2]}**"
    if scripts and len(words) > 3 and rng.random() < 0.15:
        words[-2] = rng.choice(SCRIPTS)
    return " ".join(words).capitalize()


VARS = "abcnxyzk"
COMMON = (r"$E = mc^2$", r"$\frac{a}{b}$", r"$\sqrt{2}$", r"$a^2 + b^2 = c^2$",
          r"$\sum_{i=1}^{n} i$", r"$O(n \log n)$")
CODE = ("```python\ndef {w}(items):\n    for item in items:\n        yield item.{v}\n```",
        "```yaml\n{w}:\n  replicas: {n}\n  image: {v}:1.{n}\n```",
        "```bash\nkubectl get {w} -n {v} --output=yaml\n```")


def _formula(rng: random.Random) -> str:
    """Half of them from a small common set (cached after the first), half made up."""
    if rng.random() < 0.5:
        return rng.choice(COMMON)
    a, b = rng.choice(VARS), rng.choice(VARS)
    return rng.choice((f"${a}_{{{rng.randint(1, 60)}}}^{rng.randint(2, 9)}$",
                       f"$\\frac{{{a}+{rng.randint(1, 99)}}}{{{b}}}$",
                       f"$\\sqrt{{{a}^2 + {rng.randint(2, 99)}}}$",
                       f"$$\\sum_{{{a}=1}}^{{{rng.randint(2, 99)}}} {b}_{a}$$"))


def _technical(rng: random.Random, text: str) -> str:
    """Text with, sometimes, a formula or a code block (benchmarks of the math/code mix)."""
    roll = rng.random()
    if roll < 0.4:
        return f"{text} {_formula(rng)}"
    if roll < 0.5:
        block = rng.choice(CODE).format(w=rng.choice(WORDS), v=rng.choice(WORDS),
                                        n=rng.randint(1, 9))
        return f"{text}\n{block}"
    return text


def _quote(text: str) -> str:
    if "\n" in text:  # a line break survives only in a double-quoted scalar (JSON is one)
        return json.dumps(text)
    return "'" + text.replace("'", "''") + "'"


def card_yaml(rng: random.Random, n: int, technical: bool = False, basic: bool = False,
              scripts: bool = False) -> str:
    def text(low: int, high: int) -> str:
        return _text(rng, low, high, scripts)

    long = rng.random() < 0.2
    size = (25, 70) if long else (3, 14)
    kind = 0 if basic else n % 6
    lines = [f"  - id: c{n}"]
    if kind == 0:
        back = _technical(rng, text(*size)) if technical else text(*size)
        lines += [f"    front: {_quote(text(*size) + '?')}", f"    back: {_quote(back)}"]
    elif kind == 1:
        definition = text(*size)
        definition = _technical(rng, definition).replace("\n", " ") if technical else definition
        lines += [f"    term: {_quote(text(1, 3))}", f"    definition: {_quote(definition)}"]
    elif kind == 2:
        a, b, c = text(*size), text(1, 3), text(3, 8)
        if technical and rng.random() < 0.4:
            b = _formula(rng)  # a deletion that hides a whole formula
        lines += [f"    cloze: {_quote(f'{a} [[{b}]] and {c} [[{rng.choice(WORDS)}]].')}"]
    elif kind == 3:
        lines += [f"    list: {_quote(text(3, 8) + ':')}", "    items:"]
        lines += [f"      - {_quote(text(2, 9))}" for _ in range(rng.randint(2, 5))]
    elif kind == 4:
        lines += ["    group: who", f"    item: {_quote(text(*size))}",
                  f"    answer: {rng.choice(['AWS', 'Shared', 'Customer'])}"]
    else:
        lines += ["    compare: [Alpha, Beta]", "    rows:"]
        lines += [f"      {text(1, 2)} {i}: [{_quote(text(2, 8))}, {_quote(text(2, 8))}]"
                  for i in range(rng.randint(2, 4))]
    if rng.random() < 0.25:
        lines.append(f"    explain: {_quote(text(8, 30))}")
    return "\n".join(lines)


def write_synthetic(root: Path, count: int, seed: int = 7, technical: bool = False,
                    basic: bool = False, scripts: bool = False, formulas: bool = True) -> Path:
    """root/cards with `count` cards in files of PER_FILE; returns the cards folder. With
    `technical`, some texts get TeX formulas and code blocks (benchmarks/bench_math.py); with
    `scripts`, some get a phrase in Japanese, Greek, Arabic or Hebrew; with `basic`, every card
    is a front/back card (the shape ankdown and the raw baseline take). `formulas=False` writes
    the same deck with each formula's TeX as plain text: what formulas cost is the difference."""
    rng = random.Random(seed)
    cards = root / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (cards / "deck.yaml").write_text(
        f"id: synthetic\nname: Synthetic::{count}\ntitle: Synthetic deck of {count} cards\n")
    for start in range(0, count, PER_FILE):
        body = "\n".join(card_yaml(rng, n, technical, basic, scripts)
                          for n in range(start, min(start + PER_FILE, count)))
        if not formulas:
            body = _FORMULA.sub(lambda m: _TEX_SIGNS.sub(" ", m.group(1)).strip(), body)
        (cards / f"{start // PER_FILE:05d}.yaml").write_text(
            f"section: Section {start // PER_FILE + 1}\n"
            "groups:\n  who:\n    title: Who is responsible?\n    columns: [AWS, Shared, Customer]\n"
            f"cards:\n{body}\n", encoding="utf-8")
    return cards


def write_mixed(root: Path, count: int, formulas: bool = True) -> Path:
    """The benchmarks' mixed deck: every kind of card, formulas, code blocks, other scripts."""
    return write_synthetic(root, count, technical=True, scripts=True, formulas=formulas)


_FORMULA = re.compile(r"\$\$?([^$]+?)\$\$?")
_TEX_SIGNS = re.compile(r"[\\{}^_]+")
