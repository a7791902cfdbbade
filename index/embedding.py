"""The meaning model: turns an article's passages, or a query, into unit vectors.

The default is WordLlama's static embeddings, whose weights and tokenizer ship
inside its wheel, so nothing is downloaded at build or query time. The
``EMBEDDING_MODEL`` setting names the model:

- ``wordllama`` (256 dimensions), or ``wordllama:128`` / ``wordllama:64``
  (its leading dimensions, smaller and faster, a little less accurate);
- the path of a Model2Vec folder (``config.json``, ``model.safetensors``,
  ``tokenizer.json``), such as one saved with ``StaticModel.save_pretrained``;
- ``off``: no vectors are built, and search is by words alone.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from common.errors import UsageError
from common.values import MODEL_OFF as OFF
from common.values import WORDLLAMA as DEFAULT

BATCH = 512
UNITS_REMEMBERED = 1_000_000  # tokenized words kept per process (about 100 MB at most)
# Inside the wordllama package, as its loader names them for the default model and 256 dimensions.
WORDLLAMA_WEIGHTS = "weights/l2_supercat_256.safetensors"
WORDLLAMA_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
VERSION_KEY = "embedding"  # in a version's metadata: the model its vectors were made with

log = logging.getLogger(__name__)


def of_version(info: dict) -> str:
    """The model a version's vectors were made with, from its metadata; versions from before vectors have none."""
    return str(info.get(VERSION_KEY, OFF))


class ModelError(UsageError):
    """The embedding model named by a setting or an index cannot be loaded."""


class Model(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class _WordLlama:
    """WordLlama's embedding: the mean of a text's token vectors, computed here twice as fast.

    Its tokenizer splits at whitespace first, so each whitespace-separated unit is
    tokenized once per process and remembered; the vectors equal ``WordLlama.embed``'s.
    """

    def __init__(self, dim: int) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        # The wheel's own files, read as WordLlama.load reads them: importing wordllama (its configs,
        # pydantic, requests) took 0.23 s of every update and every worker's start, and its loader 0.27 more.
        package = importlib.util.find_spec("wordllama")
        if package is None or package.origin is None:
            raise ModelError("embedding model wordllama: the wordllama package is not installed")
        here = Path(package.origin).parent
        with safe_open(str(here / WORDLLAMA_WEIGHTS), framework="np", device="cpu") as weights:
            table = weights.get_tensor("embedding.weight")
        self._table = np.ascontiguousarray(table[:, :dim], dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(here / WORDLLAMA_TOKENIZER))
        self._tokenizer.no_padding()  # WordLlama pads a batch to its longest text; here each unit stands alone
        self._tokenizer.no_truncation()
        self._units: dict[str, list[int]] = {}
        self.name = DEFAULT if dim == 256 else f"{DEFAULT}:{dim}"
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        split = [text.split() for text in texts]
        self._learn({unit for units in split for unit in units})
        found = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, units in enumerate(split):
            ids = [token for unit in units for token in self._units[unit]]
            if ids:
                found[row] = self._table[ids].sum(axis=0) / len(ids)
        return found

    def _learn(self, units: set[str]) -> None:
        new = [unit for unit in units if unit not in self._units]
        if len(self._units) + len(new) > UNITS_REMEMBERED:
            self._units.clear()
            new = list(units)
        for unit, encoded in zip(new, self._tokenizer.encode_batch(new, add_special_tokens=False), strict=True):
            self._units[unit] = encoded.ids


class _Model2Vec:
    def __init__(self, folder: Path) -> None:
        from model2vec import StaticModel

        if not (folder / "config.json").is_file():
            raise ModelError(f"embedding model {folder}: not a Model2Vec folder (no config.json)")
        # A local folder only: force_download would reach for the model hub.
        self._model = StaticModel.from_pretrained(folder, force_download=False, normalize=True)
        self.name = str(folder)
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), use_multiprocessing=False, batch_size=BATCH)
        return np.asarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def load(name: str) -> Model:
    """The model of a canonical name (``common.values.embedding_model``), loaded once per process.

    :raises ModelError: when its files are missing or unreadable.
    """
    try:
        if name.startswith(DEFAULT):
            return _WordLlama(int(name.partition(":")[2] or 256))
        return _Model2Vec(Path(name))
    except ModelError:
        raise
    except Exception as exc:  # a third-party loader fails in its own ways; the message names the setting
        raise ModelError(f"embedding model {name} cannot be loaded: {type(exc).__name__}: {exc}") from exc


def embed(model: Model, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of ``texts``, one row each; a text the model fails on gets a zero row (it matches nothing).

    One bad text must not take a build down: a failing batch is retried text by text.
    """
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    try:
        return _unit(model.embed(texts))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a Rust panic in a tokenizer arrives as a BaseException
        if len(texts) > 1:
            return np.vstack([embed(model, [text]) for text in texts])
        log.warning("embedding failed for one text (%s: %s); it gets no vector", type(exc).__name__, exc)
        return np.zeros((1, model.dim), dtype=np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
