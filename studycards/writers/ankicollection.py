"""What an Anki collection file (the .anki2 inside an .apkg) holds whatever the cards: the
SQL schema, the collection row, and the JSON Anki keeps for a deck and a note type.

These are genanki's own values (genanki 0.13.1, MIT licence), written out here so that
writing a deck does not import genanki: its import alone (asyncio, through
cached_property) cost a tenth of writing 10,000 cards. tests/test_anki.py holds every value
equal to genanki's, and the real Anki backend imports the packages.
"""
from __future__ import annotations

# genanki.util.BASE91_TABLE: the digits of a note's GUID
BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
          "!#$%&()*+,-./:;<=>?@[]^_`{|}~")

# genanki.apkg_schema
APKG_SCHEMA = '''
CREATE TABLE col (
    id              integer primary key,
    crt             integer not null,
    mod             integer not null,
    scm             integer not null,
    ver             integer not null,
    dty             integer not null,
    usn             integer not null,
    ls              integer not null,
    conf            text not null,
    models          text not null,
    decks           text not null,
    dconf           text not null,
    tags            text not null
);
CREATE TABLE notes (
    id              integer primary key,   /* 0 */
    guid            text not null,         /* 1 */
    mid             integer not null,      /* 2 */
    mod             integer not null,      /* 3 */
    usn             integer not null,      /* 4 */
    tags            text not null,         /* 5 */
    flds            text not null,         /* 6 */
    sfld            integer not null,      /* 7 */
    csum            integer not null,      /* 8 */
    flags           integer not null,      /* 9 */
    data            text not null          /* 10 */
);
CREATE TABLE cards (
    id              integer primary key,   /* 0 */
    nid             integer not null,      /* 1 */
    did             integer not null,      /* 2 */
    ord             integer not null,      /* 3 */
    mod             integer not null,      /* 4 */
    usn             integer not null,      /* 5 */
    type            integer not null,      /* 6 */
    queue           integer not null,      /* 7 */
    due             integer not null,      /* 8 */
    ivl             integer not null,      /* 9 */
    factor          integer not null,      /* 10 */
    reps            integer not null,      /* 11 */
    lapses          integer not null,      /* 12 */
    left            integer not null,      /* 13 */
    odue            integer not null,      /* 14 */
    odid            integer not null,      /* 15 */
    flags           integer not null,      /* 16 */
    data            text not null          /* 17 */
);
CREATE TABLE revlog (
    id              integer primary key,
    cid             integer not null,
    usn             integer not null,
    ease            integer not null,
    ivl             integer not null,
    lastIvl         integer not null,
    factor          integer not null,
    time            integer not null,
    type            integer not null
);
CREATE TABLE graves (
    usn             integer not null,
    oid             integer not null,
    type            integer not null
);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
'''

# genanki.apkg_col
APKG_COL = r'''
INSERT INTO col VALUES(
    null,
    1411124400,
    1425279151694,
    1425279151690,
    11,
    0,
    0,
    0,
    '{
        "activeDecks": [
            1
        ],
        "addToCur": true,
        "collapseTime": 1200,
        "curDeck": 1,
        "curModel": "1425279151691",
        "dueCounts": true,
        "estTimes": true,
        "newBury": true,
        "newSpread": 0,
        "nextPos": 1,
        "sortBackwards": false,
        "sortType": "noteFld",
        "timeLim": 0
    }',
    '{}',
    '{
        "1": {
            "collapsed": false,
            "conf": 1,
            "desc": "",
            "dyn": 0,
            "extendNew": 10,
            "extendRev": 50,
            "id": 1,
            "lrnToday": [
                0,
                0
            ],
            "mod": 1425279151,
            "name": "Default",
            "newToday": [
                0,
                0
            ],
            "revToday": [
                0,
                0
            ],
            "timeToday": [
                0,
                0
            ],
            "usn": 0
        }
    }',
    '{
        "1": {
            "autoplay": true,
            "id": 1,
            "lapse": {
                "delays": [
                    10
                ],
                "leechAction": 0,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0
            },
            "maxTaken": 60,
            "mod": 0,
            "name": "Default",
            "new": {
                "bury": true,
                "delays": [
                    1,
                    10
                ],
                "initialFactor": 2500,
                "ints": [
                    1,
                    4,
                    7
                ],
                "order": 1,
                "perDay": 20,
                "separate": true
            },
            "replayq": true,
            "rev": {
                "bury": true,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 100
            },
            "timer": 0,
            "usn": 0
        }
    }',
    '{}'
);
'''


def deck_json(deck_id: int, name: str, description: str = "") -> dict:
    """genanki.Deck(deck_id, name, description).to_json()"""
    return {
        "collapsed": False, "conf": 1, "desc": description, "dyn": 0, "extendNew": 0,
        "extendRev": 50, "id": deck_id, "lrnToday": [163, 2], "mod": 1425278051, "name": name,
        "newToday": [163, 2], "revToday": [163, 0], "timeToday": [163, 23598], "usn": -1,
    }


LATEX_PRE = ("\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n"
             "\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n"
             "\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n")
LATEX_POST = "\\end{document}"


def model_json(model_id: int, name: str, fields, templates, css: str, cloze: bool,
               req: list, deck_id: int) -> dict:
    """genanki.Model(...).to_json(0, deck_id) for a note type: `fields` its field names,
    `templates` its (name, question format, answer format), `req` the fields each template
    needs (genanki computes it by rendering the templates; notetypes.py states it)."""
    return {
        "css": css, "did": deck_id,
        "flds": [{"name": field, "ord": i, "font": "Liberation Sans", "media": [], "rtl": False,
                  "size": 20, "sticky": False} for i, field in enumerate(fields)],
        "id": str(model_id), "latexPost": LATEX_POST, "latexPre": LATEX_PRE,
        "latexsvg": False, "mod": 0, "name": name, "req": req, "sortf": 0, "tags": [],
        "tmpls": [{"name": n, "qfmt": q, "afmt": a, "ord": i, "bafmt": "", "bqfmt": "",
                   "bfont": "", "bsize": 0, "did": None}
                  for i, (n, q, a) in enumerate(templates)],
        "type": 1 if cloze else 0, "usn": -1, "vers": [],
    }
