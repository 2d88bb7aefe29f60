"""Chinese text for the search: segmentation (jieba with the county's
dictionary of service terms), stop words, pinyin keys and plain text from the
sanitised HTML bodies.

One segmenter per process, built on first use (about a second: jieba's prefix
dictionary plus ``data/county_dict.txt``); the synonym groups' words are added
to it as they are read, so a synonym is always cut as one word."""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba
from pypinyin import Style, lazy_pinyin

DICTIONARY = Path(__file__).parent / "data" / "county_dict.txt"
MAX_TERM = 40

# Words that say nothing about what is asked: particles, pronouns, question
# words, and the verbs every question has (办, 要, 怎么).
_STOP_WORDS = """
    的 了 吗 呢 吧 啊 呀 哦 嘛 么 着 过 和 与 及 或 或者 以及 并 而 但 但是
    我 你 他 她 它 我们 你们 他们 咱 自己 本人 家里 这 那 这个 那个 这些 那些 哪 哪个 哪些
    什么 怎么 怎样 怎么样 如何 为什么 为何 哪里 哪儿 多少 几 多久 是否 是不是 能不能 可不可以
    能否 可否 请问 请 问 想 想要 要 需要 应该 得 可以 能 会 该 去 到 在 是 有 没有 没 不 也 都
    就 还 又 再 才 给 把 被 对 向 从 为 于 以 之 其 该 个 一 一下 一个 些 下 上 里 中 后 前
    办 办理 弄 搞 做 干 呢 啥 咋 咋办 怎么办 哪些 些什么 一些 谁 时候 现在 已经 可能
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")
_TAGS = re.compile(r"<[^>]+>")

logging.getLogger("jieba").setLevel(logging.WARNING)
jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_added: set[str] = set()


def segmenter() -> jieba.Tokenizer:
    """The process's jieba tokenizer with the county dictionary loaded."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word, freq in county_words():
                    tokenizer.add_word(word, freq)
                _tokenizer = tokenizer
    return _tokenizer


def county_words() -> list[tuple[str, int]]:
    """The county dictionary: ``(word, frequency)`` pairs."""
    words = []
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _sep, freq = line.partition(" ")
        words.append((word, int(freq) if freq.strip().isdigit() else 1000))
    return words


def add_words(words: Iterable[str]) -> None:
    """Teach the segmenter words it must not cut (the synonym groups')."""
    tokenizer = segmenter()
    for word in words:
        if word not in _added and len(word) > 1 and re.fullmatch(f"[{_CJK}]+", word):
            with _lock:
                tokenizer.add_word(word, 1000)
                _added.add(word)


def normalise(text: str) -> str:
    """Full-width forms folded (ＡＢＣ１ → abc1), lower case, spaces squeezed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def plain_text(body: str) -> str:
    """The text of a sanitised HTML body, tags dropped and entities decoded."""
    return html.unescape(_TAGS.sub(" ", body or ""))


def _keep(word: str) -> bool:
    return bool(word.strip()) and not _PUNCT.match(word) and word not in STOP_WORDS


def index_terms(text: str) -> set[str]:
    """The distinct terms a field is indexed under: the words and the
    dictionary words inside them, latin words and numbers, stop words and
    punctuation dropped."""
    terms: set[str] = set()
    for run in _RUNS.findall(normalise(text)):
        if run[0].isascii():
            terms.add(run[:MAX_TERM])
            continue
        for word in _with_parts(run):
            if _keep(word):
                terms.add(word[:MAX_TERM])
    return terms


def _with_parts(run: str) -> list[str]:
    """The words of ``run`` (jieba's precise cut) and every dictionary word
    inside each of them (灵活就业人员 → 灵活, 就业, 人员, 灵活就业)."""
    tokenizer = segmenter()
    out = []
    for word in tokenizer.cut(run, HMM=True):
        out.append(word)
        for size in range(2, min(len(word), 12)):
            for start in range(len(word) - size + 1):
                part = word[start : start + size]
                if tokenizer.FREQ.get(part):
                    out.append(part)
    return out


def query_runs(text: str) -> list[str]:
    """A query's runs of Chinese characters, of latin letters and of digits;
    everything else (punctuation, emoji, quote marks, ``*``, ``:``, ``-``)
    separates them and means nothing."""
    return _RUNS.findall(normalise(text))


def cut_query(run: str) -> list[str]:
    """A Chinese run of a query cut into words (jieba's precise mode), stop
    words dropped; the order kept, repeats dropped."""
    seen: list[str] = []
    for word in segmenter().cut(run, HMM=True):
        if _keep(word) and word not in seen:
            seen.append(word[:MAX_TERM])
    return seen


def pinyin_keys(term: str) -> tuple[str, str]:
    """``(full pinyin, initials)`` of a Chinese term (``低保`` → ``dibao``,
    ``db``); empty for a term with no Chinese character."""
    if not re.search(f"[{_CJK}]", term):
        return "", ""
    syllables = [s for s in lazy_pinyin(term, style=Style.NORMAL, errors="ignore") if s]
    full = "".join(syllables)[:160]
    initials = "".join(s[0] for s in syllables)[:40]
    return full, initials


def is_cjk(text: str) -> bool:
    return bool(text) and bool(re.fullmatch(f"[{_CJK}]+", text))


_PHONE = re.compile(
    r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)"  # mobile
    r"|(?<!\d)(0\d{2,3})-?(\d{7,8})(?!\d)"  # landline with area code
)


def mask_phones(text: str) -> str:
    """Mobile and landline numbers in free text masked (138****5678)."""

    def mask(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}****{match.group(3)}"
        return f"{match.group(4)}-****{match.group(5)[-2:]}"

    return _PHONE.sub(mask, text)
