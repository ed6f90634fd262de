"""The shipped AWS deck stays honest: every service of the notes, no repeated question,
current facts, and every card in all three outputs."""
from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from studycards import markup
from studycards.model import Basic, Cloze, Compare, GroupItem, ListCard, Term
from studycards.source import load_deck
from studycards.writers import anki, flashcards

NOTES = ROOT.parent / "shared" / "seed" / "aws-security-notes.txt"
# The services of the learner's notes ("summary" section), under their current names.
SERVICES = ["Shield", "WAF", "KMS", "CloudHSM", "Certificate Manager", "Artifact", "GuardDuty",
            "Inspector", "Network Firewall", "Config", "Macie", "CloudTrail", "Security Hub",
            "Detective", "Abuse", "IAM Access Analyzer", "Firewall Manager"]


@pytest.fixture(scope="module")
def deck():
    return load_deck(ROOT / "cards", source_date_epoch=0)


def plain(text: str, cloze=False) -> str:
    return " ".join(markup.to_plain(text, cloze).split())


def test_every_service_in_the_notes_has_a_term_card(deck):
    terms = [plain(c.term) for c in deck.cards if isinstance(c, Term)]
    for service in SERVICES:
        assert any(service in term for term in terms), service


@pytest.mark.skipif(not NOTES.exists(), reason="the learner's notes are not beside this clone")
def test_service_list_matches_the_notes():
    summary = NOTES.read_text(encoding="utf-8").split("summary", 1)[1]
    named = re.findall(r"•\s*([^:\n]+):", summary)
    named = [n.replace("Cloud Trail", "CloudTrail").replace("AWS ", "").replace("Amazon ", "").strip()
             for n in named if "Root user" not in n]
    for name in named:
        if name == "Shared Responsibility on AWS":
            continue
        assert any(s in name or name in s for s in SERVICES), name


def questions(card) -> list[str]:
    """What each Anki card of a source card asks."""
    if isinstance(card, Basic):
        return [plain(card.front)]
    if isinstance(card, Term):
        return [plain(card.term), plain(card.definition)]
    if isinstance(card, Cloze):
        return [plain(markup.to_rl(card.text, True, mode="gap", number=n))
                for n in range(1, markup.deletions(card.text) + 1)]
    if isinstance(card, ListCard):
        return [f"{plain(card.prompt)} #{i}" for i in range(len(card.items))]
    if isinstance(card, GroupItem):
        return [plain(card.item)]
    if isinstance(card, Compare):
        return [plain(card.question)]
    raise TypeError(card)


def test_no_card_repeats_another_question(deck):
    seen: dict[str, str] = {}
    for card in deck.cards:
        for question in questions(card):
            key = re.sub(r"\W+", " ", question.lower()).strip()
            assert key not in seen, f"{card.id} asks what {seen[key]} asks: {question}"
            seen[key] = card.id


def test_typos_of_the_notes_are_fixed():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cards").glob("*.yaml"))
    assert "lAM" not in text and "PIl" not in text


def test_outdated_facts_are_taught_with_what_changed(deck):
    by_id = {c.id: c for c in deck.cards}
    assert "No longer" in by_id["root-support-plan"].back
    assert "older practice questions" in by_id["root-support-plan"].explain
    assert "account name" in by_id["root-account-name"].explain
    assert "denies all principals" in by_id["root-s3-policy"].back
    tasks = " ".join(by_id["root-only-tasks"].items)
    assert "Support plan" not in tasks and "account name" not in tasks
    for task in ("Close the AWS account", "GovCloud", "MFA Delete", "tax invoices",
                 "Billing and Cost Management", "Reserved Instance Marketplace"):
        assert task in tasks, task


def test_tags_name_topic_and_exam_task(deck):
    for card in deck.cards:
        assert any(t.startswith("aws::") for t in card.tags), card.id
    exam = [c for c in deck.cards if any(t.startswith("clf-c02::2.") for t in c.tags)]
    assert len(exam) == len(deck.cards)


def test_diagram_is_on_its_card(deck):
    assert any(c.image == "aws-security-shared-responsibility.png" for c in deck.cards)


def test_every_card_is_in_every_output(deck, shipped):
    with zipfile.ZipFile(shipped / "dist/aws-security.apkg") as z:
        db = Path(shipped / "collection.anki2")
        db.write_bytes(z.read("collection.anki2"))
    guids = {row[0] for row in sqlite3.connect(db).execute("select guid from notes")}
    assert guids == {anki.guid(deck, c) for c in deck.cards}
    paper = list(flashcards.paper_cards(deck))
    by_card = {}
    for section in deck.sections:
        for card in section.cards:
            by_card[card.id] = len(flashcards.faces(card))
    assert all(count >= 1 for count in by_card.values())
    assert sum(by_card.values()) == len(paper)
    # the cheat sheet side is checked card by card in test_cheatsheet
