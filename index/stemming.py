"""porter2, less its merges of unrelated words, plus the irregular plurals it cannot join.

porter2 strips derivational suffixes, so "diagonalizing" finds "diagonalization"
and "statically" finds "static": word-form queries need that, and no lighter
stemmer or lemmatizer measured keeps it. But the same stripping joins words that
only look alike: "integral", "integrity" and "integrated" all become "integr".
Each family of words listed here keeps a stem of its own, shared with their
inflections only ("integrals"), taken from porter2's steps up to 1c.
"""

from __future__ import annotations

from whoosh.lang import porter2

# Families of words that porter2 joins to an unrelated word of the real sample's
# vocabulary (in brackets). Each family takes the stem of its first word.
KEEP_APART = (
    ("integral", "integrally"),  # (integrate, integrity)
    ("integrity",),
    ("complexity",),  # (complex numbers)
    ("definite", "definitely"),  # (definition)
    ("derivative",),  # (derived)
    ("several",),  # (severe)
    ("numerous", "numerously"),  # (numerical)
    ("numerator",),
    ("positive", "positively", "positivity"),  # (position)
    ("lateral", "laterally"),  # (later)
    ("likely",),  # (like)
    ("business",),  # (busy)
    ("module", "modular", "modularity"),  # (modulation)
    ("negation",),  # (negative)
    ("authority",),  # (authorized)
    ("inductance",),  # (induction)
    ("terminal",),  # (terminate)
    ("consistent", "consistency", "consistently"),  # (consist)
    ("objective", "objectively"),  # (object)
    ("underlying",),  # (under)
    ("utility",),  # (utilize)
    ("important", "importance", "importantly"),  # (import)
    ("designate", "designation"),  # (design)
    ("currently",),  # (electric current)
    ("excellent", "excellence"),  # (Excel)
    ("exception", "exceptional"),  # (except)
    ("determinant", "determinants"),  # (determine)
    ("formation",),  # (format)
    ("exclusive", "exclusively", "exclusivity"),  # (exclusion)
    ("inclusive", "inclusively", "inclusivity"),  # (inclusion)
    ("relative", "relatively"),  # (relation)
    ("natural", "naturally"),  # (nature)
    ("marginal", "marginally"),  # (margin)
    ("production",),  # (product)
    ("productive", "productivity"),
    ("expectation",),  # (expect)
    ("projection",),  # (project)
    ("successive", "successively"),  # (successful)
    ("original", "originally"),  # (origin)
    ("comparator",),  # (compare)
    ("direction", "directional"),  # (direct)
    ("conversely",),  # (conversion)
    ("extensive", "extensively"),  # (extension)
    ("associative", "associativity"),  # (associate)
    ("conduction", "conductance", "conductive", "conductivity"),  # (conduct)
    ("transformer",),  # (transform)
    ("responsible", "responsibility"),  # (response)
    ("subsequence",),  # (subsequent)
    ("presentation",),  # (present)
    ("multiplication", "multiplicative"),  # (multiple)
    ("multiplicity",),
    ("mechanism",),  # (mechanical)
    ("additional", "additionally"),  # (addition)
)


def inflectional(word: str) -> str:
    """porter2 up to step 1c: plurals, -ed, -ing and a final -y only."""
    if len(word) <= 2:
        return word
    word = porter2.remove_initial_apostrophe(word)
    if word in porter2.exceptional_forms:
        return porter2.exceptional_forms[word]
    word = porter2.capitalize_consonant_ys(word)
    r1 = porter2.get_r1(word)
    word = porter2.step_1a(porter2.step_0(word))
    if word not in porter2.exceptional_early_exit_post_1a:
        word = porter2.step_1c(porter2.step_1b(word, r1))
    return porter2.normalize_ys(word)


# Plurals that no suffix rule turns into their singular ("automata", "vertices"), as the
# articles of the knowledge base's subjects use them; each is stemmed as its singular. A
# plural of two words ("bases": base and basis; "ellipses") is left to porter2.
IRREGULAR_PLURALS = {
    "analyses": "analysis",
    "appendices": "appendix",
    "automata": "automaton",
    "axes": "axis",
    "bacteria": "bacterium",
    "children": "child",
    "criteria": "criterion",
    "curricula": "curriculum",
    "diagnoses": "diagnosis",
    "feet": "foot",
    "foci": "focus",
    "hypotheses": "hypothesis",
    "indices": "index",
    "loci": "locus",
    "matrices": "matrix",
    "maxima": "maximum",
    "men": "man",
    "mice": "mouse",
    "minima": "minimum",
    "nuclei": "nucleus",
    "optima": "optimum",
    "parentheses": "parenthesis",
    "phenomena": "phenomenon",
    "radii": "radius",
    "schemata": "schema",
    "simplices": "simplex",
    "spectra": "spectrum",
    "stimuli": "stimulus",
    "strata": "stratum",
    "syntheses": "synthesis",
    "teeth": "tooth",
    "theses": "thesis",
    "vertices": "vertex",
    "vortices": "vortex",
    "women": "woman",
}

_APART = {inflectional(word): inflectional(family[0]) for family in KEEP_APART for word in family}
# Only a word with one of these porter2 stems may be kept apart, so the others cost porter2 alone.
_JOINED = frozenset(porter2.stem(word) for family in KEEP_APART for word in family)


def stem(word: str) -> str:
    """porter2 of the word, or of its singular if an irregular plural; for a word of a ``KEEP_APART``
    family and its inflections, the family's own stem."""
    word = IRREGULAR_PLURALS.get(word, word)
    joined = porter2.stem(word)
    if joined in _JOINED:
        return _APART.get(inflectional(word), joined)
    return joined
