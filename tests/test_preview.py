"""The preview page and the cards' design, in a real browser (headless Chromium)."""
from __future__ import annotations

import re

import pytest

from browser import open_page
from conftest import run, write_deck
from studycards import cardhtml, notetypes
from studycards.source import load_deck
from studycards.writers import preview

PAGE = "dist/aws-security.html"
PHONE = 390


@pytest.fixture(scope="module")
def deck(shipped):
    return load_deck(shipped / "cards", source_date_epoch=0)


@pytest.fixture
def page(browser, shipped):
    watched = open_page(browser, (shipped / PAGE).as_uri())
    yield watched
    assert watched.errors == [], "console errors"
    assert watched.refused == [], "requests that would leave the machine"
    assert all(url.startswith(("file:", "data:")) for url in watched.requests)
    watched.page.context.close()


def anchors(deck) -> list[str]:
    return [f"{face.card.id}-{face.ordinal + 1}" for face in cardhtml.faces(deck)]


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(
        ".pv-card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.id)")


def test_every_card_is_on_the_page_as_the_deck_renders_it(page, deck):
    faces = list(cardhtml.faces(deck))
    anchors = [f"{face.card.id}-{face.ordinal + 1}" for face in faces]
    assert visible_cards(page.page) == anchors
    assert page.page.inner_text("#pv-count") == f"{len(faces)} cards"
    for face, anchor in zip(faces[:20], anchors):
        meta = page.page.text_content(f"#{anchor} .pv-meta")
        assert face.card.id in meta and f"{face.card.origin.file}:{face.card.origin.line}" in meta
    headings = page.page.eval_on_selector_all(".pv-section h2", "hs => hs.map(h => h.textContent)")
    assert headings == [section.title for section in deck.sections]
    # The same HTML as the deck's renderer (images aside, inline on the page)
    first = faces[1]
    html = page.page.inner_html(f"#{anchors[1]} .pv-q .card")
    assert html == first.question


def test_search_filters_cards_and_sections(page, deck):
    p = page.page
    p.fill("#pv-search", "cloudhsm")
    shown = visible_cards(p)
    expected = [f"{f.card.id}-{f.ordinal + 1}" for f in cardhtml.faces(deck)
                if "cloudhsm" in (f.card.id + f.question + f.answer).lower()]
    assert shown == expected and 2 < len(shown) < 20
    total = len(anchors(deck))
    assert p.inner_text("#pv-count") == f"{len(shown)} of {total} cards"
    p.fill("#pv-search", "delete   MFA")  # every word, any case, in any order
    shown = visible_cards(p)
    # The file a card comes from is searched too (here under /tmp/pytest-of-root/...).
    texts = {f"{f.card.id}-{f.ordinal + 1}": (f.card.id + f.card.origin.file + f.section.title
                                             + f.question + f.answer).lower()
             for f in cardhtml.faces(deck)}
    assert "root-mfa-delete-1" in shown and "root-mfa-1" not in shown
    assert shown == [a for a, text in texts.items() if "delete" in text and "mfa" in text]
    sections = p.eval_on_selector_all(".pv-section", "ss => ss.filter(s => s.offsetParent)"
                                      ".map(s => s.querySelector('h2').textContent)")
    assert "Root user" in sections and "Security services" not in sections
    p.fill("#pv-search", "no card says this")
    assert visible_cards(p) == [] and p.inner_text("#pv-count") == f"0 of {total} cards"
    p.fill("#pv-search", "")
    assert len(visible_cards(p)) == total


