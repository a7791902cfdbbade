"""Hybrid search over real indexes on disk: words and meaning.

The sweeps compare the hybrid engine with the same index searched by words
alone and with an index built without vectors, over every question and
keyword phrase of the real sample and the benchmark's paraphrases.
"""

from __future__ import annotations

import os
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.generate import generate
from bench.relevance.run import load_queries
from common.values import MODEL_OFF
from common.values import WORDLLAMA
from index import embedding
from index import vectors
from index.articles import read_article
from index.articles import read_corpus
from index.build import build
from index.manifest import read as read_manifest
from index.update import update
from index.versions import current_version
from search.engine import Engine
from search.english import common_words
from search.fusion import FLOOR
from search.fusion import LEAD
from search.fusion import SHORTFALL_POWER
from search.fusion import WEIGHT
from search.fusion import fuse
from search.ranking import Sparse
from tests.conftest import production_server
from tests.factory import write_article
from tests.http import get

PARAPHRASES = Path(__file__).resolve().parents[1] / "bench" / "relevance" / "paraphrase.tsv"


@pytest.fixture(scope="module")
def sample_articles(sample_dir):
    return read_corpus(sample_dir).articles


@pytest.fixture(scope="module")
def hybrid_index(tmp_path_factory, sample_dir) -> Path:
    folder = tmp_path_factory.mktemp("hybrid")
    build(sample_dir, folder, model=WORDLLAMA)
    return folder


@pytest.fixture(scope="module")
def words_index(tmp_path_factory, sample_dir) -> Path:
    folder = tmp_path_factory.mktemp("words")
    build(sample_dir, folder, model=MODEL_OFF)
    return folder


def sweep_queries(articles) -> list[str]:
    """Every question, every keyword phrase and every paraphrase of the benchmark: words and meaning both."""
    found = [a.question for a in articles]
    found += sorted({k.strip() for a in articles for k in a.keywords.split(",") if k.strip()})
    found += [q["query"] for q in load_queries(PARAPHRASES)]
    return found


def page(engine: Engine, query: str, **options) -> tuple:
    result = engine.search(query, **options)
    return (
        result.total,
        [(hit.url, hit.score, hit.by_meaning) for hit in result.hits],
        [(f.value, f.count) for f in result.facets],
        result.suggestion,
    )


def test_meaning_off_gives_the_ranking_by_words_exactly(hybrid_index, words_index, sample_articles):
    queries = sweep_queries(sample_articles)
    assert len(queries) > 1000
    with Engine(hybrid_index, semantic=False) as off, Engine(words_index) as words:
        different = [q for q in queries if page(off, q) != page(words, q)]
    assert not different, different[:5]


def test_meaning_changes_nothing_when_an_article_holds_every_word(hybrid_index, words_index, sample_articles):
    """The visitor named the article's own words: exact matches stay first, in the same order."""
    with Engine(hybrid_index) as hybrid, Engine(words_index) as words:
        for article in sample_articles:
            result = hybrid.search(article.question)
            assert result.hits[0].url == article.url, article.question
            if result.relaxed is None:  # the first hit holds every word
                assert page(hybrid, article.question) == page(words, article.question)


# Articles written for these tests; the query below shares no word with the first.
TOPICS = [
    (
        "Why is the sky blue?",
        "Air molecules scatter short wavelengths of sunlight most, so daylight overhead is blue.",
        "Physics",
        "Rayleigh scattering, atmosphere",
    ),
    (
        "How do vaccines train the immune system?",
        "A vaccine shows antibodies a harmless piece of a germ.",
        "Biology",
        "immunity, antibodies",
    ),
    (
        "What causes inflation?",
        "Prices rise when money grows faster than the goods it buys.",
        "Economics",
        "inflation, money supply",
    ),
    (
        "How does a recursive function stop?",
        "A base case returns without calling itself again.",
        "Computer Science",
        "recursion, base case",
    ),
    (
        "How do plants make sugar from light?",
        "Chlorophyll captures photons to turn carbon dioxide into glucose.",
        "Biology",
        "photosynthesis, chlorophyll",
    ),
    (
        "What is a stock market index?",
        "An index tracks the prices of a basket of company shares.",
        "Economics",
        "stocks, shares",
    ),
]
QUERY = "reason heavens look cerulean"


