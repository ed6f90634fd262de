"""The shipped AWS deck stays honest: it covers CLF-C02 Domain 2 in the deck and on the sheet,
the reviewed errors stay fixed, and every Anki card asks one small thing without giving it away."""
from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from studycards import markup
from studycards.model import Basic, Cloze, Compare, GroupItem, ListCard, Term
from studycards.source import load_deck
from studycards.writers import anki, cheatsheet, flashcards
from test_cheatsheet import SHEET, appears, column_text

NOTES = ROOT.parent / "shared" / "seed" / "aws-security-notes.txt"
# The services of the learner's notes ("summary" section), under their current names.
SERVICES = ["Shield", "WAF", "KMS", "CloudHSM", "Certificate Manager", "Artifact", "GuardDuty",
            "Inspector", "Network Firewall", "Config", "Macie", "CloudTrail", "Security Hub",
            "Detective", "Abuse", "IAM Access Analyzer", "Firewall Manager"]

# CLF-C02 Domain 2 beyond the notes: each topic and the words that show it is taught.
# Every phrase must be on a card and on the cheat sheet.
DOMAIN2 = {
    "2.1 shared responsibility": ["security in the cloud", "Patch management", "inherited controls"],
    "2.1 responsibility by service": ["Amazon EC2", "Amazon RDS", "container image"],
    "2.2 compliance programs": ["PCI DSS", "HIPAA", "SOC 2", "ISO 27001", "FedRAMP"],
    "2.2 compliance by service and Region": ["Services in Scope by Compliance Program"],
    "2.2 the customer's own compliance": ["Not compliant by itself"],
    "2.2 where compliance information is": ["AWS Artifact", "AWS Compliance Programs"],
    "2.2 encryption at rest and in transit": ["At rest", "In transit"],
    "2.2 client-side and server-side encryption": ["Client-side", "Server-side"],
    "2.2 CloudWatch vs CloudTrail": ["CloudWatch or CloudTrail?"],
    "2.2 where security logs live": ["CloudWatch Logs", "VPC Flow Logs", "S3 bucket"],
    "2.2 Audit Manager vs Artifact vs Config": ["AWS Audit Manager", "whose compliance"],
    "2.2 credential report": ["credential report"],
    "2.2 last accessed information": ["last accessed information"],
    "2.2 KMS and CloudHSM": ["AWS KMS", "AWS CloudHSM", "AWS owned keys"],
    "2.3 IAM users, groups, roles": ["Which IAM identity is this?", "User", "Group", "Role"],
    "2.3 policy types": ["AWS managed", "Customer managed", "Inline"],
    "2.3 least privilege": ["least privilege"],
    "2.3 explicit deny": ["explicit Deny"],
    "2.3 MFA types": ["Passkeys and security keys", "Virtual authenticator apps",
                      "Hardware TOTP tokens"],
    "2.3 password policies": ["password policy"],
    "2.3 access keys": ["access keys", "rotated"],
    "2.3 cross-account roles": ["role that trusts account A"],
    "2.3 federation": ["federation", "SAML 2.0", "OpenID Connect"],
    "2.3 IAM Identity Center": ["IAM Identity Center", "AWS Single Sign-On"],
    "2.3 Cognito": ["Amazon Cognito"],
    "2.3 Directory Service": ["AWS Directory Service"],
    "2.3 Resource Access Manager": ["Resource Access Manager"],
    "2.3 Secrets Manager vs Parameter Store": ["Secrets Manager", "Parameter Store"],
    "2.3 root user tasks": ["GovCloud", "centralized root access", "Support plan"],
    "2.4 security groups vs network ACLs": ["Security group", "Network ACL", "Stateful",
                                            "Stateless"],
    "2.4 Trusted Advisor security checks": ["Trusted Advisor", "Enterprise On-Ramp"],
    "2.4 AWS Marketplace": ["AWS Marketplace", "third-party software"],
    "2.4 where security information is": ["Knowledge Center", "Security Center", "Security Blog"],
    "2.4 security services": ["AWS WAF", "AWS Shield", "Amazon GuardDuty", "Amazon Inspector",
                              "Amazon Macie", "Amazon Detective", "Security Hub CSPM",
                              "AWS Network Firewall", "AWS Firewall Manager"],
}

# At most this many facts graded as one Anki card (see facts_asked).
HANDFUL = 5


