"""Pure text functions: what is compared (shingles) and what is shown (matching passages)."""

import re
from difflib import SequenceMatcher
from urllib.parse import urlsplit

SHINGLE_WORDS = 5
# Matching runs separated by at most this many changed words are one passage.
PASSAGE_GAP_WORDS = 3
PASSAGES_SHOWN = 5
PASSAGE_MAX_CHARS = 1200
WORD = re.compile(r"\w+")


def words(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


def text_shingles(text: str) -> set[str]:
    """Overlapping runs of SHINGLE_WORDS words, case-folded: punctuation, spacing and case
    changes do not hide a copy, and word order counts."""
    tokens = [match.group().casefold() for match in words(text)]
    return {
        " ".join(tokens[start : start + SHINGLE_WORDS])
        for start in range(len(tokens) - SHINGLE_WORDS + 1)
    }


def url_normalize(url: str) -> str:
    """One solution link, however written: no scheme, "www.", query, fragment, ".git" or "/"."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
    return f"{host}{path}".casefold()


def _cut(text: str) -> str:
    return text if len(text) <= PASSAGE_MAX_CHARS else text[: PASSAGE_MAX_CHARS - 1] + "…"


def passages_matching(first: str, second: str) -> list[dict]:
    """The passages the two texts share, each as it reads in either text, longest first.

    Word runs the two texts have in common (ignoring case and punctuation) that are at least
    a shingle long; runs a few changed words apart are one passage, so a lightly edited copy
    shows as one passage whose two sides differ by those words.
    """
    first_words, second_words = words(first), words(second)
    matcher = SequenceMatcher(
        None,
        [m.group().casefold() for m in first_words],
        [m.group().casefold() for m in second_words],
        autojunk=False,  # common words ("the") must not break runs in long texts
    )
    groups: list[list] = []
    for block in matcher.get_matching_blocks():
        if not block.size:
            continue
        last = groups[-1] if groups else None
        if (
            last
            and block.a - (last[0] + last[2]) <= PASSAGE_GAP_WORDS
            and block.b - (last[1] + last[3]) <= PASSAGE_GAP_WORDS
        ):
            last[2], last[3] = block.a + block.size - last[0], block.b + block.size - last[1]
            last[4] += block.size
        else:
            groups.append([block.a, block.b, block.size, block.size, block.size])
    shown = sorted((g for g in groups if g[4] >= SHINGLE_WORDS), key=lambda g: -g[4])
    return [
        {
            "first": _cut(first[first_words[a].start() : first_words[a + na - 1].end()]),
            "second": _cut(second[second_words[b].start() : second_words[b + nb - 1].end()]),
            "words": matched,
        }
        for a, b, na, nb, matched in shown[:PASSAGES_SHOWN]
    ]