def test_study_mode_shows_one_question_and_flips(page, deck):
    p = page.page
    ids = anchors(deck)

    def state():
        return p.evaluate("""() => {
            const c = [...document.querySelectorAll('.pv-card')].filter(e => e.offsetParent);
            return c.map(e => [e.id, !!e.querySelector('.pv-q').offsetParent,
                               !!e.querySelector('.pv-a').offsetParent]);
        }""")

    p.click("#pv-study")
    assert state() == [[ids[0], True, False]]
    assert p.inner_text("#pv-position") == f"1 / {len(ids)}"
    assert p.inner_text("#pv-flip") == "Show answer"
    p.keyboard.press("Space")
    assert state() == [[ids[0], False, True]]
    assert p.inner_text("#pv-flip") == "Show question"
    p.keyboard.press("ArrowRight")
    assert state() == [[ids[1], True, False]]
    p.click(f"#{ids[1]}")  # a tap flips
    assert state() == [[ids[1], False, True]]
    p.keyboard.press("ArrowLeft")
    p.keyboard.press("ArrowLeft")
    assert state() == [[ids[-1], True, False]]  # wraps to the last card
    p.fill("#pv-search", "guardduty")  # study what the search found
    assert p.inner_text("#pv-position").endswith(f"/ {len(visible_cards_all(p))}")
    p.keyboard.press("Escape")  # in the search box: leaves study mode alone
    p.click("#pv-study")
    assert len(state()) > 1


def visible_cards_all(p):
    return p.eval_on_selector_all(".pv-card:not(.pv-hidden)", "cs => cs.map(c => c.id)")


def test_night_and_phone_switches(page):
    p = page.page
    light = p.evaluate("getComputedStyle(document.querySelector('.pv-q .card')).backgroundColor")
    p.click("#pv-night")
    night = p.evaluate("getComputedStyle(document.querySelector('.pv-q .card')).backgroundColor")
    assert light != night and p.evaluate("document.body.classList.contains('nightMode')")
    p.click("#pv-phone")
    widths = p.eval_on_selector_all(".pv-face", "fs => fs.map(f => f.getBoundingClientRect().width)")
    assert max(widths) <= PHONE


def test_nothing_from_the_cards_is_live(browser, project):
    write_deck(project, {"10-a.yaml": (
        "section: \"<script>alert(1)</script>\"\ncards:\n"
        "  - id: a\n    front: \"<img src=x onerror=alert(2)> <script>alert(3)</script>\"\n"
        "    back: \"<a href='https://example.com'>x</a> <style>*{display:none}</style>\"\n"
        "  - id: b\n    cloze: \"[[<b onclick=alert(4)>x</b>]] \\\" onload=alert(5) \\\"\"\n")})
    assert run(project, "--quiet")[0] == 0
    watched = open_page(browser, (project / "dist/demo.html").as_uri())
    p = watched.page
    dialogs = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.click("#pv-study")
    p.keyboard.press("Space")
    assert p.eval_on_selector_all(".pv-card script, .pv-card img, .pv-card a[href^=http], "
                                  ".pv-card style, .pv-section h2 script", "es => es.length") == 0
    assert "<script>alert(3)</script>" in p.inner_text("#a-1 .pv-q")
    assert dialogs == [] and watched.errors == [] and watched.refused == []
    watched.page.context.close()


# ---- each Anki card on its own, as Anki shows it: <body class="card">, the note type CSS ------

def face_page_html(html: str, night: str = "") -> str:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>body {{ margin: 0; }}</style><style>{notetypes.CSS}</style></head>"
            f'<body class="card{night}">{html}</body></html>')

MEASURE = """() => {
  function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
  function lum([r, g, b]) {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function ratio(a, b) { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  }
  function inScrollBox(el) {  // a wide table or code block scrolls inside its own box
    for (el = el.parentElement; el && el !== document.body; el = el.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) return true;
    }
    return false;
  }
  const width = document.documentElement.clientWidth;
  const out = {scroll: document.documentElement.scrollWidth, width, wide: [], low: [], hr: null};
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && !inScrollBox(el)) out.wide.push(el.tagName + '.' + el.className);
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (text && el.offsetParent !== null) {
      const cs = getComputedStyle(el);
      const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
      const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
      const r = ratio(rgb(cs.color), background(el));
      if (r < need) out.low.push([el.tagName + '.' + el.className, r.toFixed(2), el.textContent.slice(0, 40)]);
    }
  }
  const hr = document.querySelector('hr#answer');
  if (hr) out.hr = ratio(rgb(getComputedStyle(hr).borderTopColor), background(hr));
  return out;
}"""