@pytest.fixture(scope="module")
def topics_index(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("topics")
    for n, (question, answer, subject, keywords) in enumerate(TOPICS, start=1):
        write_article(work / "articles", question=question, answer=answer, subject=subject, keywords=keywords, id=n)
    build(work / "articles", work / "index", model=WORDLLAMA)
    return work / "index"


def test_meaning_finds_an_article_that_shares_no_word_with_the_query(topics_index):
    with Engine(topics_index) as hybrid, Engine(topics_index, semantic=False) as words:
        found = hybrid.search(QUERY)
        by_words = words.search(QUERY)
    assert by_words.total == 0
    assert found.hits[0].question == "Why is the sky blue?"
    assert found.hits[0].by_meaning
    assert "<mark>" not in found.hits[0].snippet  # nothing of the query to highlight
    assert found.total == len(found.hits) <= 6
    assert sum(f.count for f in found.facets) == found.total


def test_meaning_hits_obey_the_subject_filter_and_exclusions(topics_index):
    with Engine(topics_index) as hybrid:
        everything = hybrid.search(QUERY)
        facet = {f.value: f.count for f in everything.facets}
        for subject, count in facet.items():
            filtered = hybrid.search(QUERY, subjects=(subject,))
            assert filtered.total == count
            assert {hit.subject for hit in filtered.hits} == {subject}
        excluded = hybrid.search(QUERY + " -rayleigh")
        phrase = hybrid.search(QUERY + ' "base case"')
    assert "Why is the sky blue?" not in [hit.question for hit in excluded.hits]
    assert [hit.question for hit in phrase.hits] == ["How does a recursive function stop?"]


def test_the_api_says_which_hits_came_from_meaning_alone(topics_index, tmp_path):
    with production_server(topics_index, tmp_path / "server.log", workers=1) as base:
        found = get(base, "/api/search", {"q": QUERY}).json()
        words = get(base, "/api/search", {"q": "sky blue"}).json()
    with production_server(topics_index, tmp_path / "off.log", workers=1, KBSEARCH_SEMANTIC="false") as base:
        off = get(base, "/api/search", {"q": QUERY}).json()
    assert found["hits"][0]["by_meaning"] is True
    assert found["hits"][0]["question"] == "Why is the sky blue?"
    assert words["hits"][0]["by_meaning"] is False
    assert off["total"] == 0 and off["hits"] == []


# "inclusive" is in every article but the first, "xor" in the first alone: by words it leads clearly,
# while meaning finds the articles on inclusive schooling nearer to the wording of these queries.
LOGIC = (
    "What is exclusive-or and how does it differ from disjunction?",
    "XOR is true when exactly one input is true. An xor gate outputs 1 for inputs 0 and 1. Disjunction allows both.",
    "Mathematics",
    "xor, exclusive or, logic gates",
)
SCHOOLING = [
    (
        "What are the main applications of inclusive inclusion in education studies?",
        "Inclusive classrooms bring every learner together. Inclusive practice values difference and belonging.",
        "Education",
        "inclusive education, inclusion",
    ),
    (
        "What is the role of inclusive inclusion in reflective accountability?",
        "Inclusive schools are accountable to all pupils. Inclusion asks teachers to reflect on difference.",
        "Education",
        "inclusion, accountability",
    ),
    (
        "How do inclusive policies shape schools?",
        "Inclusive policy makes room for every student and every difference among them.",
        "Education",
        "inclusive policy",
    ),
]


def test_a_clear_leader_by_words_stays_first_whatever_meaning_prefers(tmp_path):
    articles = [LOGIC, *SCHOOLING] + [
        (f"How did era {n} shape history?", f"Era {n} in an inclusive account of dates and people.", "History", "era")
        for n in range(40)
    ]
    for n, (question, answer, subject, keywords) in enumerate(articles, start=1):
        write_article(tmp_path / "articles", question=question, answer=answer, subject=subject, keywords=keywords, id=n)
    build(tmp_path / "articles", tmp_path / "index", model=WORDLLAMA)
    queries = ["difference between xor and inclusive or", "xor inclusive", "inclusive or versus xor"]
    with Engine(tmp_path / "index") as hybrid, Engine(tmp_path / "index", semantic=False) as words:
        for query in queries:
            by_words = [hit.question for hit in words.search(query).hits]
            found = [hit.question for hit in hybrid.search(query).hits]
            assert by_words[0] == found[0] == LOGIC[0], (query, found[:3])
            # Meaning still orders the rest: the schooling articles come before the history ones.
            assert set(found[1:4]) == {question for question, *_ in SCHOOLING}, (query, found[:4])


def test_meaning_gives_a_clear_leader_by_words_the_nearest_article_s_gain():
    matched = np.array([True, True, True, False, False, False])
    near = Sparse(np.array([1, 4], dtype=np.int32), np.array([0.5, 0.6], dtype=np.float32))
    gain = WEIGHT * 0.5**SHORTFALL_POWER * (near.values - FLOOR)  # at a shortfall of a half
    for lead, kept in ((LEAD, True), (LEAD * 0.95, False)):
        key = np.array([100.0 * lead, 100.0, 50.0, 0, 0, 0])
        leaders = np.array([0, 1])
        fused_matched, fused = fuse(matched, key, near, 0.5, leaders)
        assert fused[0] == (key[0] + gain[1] if kept else key[0])
        assert fused[1] == key[1] + gain[0]
        assert fused[4] == gain[1] and fused_matched[4] and not fused_matched[5]
        np.testing.assert_array_equal(key, [100.0 * lead, 100.0, 50.0, 0, 0, 0])  # the input is not changed
    alone = fuse(matched, np.array([80.0, 0, 0, 0, 0, 0]), near, 0.5, np.array([0]))[1]
    assert alone[0] == np.float64(80.0) + gain[1]  # the only match by words leads clearly too


def test_incremental_updates_keep_vectors_and_postings_in_step(tmp_path):
    source, folder, fresh = tmp_path / "articles", tmp_path / "index", tmp_path / "fresh"
    generate(source, 300)
    build(source, folder, model=WORDLLAMA)
    files = sorted(source.rglob("*.md"))
    generate(source, 330)  # 30 added
    for path in files[:10]:
        path.unlink()
    for path in files[10:20]:
        path.write_text(path.read_text().replace("answer: >-\n    ", "answer: >-\n    Rewritten. ", 1))
    write_article(source, question="How do tides follow the moon?", answer="Gravity pulls the oceans.", id=99_999)
    report = update(source, folder)
    assert (report.added, report.changed, report.deleted) == (31, 10, 10)
    version = current_version(folder)
    model = embedding.load(WORDLLAMA)
    manifest = read_manifest(version)
    segments = [vectors.load(f) for f in sorted(version.glob("inverted-*"), key=lambda f: int(f.name.split("-")[1]))]
    assert len(segments) == 2 and all(s is not None for s in segments)
    for path, docnum in zip(manifest.paths, manifest.docnums, strict=True):
        segment = next(s for s in segments if s.first <= docnum < s.first + len(s.articles))
        expected = vectors.of_articles(model, [read_article(source / path, source)], docnum)
        np.testing.assert_allclose(segment.articles[docnum - segment.first], expected.articles[0], atol=1e-5)
        rows = segment.owners == docnum
        np.testing.assert_array_equal(segment.passages[rows], expected.passages)
    build(source, fresh, model=WORDLLAMA)
    queries = ["ocean water rising twice a day", *(p.stem.replace("-", " ") for p in files[20:40])]
    with Engine(folder) as updated, Engine(fresh) as rebuilt:
        for query in queries:
            got, want = updated.search(query), rebuilt.search(query)
            assert [h.url for h in got.hits] == [h.url for h in want.hits], query
            # The update kept the first build's mean field lengths (they drifted by under 5%), the rebuild
            # took the new ones: BM25 differs by a fraction of that drift.
            assert [h.score for h in got.hits] == pytest.approx([h.score for h in want.hits], rel=2e-3)
            assert got.total == want.total


MODEL_PROBE = """
import socket, sys
from index import embedding
def refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
model = embedding.load(sys.argv[1])
sky, scattering, bread = embedding.embed(model, ["why is the sky blue", "light scattering in the air", "baking bread"])
print(model.dim, round(float(sky @ scattering - sky @ bread), 3))
"""


@pytest.mark.parametrize("isolate", ["unshare", "sockets"])
def test_the_model_loads_with_networking_disabled(tmp_path, isolate):
    command = [sys.executable, "-c", MODEL_PROBE, WORDLLAMA]
    if isolate == "unshare":
        unshare = shutil.which("unshare")
        if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode:
            pytest.skip("unshare -n is not permitted here")
        command = [unshare, "-n", *command]
    # An empty home: no model cache from an earlier download can be what loads.
    env = dict(os.environ, HOME=str(tmp_path), HF_HUB_OFFLINE="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    dim, nearer = done.stdout.split()
    assert int(dim) == 256
    assert float(nearer) > 0.05  # the sky is nearer to light scattering than to bread


def _tiny_model(folder: Path, dim: int) -> None:
    """A Model2Vec model of ten words saved to ``folder``, "ocean" next to "tide" by construction."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    words = ["[UNK]", "[PAD]", "tide", "moon", "ocean", "gravity", "bread", "oven", "flour", "pulls"]
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    table = np.random.default_rng(0).normal(size=(len(words), dim)).astype(np.float32)
    table[words.index("ocean")] = table[words.index("tide")] + 0.1
    StaticModel(table, tokenizer, normalize=True).save_pretrained(folder)


def test_a_model2vec_folder_can_be_the_model(tmp_path):
    _tiny_model(tmp_path / "model", dim=16)
    source = tmp_path / "articles"
    write_article(source, question="tide", answer="moon gravity pulls", id=1)
    write_article(source, question="bread", answer="oven flour", id=2)
    build(source, tmp_path / "index", model=str(tmp_path / "model"))
    with Engine(tmp_path / "index") as engine:
        found = engine.search("ocean")
    assert [hit.question for hit in found.hits][:1] == ["tide"]
    assert found.hits[0].by_meaning


def test_one_text_the_model_fails_on_gets_no_vector_and_the_rest_do():
    class Fussy:
        name, dim = "fussy", 4

        def embed(self, texts):
            if "boom" in texts:
                raise BaseException("panicked")  # as a Rust tokenizer's panic arrives
            return np.ones((len(texts), 4), dtype=np.float32)

    found = embedding.embed(Fussy(), ["fine", "boom", "also fine"])
    assert found.shape == (3, 4)
    assert not found[1].any() and found[0].any() and found[2].any()


def test_our_wordllama_vectors_equal_wordllama_s_own(sample_articles):
    """Tokenizing each word once is our speed-up; every passage of the sample must embed as WordLlama itself does."""
    import wordllama

    theirs = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    texts = [text for article in sample_articles for text in vectors.passages(article)]
    texts += ["naïve café ∑ x² — “quotes”", "a" * 5000, " leading and  doubled\tspaces "]
    model = embedding.load(WORDLLAMA)
    ours = embedding.embed(model, texts)
    # Where WordLlama embeds the space tokens of a blank text, it has no words here and matches nothing.
    assert not embedding.embed(model, ["", "  \n "]).any()
    # Runs of whitespace count as one space here; WordLlama gives each extra space a token of its own.
    expected = theirs.embed([" ".join(text.split()) for text in texts], norm=False, batch_size=64)
    norms = np.linalg.norm(expected, axis=1, keepdims=True)
    expected = np.divide(expected, norms, out=np.zeros_like(expected), where=norms > 0)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_a_model_folder_that_changed_since_the_build_leaves_search_by_words(tmp_path, caplog):
    source, index, model = tmp_path / "articles", tmp_path / "index", tmp_path / "model"
    write_article(source, question="tide", answer="moon gravity pulls", id=1)
    write_article(source, question="bread", answer="oven flour", id=2)
    _tiny_model(model, dim=16)
    build(source, index, model=str(model))
    shutil.rmtree(model)
    _tiny_model(model, dim=8)  # replaced in place by one of another size
    embedding.load.cache_clear()  # as a server started afterwards finds it
    with Engine(index) as engine, Engine(index, semantic=False) as words:
        assert page(engine, "ocean tide") == page(words, "ocean tide")
    assert "searching by words alone" in caplog.text


def test_a_rotted_vector_never_ranks(topics_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(topics_index, copy)
    [articles] = copy.glob("versions/*/inverted-0/" + vectors.ARTICLES)
    rotted = np.load(articles, mmap_mode="r+")
    rotted[:] = np.nan
    rotted.flush()
    del rotted
    with Engine(copy) as engine:
        found = engine.search(QUERY)
    assert (found.total, found.hits) == (0, [])  # the query holds no word of any article
    with Engine(copy) as engine:
        found = engine.search("sky " + QUERY)
    assert [hit.question for hit in found.hits] == ["Why is the sky blue?"]
    assert np.isfinite(found.hits[0].score)


def test_words_that_no_article_holds_and_english_does_not_use_find_nothing_by_meaning(hybrid_index):
    """ "kubernetes", "csrf", "zxqv": the model's nearest articles are as near as real paraphrases come."""
    rng = random.Random(7)
    strings = {"".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9))) for _ in range(300)}
    texts = [*sorted(strings - common_words()), "kubernetes", "docker", "csrf", "chmod", "中文", "ДНС", "f#"]
    with Engine(hybrid_index) as hybrid:
        shown = {}
        for text in texts:
            result = hybrid.search(text)
            if not result.corrected and result.total:  # a correction's words are the site's: meaning may help them
                shown[text] = [hit.question for hit in result.hits[:2]]
    assert len(texts) > 250
    assert not shown