@pytest.fixture(scope="module")
def deck():
    return load_deck(ROOT / "cards", source_date_epoch=0)


def plain(text: str, cloze=False) -> str:
    return " ".join(markup.to_plain(text, cloze).split())


def norm(text: str) -> str:
    """Lower-case words only, so 'Customer' matches "customer's" and punctuation never counts."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", plain(text).lower())) + " "


def contains(haystack: str, needle: str) -> bool:
    return norm(needle) in norm(haystack)


def all_text(card) -> str:
    parts = [card.explain]
    for name in ("front", "back", "term", "definition", "text", "prompt", "item", "answer", "ask"):
        parts.append(getattr(card, name, "") or "")
    parts += list(getattr(card, "items", ()))
    if isinstance(card, Compare):
        parts += list(card.subjects) + [a for a, _ in card.rows]
        parts += [v for _, values in card.rows for v in values]
    if isinstance(card, GroupItem):
        parts.append(card.group.title)
    return "\n".join(parts)


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


def test_every_domain_2_topic_is_in_the_deck(deck):
    text = norm("\n".join(all_text(c) for c in deck.cards))
    for topic, phrases in DOMAIN2.items():
        for phrase in phrases:
            assert norm(phrase) in text, (topic, phrase)


def test_every_domain_2_topic_is_on_the_sheet(shipped):
    stream = norm(column_text(shipped / SHEET, cheatsheet.COLUMNS)).split()
    for topic, phrases in DOMAIN2.items():
        for phrase in phrases:
            assert appears(norm(phrase).strip(), stream), (topic, phrase)


def test_the_reviewed_errors_stay_fixed(deck):
    by_id = {c.id: c for c in deck.cards}
    everything = "\n".join(all_text(c) for c in deck.cards)
    # Shield Advanced is a subscription, not priced per resource; the SRT needs a support plan
    assert "per protected resource" not in everything
    price = all_text(by_id["svc-shield-advanced-price"])
    assert "subscription" in price and "one-year commitment" in price and "per organization" in price
    for card_id in ("svc-shield-srt-plan", "cmp-shield-tiers", "scn-ddos-response-team"):
        text = all_text(by_id[card_id])
        assert all(p in text for p in ("Business", "Enterprise On-Ramp", "Enterprise")), card_id
    assert "AWS WAF" in " ".join(by_id["svc-shield-advanced"].items)
    # Security Hub: both names
    for card_id in ("svc-security-hub", "cmp-detection", "scn-single-pane"):
        assert "Security Hub CSPM" in all_text(by_id[card_id]) or \
            "Security Hub (CSPM)" in all_text(by_id[card_id]), card_id
    # ACM: free and renewing only with integrated services and DNS validation
    assert "free and renew automatically" not in everything
    acm = all_text(by_id["svc-acm-cost-renewal"]).lower()
    assert all(p in acm for p in ("dns", "imported", "exportable", "email"))
    # centralized root access: the named tasks, and who does them
    org = all_text(by_id["root-organizations"])
    for phrase in ("management account", "delegated administrator", "password recovery",
                   "S3 bucket or SQS queue", "Remove"):
        assert phrase in org, phrase
    rows = {c.item: c.answer for c in deck.cards if isinstance(c, GroupItem) and c.group.key == "root-only"}
    assert any("GovCloud" in item and "access keys" in item and answer == "Yes"
               for item, answer in rows.items())
    assert "Billing tasks" in all_text(by_id["root-governance-billing"])
    assert "protection plans" in by_id["svc-guardduty"].definition
    assert "AWS owned keys" in by_id["svc-kms"].explain
    assert ".zip" in by_id["srm-aws-lambda-runtime"].item
    assert by_id["srm-customer-lambda-image"].answer == "Customer"
    # Trust & Safety: no e-mail address, filed under task 4.3
    assert "@" not in everything
    for card_id in ("svc-abuse", "scn-abuse-report"):
        assert "clf-c02::4.3" in by_id[card_id].tags


def test_the_fact_check_errors_stay_fixed(deck):
    """Found by the independent fact-check against the 2025-2026 AWS documentation."""
    by_id = {c.id: c for c in deck.cards}
    everything = "\n".join(all_text(c) for c in deck.cards)
    # Security Hub CSPM is the renamed service itself, not only its checks; a newer service
    # now carries the name Security Hub
    assert "its checks are now" not in everything
    assert by_id["svc-security-hub"].term.startswith("AWS Security Hub CSPM")
    # Shield Advanced covers the standard AWS WAF fees only (not Bot Control and the like)
    assert "AWS WAF** at no extra charge" not in everything
    assert "standard" in " ".join(by_id["svc-shield-advanced"].items)
    # Business and Enterprise On-Ramp Support end on 1 January 2027
    for card_id in ("svc-shield-srt-plan", "res-ta-all-checks"):
        assert "2027" in by_id[card_id].explain and "Business Support+" in by_id[card_id].explain
    # the account name is no longer root-only; SCPs are not the only organization policy
    assert "only a service control policy" not in everything
    assert "PutAccountName" in by_id["root-task-account-name"].explain
    # the credential report has a row for the root user too
    assert "root user" in by_id["log-credential-report"].back
    # rotation in Secrets Manager is something you turn on
    assert "rotates them automatically" not in everything
    # the exam guide's task 2.2 names Inspector, Security Hub, GuardDuty and Shield
    for card_id in ("svc-inspector", "svc-security-hub", "svc-guardduty", "svc-shield",
                    "svc-shield-standard", "svc-shield-advanced", "scn-cve-scan", "scn-single-pane"):
        assert "clf-c02::2.2" in by_id[card_id].tags, card_id
    # Audit Manager is closed to new customers, though the exam guide still names it
    for card_id in ("log-audit-manager", "scn-audit-evidence"):
        assert "new customers" in by_id[card_id].explain, card_id
    # "SSE" spells out the answer of a client-side / server-side card
    for card in deck.cards:
        if isinstance(card, GroupItem) and card.group.key == "client-side":
            assert "SSE" not in card.item, card.id


def test_explanations_speak_about_aws_not_the_notes(deck):
    for card in deck.cards:
        text = all_text(card).lower()
        assert "the notes" not in text and "source notes" not in text, card.id


def test_outdated_facts_are_taught_with_what_changed(deck):
    by_id = {c.id: c for c in deck.cards}
    assert "older practice questions" in by_id["root-support-plan"].explain
    assert "Support Plans" in by_id["root-support-plan"].back
    assert "account name" in by_id["root-account-name"].explain
    assert "denies all principals" in by_id["root-s3-policy"].back
    rows = {c.item: c.answer for c in deck.cards if isinstance(c, GroupItem) and c.group.key == "root-only"}
    no = [item for item, answer in rows.items() if answer == "No"]
    assert any("Support plan" in item for item in no) and any("account name" in item for item in no)
    yes = " ".join(item for item, answer in rows.items() if answer == "Yes")
    for task in ("Close a standalone AWS account", "GovCloud", "tax invoices",
                 "Reserved Instance Marketplace", "KMS key", "Mechanical Turk", "SQS queue policy"):
        assert task in yes, task


def test_tags_name_topic_and_exam_task(deck):
    for card in deck.cards:
        assert any(t.startswith("aws::") for t in card.tags), card.id
        tasks = [t for t in card.tags if t.startswith("clf-c02::")]
        assert len(tasks) == 1, (card.id, tasks)
        if "aws::security::abuse" in card.tags or "Trust & Safety" in all_text(card):
            assert tasks == ["clf-c02::4.3"], card.id  # the exam guide files it under 4.3
        else:
            assert tasks[0] in {"clf-c02::2.1", "clf-c02::2.2", "clf-c02::2.3", "clf-c02::2.4"}, card.id


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


STOPWORDS = {"the", "and", "for", "its", "are", "now", "aws", "amazon"}


def stems(text: str) -> set[str]:
    """The words of a name by their first four letters (abuse, abusive), without filler."""
    return {w[:4] for w in norm(text).split() if len(w) >= 3 and w not in STOPWORDS}


# What the short names of AWS stand for: a definition that spells one out gives the term away.
EXPANSIONS = {"KMS": "key management service", "CloudHSM": "hardware security module",
              "WAF": "web application firewall", "ACM": "certificate manager",
              "IAM": "identity access management", "RAM": "resource access manager"}
GIVE_AWAY_WORDS = ("still", "entirely", "including administrative", "no longer")


def asked_rows(card: Compare) -> list[tuple[str, tuple[str, ...]]]:
    """The rows of a comparison whose label the question names (every word of at least three
    letters, by its first four letters); naming none asks the whole table."""
    ask = norm(card.question).split()
    named = []
    for label, values in card.rows:
        words = [w[:4] for w in norm(label).split() if len(w) >= 3]
        if words and all(any(a.startswith(w) for a in ask) for w in words):
            named.append((label, values))
    return named or list(card.rows)


def answers(card) -> list[tuple[str, str]]:
    """(question, answer) for each Anki card, in the words the learner sees."""
    if isinstance(card, Basic):
        bold = re.findall(r"\*\*(.+?)\*\*", card.back) or [card.back]
        return [(card.front, b) for b in bold]
    if isinstance(card, Term):
        name = re.sub(r"\(.*?\)", "", card.term).replace("AWS ", "").replace("Amazon ", "")
        inside = re.findall(r"\((.*?)\)", card.term)
        return [(card.definition, name)] + [(card.definition, i) for i in inside]
    if isinstance(card, Cloze):
        deleted = re.findall(r"\[\[(.+?)\]\]", card.text)
        return [(re.sub(r"\[\[.+?\]\]", " ", card.text), d) for d in deleted]
    if isinstance(card, ListCard):
        return [(card.prompt, item) for item in card.items]
    if isinstance(card, GroupItem):
        # the title and the choices are the same on every row of the group: only the item counts
        return [(card.item, card.answer)]
    if isinstance(card, Compare):
        return [(card.question, v) for _, values in asked_rows(card) for v in values]
    raise TypeError(card)


def test_no_question_contains_its_answer(deck):
    for section in deck.sections:
        for card in section.cards:
            for question, answer in answers(card):
                assert not contains(question, answer), (card.id, answer)
                if isinstance(card, Cloze):  # the section name is shown on the card
                    assert not contains(section.title, answer), (card.id, section.title)
            for question in questions(card):
                for word in GIVE_AWAY_WORDS:
                    assert norm(word) not in norm(question), (card.id, word)


def test_no_definition_names_its_term(deck):
    """A term card is also asked backwards: its definition must not spell out the name."""
    for card in (c for c in deck.cards if isinstance(c, Term)):
        names = [re.sub(r"\(.*?\)", "", card.term)] + re.findall(r"\((.*?)\)", card.term)
        names += [long for short, long in EXPANSIONS.items() if short in card.term]
        definition = stems(card.definition)
        for name in names:
            words = stems(name)
            assert not (words and words <= definition), (card.id, name)


def facts_asked(card) -> list[int]:
    """How many facts each Anki card of a source card makes the learner recall at once:
    a comparison, the cells of the rows its question names; a basic card, the bullet lines of
    its answer; every other kind, one (a cloze or list card hides one deletion)."""
    if isinstance(card, Compare):
        return [sum(len(values) for _, values in asked_rows(card))]
    if isinstance(card, Basic):
        bullets = [line for line in card.back.splitlines() if line.lstrip().startswith("- ")]
        return [max(1, len(bullets))]
    return [1] * card.prompts


def test_no_anki_card_tests_more_than_a_handful_of_facts(deck):
    for card in deck.cards:
        for count in facts_asked(card):
            assert count <= HANDFUL, (card.id, count)
        if isinstance(card, ListCard):  # each card shows the other items: keep lists short
            assert len(card.items) <= HANDFUL, card.id
        if isinstance(card, Cloze):
            assert card.deletions <= 2, card.id


def test_comparison_tables_are_asked_row_by_row(deck):
    for card in (c for c in deck.cards if isinstance(c, Compare)):
        assert len(asked_rows(card)) == 1, card.id


def test_the_measures_catch_what_the_review_found():
    """The checks above fail on the cards the review found (as they were before this fix)."""
    old_list = ListCard(id="root-only-tasks", prompt="Tasks that only the root user can do:",
                        items=tuple(f"task {i}" for i in range(12)))
    assert len(old_list.items) > HANDFUL
    old_table = Compare(id="cmp-shield-tiers", subjects=("Shield Standard", "Shield Advanced"),
                        ask="Shield Standard or Shield Advanced: how do they differ?",
                        rows=tuple((label, ("a", "b")) for label in
                                   ("Cost", "Enabled", "Protection", "Support", "Cost protection")))
    assert facts_asked(old_table) == [10]
    old_row = GroupItem(id="srm-customer-data", group=None, answer="Customer",
                        item="The customer's data in Amazon S3 and who may access it")
    assert contains(*answers(old_row)[0])
    old_term = Term(id="svc-shield", term="AWS Shield",
                    definition="Managed DDoS protection. Shield Standard is free.")
    assert stems("Shield") <= stems(old_term.definition)
    assert stems("Abuse") <= stems("Report AWS resources used for abusive or illegal purposes")
    old_hsm = "Dedicated, single-tenant hardware security modules in your VPC"
    assert stems(EXPANSIONS["CloudHSM"]) <= stems(old_hsm)
    assert norm("still") in norm("Does changing the Support plan still require the root user?")


# IAM JSON, as the IAM User Guide's policy grammar writes it
STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                  "Resource", "NotResource", "Condition"}
ACTION = re.compile(r"^(\*|[a-z0-9-]+:[A-Za-z0-9*]+)$")
CONDITION_KEYS = {"aws:MultiFactorAuthPresent", "aws:RequestedRegion", "aws:SourceIp",
                  "aws:SecureTransport", "aws:PrincipalOrgID"}


def policies(card) -> list[dict]:
    """The JSON code blocks of a card, parsed (a cloze card's deletions shown)."""
    found = []
    for name in ("front", "back", "text", "explain"):
        text = getattr(card, name, "") or ""
        for block in markup.parse(text, cloze=isinstance(card, Cloze)).blocks:
            if isinstance(block, markup.CodeBlock) and block.language == "json":
                found.append(json.loads(block.code))
    return found


def statements(policy: dict) -> list[dict]:
    body = policy["Statement"]
    return body if isinstance(body, list) else [body]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_policies_in_the_deck_are_valid_iam_json(deck):
    shown = [(c.id, p) for c in deck.cards for p in policies(c)]
    assert len(shown) >= 4
    for card_id, policy in shown:
        assert set(policy) <= {"Version", "Id", "Statement"}, card_id
        assert policy["Version"] == "2012-10-17", card_id
        for statement in statements(policy):
            assert set(statement) <= STATEMENT_KEYS, (card_id, set(statement) - STATEMENT_KEYS)
            assert statement["Effect"] in ("Allow", "Deny"), card_id
            assert ("Action" in statement) != ("NotAction" in statement), card_id
            assert ("Resource" in statement) != ("NotResource" in statement), card_id
            actions = as_list(statement.get("Action", statement.get("NotAction")))
            assert all(ACTION.match(a) for a in actions), (card_id, actions)
            resources = as_list(statement.get("Resource", statement.get("NotResource")))
            assert all(r == "*" or r.startswith("arn:aws:") for r in resources), card_id
            for operator, keys in statement.get("Condition", {}).items():
                assert set(keys) <= CONDITION_KEYS, (card_id, operator, keys)


def test_policies_are_shown_where_the_learner_must_recognise_them(deck):
    """Issue 13: an explicit Deny, a least-privilege policy and an SCP, as code."""
    by_id = {c.id: c for c in deck.cards}
    deny = by_id["iam-deny-policy-example"]
    [policy] = policies(deny)
    assert [s["Effect"] for s in statements(policy)] == ["Deny"]
    assert "explicit Deny" in deny.back and "AdministratorAccess" in deny.front
    broad = by_id["iam-least-privilege-policy"]
    [policy] = policies(broad)
    assert any("*" in as_list(s["Resource"]) for s in statements(policy))
    assert "Least privilege" in broad.back and "s3:GetObject" in broad.back
    scp = by_id["iam-scp-policy"]
    [policy] = policies(scp)
    assert all(s["Effect"] == "Deny" for s in statements(policy))  # SCPs grant nothing
    assert "service control policy" in scp.front and "management account" in scp.back
    # a deletion inside the code: the learner recalls the element, the policy stays in view
    mfa = by_id["iam-mfa-condition-policy"]
    [block] = [b for b in markup.parse(mfa.text, cloze=True).blocks
               if isinstance(b, markup.CodeBlock)]
    hidden = [block.code[start:end] for start, end, _ in block.deletions]
    assert hidden == ["Condition"]
    [policy] = policies(mfa)
    [statement] = statements(policy)
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


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