@pytest.fixture(scope="module")
def face_page(browser):
    context = browser.new_context(viewport={"width": PHONE, "height": 800})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("about:", "data:")) else route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("night", ["", " nightMode night_mode"], ids=["light", "night"])
def test_every_card_fits_a_phone_and_reads_well(face_page, deck, night):
    """At 390 px no card is wider than the screen (wide tables scroll in their own box); text
    meets WCAG AA contrast and the rule between question and answer is visible (3:1) without
    glaring (under 4.5:1), in light and night mode."""
    media = {m.name: m for m in deck.media}
    problems = []
    rules = []
    for face in cardhtml.faces(deck, lambda name: preview._data_uri(deck, name)):
        for side, html in (("question", face.question), ("answer", face.answer)):
            face_page.set_content(face_page_html(html, night))
            face_page.wait_for_load_state()
            found = face_page.evaluate(MEASURE)
            where = f"{face.card.id} {face.ordinal + 1} {side}"
            if found["scroll"] > PHONE or found["wide"]:
                problems.append((where, "wider than the screen", found["wide"][:3]))
            if found["low"]:
                problems.append((where, "low contrast", found["low"][:3]))
            if found["hr"] is not None:
                rules.append(found["hr"])
    assert media  # the diagram was among them
    assert problems == []
    assert rules and all(3 <= r < 4.5 for r in rules), sorted(set(rules))


def test_wide_tables_scroll_inside_their_box(face_page, deck):
    face = next(f for f in cardhtml.faces(deck) if f.card.id == "cmp-detection")
    face_page.set_content(face_page_html(face.answer))
    box = face_page.evaluate("""() => { const b = document.querySelector('.tablebox');
        return [b.scrollWidth, b.clientWidth, document.documentElement.scrollWidth]; }""")
    assert box[0] > box[1] and box[2] <= PHONE


def leaks(face_page, deck) -> list:
    """Cards whose answer is on their question side: in a section label, a prompt or another
    deletion. A group row's own item is what is asked, and naming every choice (in the
    choices line, or a prompt like "At rest or in transit?") singles none out."""
    found = []
    for face in cardhtml.faces(deck):
        face_page.set_content(f'<div id="q">{face.question}</div><div id="a">{face.answer}</div>')
        answer, question, choices = face_page.evaluate("""() => {
            const a = document.querySelector('#a'), q = document.querySelector('#q');
            const part = a.querySelector('.cloze') || a.querySelector('.answer');
            const line = q.querySelector('.choices');
            const choices = line ? line.textContent.split(' \u00b7 ') : [];
            q.querySelectorAll('.choices' + (line ? ', .question' : '')).forEach(e => e.remove());
            const walk = document.createTreeWalker(q, NodeFilter.SHOW_TEXT), words = [];
            while (walk.nextNode()) words.push(walk.currentNode.textContent);
            return [part.textContent.trim(), words.join(' ').toLowerCase(), choices]; }""")
        assert answer, face.card.id

        def named(text):
            return re.search(r"\b" + re.escape(text.lower()) + r"\b", question)

        if named(answer) and not (choices and all(named(c) for c in choices)):
            found.append((face.card.id, face.ordinal + 1, answer))
    return found


def test_no_question_gives_its_answer_away(face_page, deck):
    assert leaks(face_page, deck) == []


def test_cards_named_like_their_section_keep_their_answer(face_page, tmp_path):
    """Where the section's name is the answer, as in the issue's screenshots."""
    write_deck(tmp_path, {"10-root.yaml": (
        "section: Root user\ncards:\n"
        "  - id: a\n    cloze: Closing a standalone AWS account requires the [[root user]].\n"
        "  - id: b\n    term: Root user\n"
        "    definition: The identity created with the account, with complete access.\n"
        "  - id: c\n    front: Which identity can close the account?\n    back: Root user\n")})
    deck = load_deck(tmp_path / "cards", source_date_epoch=0)
    assert leaks(face_page, deck) == []
