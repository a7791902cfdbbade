"""Generate synthetic QuickTakes articles for search benchmarks at the real site's size.

The real site holds about 200,000 articles in ~30 subjects; the 201 real ones in
``../shared/corpus`` are far too few to measure indexing or query speed. This
module writes articles of the same shape: YAML front matter with folded ``>-``
scalars, a one-line Markdown answer of 250-600 words (literal ``\\n`` breaks,
``###`` headings, lists with bold labels, LaTeX, fenced code), 0-5 related
articles, and the body ``&nbsp;``.

Every article is a pure function of ``(number, seed)``: ``article_text`` rebuilds
any one of them (for incremental-update benchmarks) and ``generate`` writes the
same bytes whatever the number of workers. Articles come in clusters of
consecutive numbers that share a subject and a topic, like the real site's
series; related articles point at earlier members of the same cluster, so a
link never targets an article that was not generated.

Usage::

    python bench/generate.py OUT_DIR [-n 200000] [--seed 1] [-j WORKERS]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import itertools
import multiprocessing
import os
import random
import re
import struct
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

# --- Vocabulary -------------------------------------------------------------

# Subject -> (single-word nouns, modifiers, multi-word terms separated by ";").
# Ordered by popularity: a subject's rank sets its share of the articles.
SUBJECTS: dict[str, tuple[str, str, str]] = {
    "Computer Science": (
        "algorithm compiler database recursion encapsulation polymorphism inheritance abstraction pointer thread"
        " cache protocol encryption array stack queue heap tree graph function variable loop interface kernel",
        "recursive distributed parallel binary dynamic static abstract virtual concurrent asynchronous linear balanced",
        "data structure; binary search; hash table; linked list; operating system; memory allocation;"
        " garbage collection; virtual memory; time complexity; dynamic programming; machine learning;"
        " neural network; exception handling; object-oriented programming; Java; Python; SQL; big O notation;"
        " sorting algorithm; version control",
    ),
    "Mathematics": (
        "integral derivative matrix vector eigenvalue polynomial theorem proof limit sequence series equation"
        " inequality manifold topology group ring lattice permutation logarithm probability graph determinant",
        "linear quadratic continuous differentiable finite infinite orthogonal symmetric convex discrete complex prime",
        "greatest common divisor; Euclidean algorithm; Taylor series; Fourier transform; differential equation;"
        " linear algebra; number theory; mathematical induction; fundamental theorem of calculus; chain rule;"
        " vector space; binomial coefficient; Pythagorean theorem; prime factorization; complex number; set theory",
    ),
    "Engineering": (
        "stress strain torque beam circuit voltage current resistor capacitor inductor transistor amplifier turbine"
        " gear load fatigue vibration feedback controller sensor actuator efficiency tolerance weld",
        "structural mechanical electrical thermal hydraulic pneumatic digital analog nonlinear closed-loop cyclic"
        " dynamic",
        "Ohm's law; finite element analysis; control system; transfer function; heat exchanger; signal processing;"
        " Thevenin equivalent; bending moment; shear force; safety factor; power supply; operational amplifier;"
        " Bode plot; PID controller; fluid mechanics",
    ),
    "Physics": (
        "entropy momentum energy force velocity acceleration gravity friction wave photon electron relativity"
        " magnetism charge field oscillation inertia torque radiation diffraction interference spin nucleus plasma",
        "kinetic potential thermal quantum electromagnetic relativistic classical nuclear optical gravitational"
        " angular harmonic",
        "thermodynamic equilibrium; Newton's laws; conservation of energy; special relativity; wave function;"
        " uncertainty principle; electric field; magnetic field; simple harmonic motion; heat flow;"
        " black body radiation; Schrodinger equation; standard model; Doppler effect; projectile motion",
    ),
    "Economics": (
        "inflation unemployment demand supply elasticity equilibrium monopoly oligopoly tariff subsidy recession"
        " utility productivity externality taxation interest investment consumption savings deflation trade"
        " currency welfare",
        "marginal aggregate fiscal monetary fixed variable nominal real competitive perfect public economic",
        "supply and demand; opportunity cost; gross domestic product; price elasticity; market failure;"
        " comparative advantage; central bank; interest rate; game theory; Phillips curve; consumer surplus;"
        " law of diminishing returns; exchange rate; business cycle",
    ),
    "Biology": (
        "cell gene protein enzyme mitochondria chromosome mutation evolution photosynthesis respiration membrane"
        " ribosome organism species ecosystem hormone neuron antibody bacteria virus tissue nucleus allele genome",
        "cellular genetic molecular recessive dominant aerobic anaerobic eukaryotic prokaryotic somatic metabolic"
        " immune",
        "natural selection; DNA replication; cell division; gene expression; protein synthesis; Krebs cycle;"
        " cell membrane; immune response; Mendelian inheritance; food web; homeostasis; meiosis; mitosis;"
        " transcription factor",
    ),
    "Chemistry": (
        "molecule atom ion bond reaction catalyst acid base oxidation reduction electron isotope polymer solvent"
        " solute compound element enthalpy entropy equilibrium titration orbital valence isomer precipitate",
        "covalent ionic organic inorganic exothermic endothermic aqueous molecular atomic acidic basic reversible",
        "chemical equilibrium; Le Chatelier's principle; reaction rate; activation energy; periodic table;"
        " hydrogen bond; Gibbs free energy; ideal gas law; molar mass; redox reaction; pH scale; Lewis structure;"
        " electron configuration; buffer solution",
    ),
    "Psychology": (
        "cognition memory perception emotion motivation behavior personality attention learning conditioning"
        " anxiety depression intelligence development attachment bias schema reinforcement stimulus identity"
        " conformity empathy resilience trauma therapy",
        "cognitive behavioral social developmental clinical emotional implicit explicit conscious unconscious"
        " adaptive experimental",
        "classical conditioning; operant conditioning; working memory; cognitive dissonance; confirmation bias;"
        " Maslow's hierarchy of needs; attachment theory; growth mindset; social learning theory;"
        " fight or flight response; placebo effect; long-term memory",
    ),
    "Business": (
        "strategy management leadership stakeholder entrepreneur innovation negotiation organization competitor"
        " revenue profit customer employee partnership franchise merger acquisition governance logistics"
        " outsourcing startup operations productivity",
        "strategic operational corporate organizational competitive global sustainable ethical agile lean"
        " international managerial",
        "SWOT analysis; business model; value chain; corporate social responsibility; supply chain management;"
        " human resource management; change management; Porter's five forces; market share; return on investment;"
        " key performance indicator; organizational culture",
    ),
    "Statistics": (
        "variance mean median regression correlation distribution probability sample population hypothesis"
        " estimator likelihood bias outlier quantile covariance residual bootstrap confidence significance"
        " sampling parameter deviation skewness kurtosis",
        "normal binomial conditional multivariate bayesian linear logistic random independent standard statistical"
        " empirical",
        "standard deviation; null hypothesis; p-value; confidence interval; central limit theorem;"
        " linear regression; Bessel's correction; maximum likelihood estimation; cross-validation; chi-square test;"
        " t-test; analysis of variance; sampling distribution; Type I error",
    ),
    "Digital Media": (
        "video animation audio editing storyboard typography layout branding podcast streaming content engagement"
        " platform algorithm influencer pixel resolution rendering compression codec interface graphics"
        " photography narrative audience",
        "interactive visual digital multimedia social responsive immersive viral online mobile creative editorial",
        "social media; user experience; content strategy; motion graphics; color theory; visual storytelling;"
        " search engine optimization; video editing; graphic design; augmented reality; virtual reality;"
        " web design; digital marketing",
    ),
    "Education Studies": (
        "pedagogy curriculum assessment literacy scaffolding inclusion motivation classroom feedback"
        " differentiation instruction learner teacher achievement equity constructivism accountability"
        " mentoring tutoring engagement standards numeracy",
        "formative summative inclusive collaborative experiential reflective blended online early inquiry-based"
        " student-centered differentiated",
        "zone of proximal development; Bloom's taxonomy; formative assessment; lesson planning; learning outcomes;"
        " special education; classroom management; project-based learning; universal design for learning;"
        " growth mindset; teacher education",
    ),
    "History": (
        "revolution empire colonialism monarchy feudalism renaissance reformation industrialization nationalism"
        " imperialism democracy treaty war dynasty republic civilization trade migration slavery independence"
        " constitution diplomacy propaganda alliance archive",
        "medieval ancient colonial industrial political economic cultural religious military early modern postwar",
        "French Revolution; Industrial Revolution; Cold War; World War I; World War II; Roman Empire;"
        " Treaty of Versailles; civil rights movement; Great Depression; Ottoman Empire; Silk Road;"
        " printing press; Enlightenment",
    ),
    "Medicine": (
        "diagnosis prognosis pathology infection inflammation diabetes hypertension vaccine antibiotic dosage"
        " symptom syndrome tumor metastasis anemia cardiology immunology pharmacology epidemiology surgery therapy"
        " biopsy anesthesia",
        "chronic acute clinical systemic cardiovascular respiratory neurological infectious autoimmune pediatric"
        " oncologic preventive",
        "blood pressure; heart failure; immune system; clinical trial; differential diagnosis;"
        " evidence-based medicine; insulin resistance; antibiotic resistance; public health; side effect;"
        " risk factor; randomized controlled trial",
    ),
    "Finance": (
        "portfolio dividend bond equity derivative option futures liquidity leverage volatility yield valuation"
        " arbitrage hedging interest capital asset liability credit risk diversification annuity inflation mortgage",
        "financial fixed floating discounted expected systematic unsystematic risk-free nominal effective annual"
        " quantitative",
        "net present value; time value of money; capital asset pricing model; weighted average cost of capital;"
        " internal rate of return; efficient market hypothesis; cash flow; stock market; interest rate risk;"
        " balance sheet; Black-Scholes model; compound interest",
    ),
    "Philosophy": (
        "ethics epistemology metaphysics ontology logic virtue utilitarianism deontology existentialism empiricism"
        " rationalism skepticism determinism consciousness knowledge truth justice morality aesthetics dualism"
        " idealism phenomenology argument",
        "moral ethical metaphysical logical rational empirical existential normative categorical transcendental"
        " pragmatic political",
        "categorical imperative; social contract; free will; mind-body problem; Plato's cave; trolley problem;"
        " veil of ignorance; Socratic method; problem of evil; personal identity; a priori knowledge",
    ),
    "Sociology": (
        "socialization stratification inequality deviance institution ideology bureaucracy globalization"
        " urbanization gender ethnicity class family religion identity community culture norm status role power"
        " solidarity mobility modernization",
        "social cultural structural institutional symbolic functional economic urban rural collective gendered racial",
        "social stratification; symbolic interactionism; structural functionalism; conflict theory;"
        " social mobility; cultural capital; social network; collective behavior; social construction;"
        " labeling theory",
    ),
    "Political Science": (
        "democracy sovereignty legitimacy federalism constitution election parliament legislature judiciary"
        " ideology liberalism conservatism populism authoritarianism diplomacy policy governance lobbying"
        " referendum coalition partisanship citizenship representation bureaucracy",
        "political democratic electoral constitutional federal international authoritarian liberal comparative"
        " legislative executive partisan",
        "separation of powers; checks and balances; civil liberties; public policy; interest group;"
        " international relations; balance of power; rule of law; electoral system; political party;"
        " social contract; foreign policy",
    ),
    "Nursing": (
        "assessment care patient medication triage hygiene documentation advocacy wound infection dosage"
        " monitoring discharge rehabilitation empathy communication safety fatigue hydration nutrition mobility"
        " vitals delegation",
        "clinical patient-centered holistic palliative pediatric geriatric postoperative acute chronic"
        " evidence-based therapeutic preventive",
        "nursing process; care plan; vital signs; infection control; patient safety; medication administration;"
        " pain management; nursing diagnosis; informed consent; scope of practice; hand hygiene; fall prevention",
    ),
    "Law": (
        "contract tort liability negligence jurisdiction precedent statute plaintiff defendant appeal evidence"
        " testimony litigation arbitration damages injunction constitution equity trust property copyright patent"
        " trademark custody",
        "criminal civil constitutional statutory contractual judicial legal procedural substantive international"
        " commercial administrative",
        "due process; burden of proof; common law; duty of care; breach of contract; intellectual property;"
        " reasonable doubt; habeas corpus; strict liability; statute of limitations; case law; freedom of speech",
    ),
    "Marketing": (
        "branding segmentation targeting positioning advertising promotion pricing consumer campaign loyalty"
        " engagement conversion retention funnel persona survey sponsorship packaging distribution awareness"
        " reputation influencer channel",
        "digital strategic targeted omnichannel experiential viral emotional competitive consumer direct organic paid",
        "marketing mix; brand equity; customer journey; market research; target audience;"
        " social media marketing; content marketing; customer lifetime value; value proposition;"
        " product life cycle; word of mouth; search engine optimization",
    ),
    "Accounting": (
        "ledger journal depreciation amortization accrual revenue expense asset liability equity audit inventory"
        " payroll taxation reconciliation budgeting receivables payables goodwill dividends provision impairment"
        " variance",
        "financial managerial accrual deferred current noncurrent fixed variable historical fiscal operating"
        " consolidated",
        "balance sheet; income statement; cash flow statement; double-entry bookkeeping;"
        " generally accepted accounting principles; trial balance; cost accounting; break-even analysis;"
        " working capital; accounts receivable; retained earnings; financial ratio",
    ),
    "Linguistics": (
        "phoneme morpheme syntax semantics pragmatics phonology morphology lexicon dialect grammar discourse"
        " bilingualism sociolinguistics etymology inflection derivation allophone prosody intonation tense aspect"
        " clause pidgin creole",
        "phonetic syntactic semantic morphological lexical grammatical cognitive historical comparative generative"
        " bilingual regional",
        "language acquisition; universal grammar; speech act; code switching; Sapir-Whorf hypothesis;"
        " critical period hypothesis; phrase structure; minimal pair; sign language; language change; vowel shift",
    ),
    "Geography": (
        "erosion climate landform urbanization migration population watershed glacier plateau delta monsoon"
        " desertification cartography topography biome settlement agriculture tectonics volcano earthquake river"
        " coastline latitude region",
        "physical human urban rural regional spatial tectonic coastal arid tropical temperate demographic",
        "plate tectonics; climate change; water cycle; demographic transition model;"
        " geographic information system; urban sprawl; population density; land use; natural hazard;"
        " central place theory; push and pull factors",
    ),
    "Environmental Science": (
        "biodiversity pollution sustainability ecosystem conservation deforestation emissions recycling"
        " acidification eutrophication habitat carbon biomass wetland drought toxicity runoff restoration"
        " stewardship contamination greenhouse ozone",
        "environmental ecological sustainable renewable anthropogenic atmospheric marine terrestrial invasive"
        " endangered organic industrial",
        "climate change; greenhouse effect; carbon footprint; renewable energy; carbon cycle; nitrogen cycle;"
        " ocean acidification; environmental impact assessment; ecological footprint; water pollution;"
        " air quality; life cycle assessment",
    ),
    "Astronomy": (
        "galaxy nebula supernova pulsar quasar exoplanet orbit telescope redshift parallax luminosity magnitude"
        " comet asteroid meteor eclipse constellation cosmology singularity accretion spectroscopy star planet moon",
        "stellar galactic solar lunar planetary cosmic interstellar orbital gravitational spectral dark radio",
        "black hole; dark matter; dark energy; Big Bang; Hubble's law; main sequence; neutron star; white dwarf;"
        " event horizon; cosmic microwave background; Kepler's laws; light year; solar system",
    ),
    "Music": (
        "harmony melody rhythm tempo chord scale interval counterpoint cadence modulation timbre dynamics notation"
        " composition orchestration improvisation syncopation tonality meter motif symphony sonata fugue key",
        "harmonic melodic rhythmic tonal atonal diatonic chromatic modal baroque classical romantic minimalist",
        "circle of fifths; sonata form; chord progression; time signature; twelve-tone technique; major scale;"
        " minor scale; figured bass; call and response; music theory; perfect cadence",
    ),
    "Art History": (
        "impressionism cubism surrealism expressionism modernism realism romanticism iconography perspective"
        " fresco sculpture portrait patronage composition abstraction symbolism minimalism mannerism chiaroscuro"
        " painting architecture",
        "classical gothic neoclassical abstract figurative religious secular medieval modern contemporary"
        " avant-garde visual",
        "linear perspective; Italian Renaissance; Dutch Golden Age; Abstract Expressionism; Sistine Chapel;"
        " Gothic cathedral; oil painting; still life; Bauhaus; Pop Art; art criticism",
    ),
    "Literature": (
        "narrative metaphor symbolism irony allegory protagonist antagonist theme motif imagery tragedy comedy"
        " satire sonnet novel poetry prose genre characterization foreshadowing setting plot tone allusion",
        "literary poetic narrative dramatic symbolic gothic romantic modernist postmodern Victorian tragic comic",
        "point of view; stream of consciousness; unreliable narrator; magical realism; dramatic irony;"
        " literary criticism; free verse; Shakespearean tragedy; hero's journey; coming-of-age story;"
        " figurative language",
    ),
    "Anthropology": (
        "culture kinship ritual ethnography fieldwork ethnocentrism relativism religion myth totem exchange"
        " reciprocity lineage clan tribe migration language identity artifact archaeology evolution adaptation"
        " subsistence taboo",
        "cultural social biological linguistic archaeological ethnographic indigenous ritual symbolic comparative"
        " economic political",
        "participant observation; cultural relativism; kinship system; rite of passage; gift exchange;"
        " human evolution; material culture; holistic approach; emic and etic perspectives;"
        " hunter-gatherer society; thick description",
    ),
}

# Subjects whose articles sometimes carry LaTeX, and the one whose articles carry code.
MATH_SUBJECTS = frozenset(
    {"Mathematics", "Physics", "Chemistry", "Statistics", "Engineering", "Computer Science", "Astronomy", "Economics"}
)
CODE_SUBJECT = "Computer Science"

# Commonest first: the rank sets each word's Zipf frequency.
FUNCTION_WORDS = """
the of and to a in is that for it as with be on by this are can which or an from these at its their also such
more not have has was how other between into when both each they but may through while than one all where most
within often about well because however some many only there them what if would could should will do does been
being so those any new first two over under after before during without across among like same different several
various
""".split()

GENERAL_WORDS = """
process system important approach example result data information level role change factor effect impact structure
function form value number type method theory concept model analysis research study problem question case use part
range area group time way term rate order context principle practice development relationship understanding
knowledge performance quality environment condition pattern behavior response application framework perspective
strategy outcome feature element component property characteristic difference similarity variation measure evidence
support key significant specific general common complex simple basic main major primary central critical essential
fundamental overall particular individual social physical natural human public private local global total potential
possible likely effective efficient accurate relevant consistent stable dynamic high low large small long short early
recent current future modern traditional classical standard typical unique additional necessary useful practical
theoretical formal informal direct indirect positive negative relative absolute strong weak complete partial initial
final internal external provide include allow require involve consider describe explain define determine identify
increase decrease reduce improve maintain develop create produce apply affect influence depend ensure achieve
represent indicate suggest show demonstrate compare contrast analyze evaluate assess examine observe calculate
estimate predict generate transform combine separate connect relate enable prevent lead contribute occur remain
become follow understand learn focus address manage control design implement test select people student teacher
researcher society community population organization institution country world history language culture economy
market government policy law science technology tool resource energy material cost price benefit risk challenge
opportunity goal objective task step stage phase period cycle sequence series set list table figure chart graph map
network link source target input output flow balance limit boundary scale size speed distance direction position
point line surface space volume weight mass force pressure temperature heat light sound signal message code text
word sentence idea view opinion argument claim reason cause consequence solution answer issue topic subject field
discipline domain category class kind aspect dimension scope extent degree amount proportion percentage ratio
average trend growth decline shift transition evolution origin basis foundation core detail summary overview
description explanation definition interpretation assumption hypothesis experiment observation measurement
prediction decision choice option alternative preference priority requirement rule guideline procedure technique
mechanism operation action activity event situation circumstance state status help make take give find keep begin
continue run move build hold bring carry reach meet play serve set work need seek offer report account base rely
vary differ exist appear emerge arise involve reflect highlight emphasize illustrate clarify outline introduce
discuss examine explore review interpret assess justify predict verify confirm reveal capture express specify
establish organize arrange adjust adapt respond interact communicate participate cooperate compete negotiate
resolve balance integrate distribute allocate measure record store retrieve update access share protect secure
support sustain extend expand limit restrict regulate monitor track evaluate improve optimize simplify reduce
minimize maximize accurately clearly directly effectively efficiently generally largely mainly mostly particularly
primarily rapidly relatively significantly simply slightly specifically strongly typically usually widely
commonly frequently rarely often always never sometimes together therefore thus hence instead rather quite very
especially certain clear obvious evident apparent notable remarkable considerable substantial minor broad narrow
deep wide rich limited open closed active passive available appropriate suitable reliable valid robust flexible
rigid precise approximate exact true false correct wrong real actual ideal optimal minimal maximal average normal
unusual rare frequent regular constant continuous sudden gradual steady rapid slow quick fast
""".split()

# Sentence starters and paragraph leads make the text read like an explanation, not a word list.
OPENERS = (
    "However,",
    "In addition,",
    "For example,",
    "As a result,",
    "In practice,",
    "Moreover,",
    "This means that",
    "In many cases,",
    "Typically,",
    "Importantly,",
    "Similarly,",
    "In contrast,",
    "For instance,",
    "Therefore,",
    "At the same time,",
)
OPENER_RATE = 0.25
OPENER_EXTRA_WORDS = sum(len(opener.split()) - 1 for opener in OPENERS) / len(OPENERS)  # an opener replaces one token
INLINE_MATH_WORDS = 6  # about what one to three inline formulas add to the indexed text
COMMA_RATE = 0.4
INTRO_LEADS = ("{X} is", "{X} refers to", "{X} describes", "In {s}, {x} is", "Understanding {x} requires")
CONCLUSION_LEADS = ("In conclusion,", "Overall,", "In summary,", "To summarize,")
SECTION_HEADINGS = (
    "Key Concepts",
    "Key Points",
    "How {X} Works",
    "Applications",
    "Examples",
    "Advantages and Limitations",
    "Historical Background",
    "Practical Implications",
    "Important Considerations",
    "Understanding {X}",
    "{X} in Practice",
    "Relationship Between {X} and {Y}",
)
CONCLUSION_HEADINGS = ("Conclusion", "Summary")

# 6-14 words once the terms are filled in; _question checks and retries.
QUESTION_TEMPLATES = (
    "What is the role of {x} in {y}?",
    "How does {x} affect {y}?",
    "Explain the difference between {x} and {y}.",
    "Can you explain {x} with examples?",
    "What are the main applications of {x} in {s}?",
    "Why is {x} important for understanding {y}?",
    "How is {x} related to {y}?",
    "What are the advantages and disadvantages of {x}?",
    "What factors influence {x} in {s}?",
    "How can {x} be used to analyze {y}?",
    "What is {x}, and why is it important?",
)
DESCRIPTION_TEMPLATES = (
    "This content explains {x} in {s}, highlighting {y} and {z}.",
    "An overview of {x} and its relationship to {y}, with key points on {z}.",
    "This answer describes how {x} relates to {y} and why it matters in {s}.",
    "A concise explanation of {x}, covering {y}, {z} and common examples.",
)

# Only commands pylatexenc renders; "\n..." commands are ones index.text keeps inside math.
INLINE_MATH = (
    r"x^2 + y^2",
    r"\frac{dy}{dx}",
    r"E = mc^2",
    r"\sum_{i=1}^{n} x_i",
    r"\Delta G = \Delta H - T \Delta S",
    r"\int_a^b f(x) \, dx",
    r"P(A \mid B)",
    r"\sigma^2",
    r"\alpha + \beta = 1",
    r"F = ma",
    r"pV = nRT",
    r"a \neq 0",
    r"\nabla \cdot \mathbf{E}",
    r"O(n \log n)",
    r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
    r"\binom{n}{k}",
    r"\mu \pm 2\sigma",
    r"\sqrt{b^2 - 4ac}",
)
DISPLAY_MATH = (
    r"\frac{a}{b}",
    r"\bar{x} = \frac{1}{n} \sum_{i=1}^{n} x_i",
    r"\Delta S \geq 0",
    r"k = A e^{-E_a / RT}",
    r"\hat{H} \psi = E \psi",
    r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}",
    r"\int_0^\infty e^{-x^2} \, dx = \frac{\sqrt{\pi}}{2}",
    r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
    r"F = G \frac{m_1 m_2}{r^2}",
    r"\sigma = \sqrt{\frac{1}{N} \sum_{i=1}^{N} (x_i - \mu)^2}",
)
INLINE_MATH_LINKS = ("as in", "where", "given by", "such as")

# No "$" and no backslashes: either would be read as math or as a break by index.text.
CODE_SNIPPETS = (
    """```python
def binary_search(items, target):
    low, high = 0, len(items) - 1
    while low <= high:
        mid = (low + high) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1
```""",
    """```java
public class Counter {
    private int count;

    public void increment() {
        count++;
    }

    public int getCount() {
        return count;
    }
}
```""",
    """```sql
SELECT department, AVG(salary) AS average_salary
FROM employees
GROUP BY department
HAVING AVG(salary) > 50000;
```""",
    """```python
def factorial(n):
    # the base case stops the recursion
    if n <= 1:
        return 1
    return n * factorial(n - 1)
```""",
)

# Pieces of generated rare terms ("microentropic", "polyledgerization"): they give the
# vocabulary the long tail of a real corpus, where most distinct words occur a few times.
RARE_PREFIXES = (
    "",
    "micro",
    "macro",
    "hyper",
    "hypo",
    "poly",
    "iso",
    "neo",
    "meta",
    "proto",
    "trans",
    "inter",
    "sub",
    "para",
    "pseudo",
    "semi",
    "ultra",
    "multi",
    "anti",
    "co",
    "de",
    "re",
    "pre",
    "post",
    "non",
    "auto",
    "bio",
    "geo",
    "homo",
    "hetero",
    "infra",
    "supra",
    "tri",
    "bi",
    "mono",
    "quasi",
    "exo",
    "endo",
    "peri",
    "epi",
)
RARE_SUFFIXES = (
    "ic",
    "ical",
    "ism",
    "ist",
    "ity",
    "ation",
    "ization",
    "ology",
    "ometry",
    "ography",
    "al",
    "ous",
    "ive",
    "oid",
    "ine",
    "ase",
    "ide",
    "ite",
    "ile",
    "ent",
    "ance",
    "ure",
    "on",
    "um",
    "ia",
)
NAME_ONSETS = "b c d f g h k l m n p r s t v z br ch dr gr kr pl st tr".split()
NAME_VOWELS = "a e i o u".split()
NAME_ENDINGS = "son sen ov ova ini ez berg ski man ton ard elli er".split()

RARE_TERMS_PER_SUBJECT = 3000
NAME_COUNT = 4000

# Share of the answer text taken by each kind of token, and the Zipf-Mandelbrot
# (exponent, offset) of frequencies within the kind.
TOKEN_MIX = {
    "function": (0.46, 1.0, 1.5),
    "general": (0.37, 1.0, 3.0),
    "terms": (0.14, 0.9, 4.0),
    "rare": (0.025, 1.0, 20.0),
    "names": (0.005, 1.0, 20.0),
}

# --- Article shape ---------------------------------------------------------

ID_BASE = 1_000_000
CLUSTER_SIZE = 12  # consecutive numbers sharing a subject and topic, like the real site's series
MAX_RELATED = 5
MIN_WORDS, MAX_WORDS = 250, 600
LENGTH_SLACK = 12  # answers land within ~11 words of their target, so targets stay this far inside
MEAN_SENTENCE_WORDS = 17
VARIANT_SPELLING_RATE = 0.03  # "Computer science" next to "Computer Science", as on the real site
MATH_RATE = 0.2
CODE_RATE = 0.12
NO_SCORE_RATE = 0.05
BLANK_BEFORE_CLOSE_RATE = 0.02  # some real files have an empty line before the closing ---
FIRST_DATE = dt.date(2023, 1, 1)
DATE_SPAN_DAYS = (dt.date(2025, 12, 31) - FIRST_DATE).days + 1
BR = "\\n"  # the site's line break inside the one-line answer: backslash then n
CHUNK = 500  # articles per worker task: small enough to keep both workers busy to the end
SERIAL_BELOW = 1000  # a process pool costs more than it saves for smaller runs

T = TypeVar("T")

_SUBJECT_NAMES = tuple(SUBJECTS)
_SUBJECT_CUM = tuple(itertools.accumulate(1.0 / rank for rank in range(1, len(SUBJECTS) + 1)))


def _slugify(text: str) -> str:
    """Slug the site's way: drop punctuation ("C-based" -> "cbased"), hyphens between words."""
    return "-".join(re.sub(r"[^a-z0-9 ]", "", text.lower()).split())


def _capitalize(text: str) -> str:
    """Upper-case the first letter, looking past a leading ``**`` bold marker."""
    if text.startswith("**"):
        return "**" + text[2:3].upper() + text[3:]
    return text[:1].upper() + text[1:]


def _title(term: str) -> str:
    """Capitalize each word for headings, keeping acronyms ("DNA replication" -> "DNA Replication")."""
    return " ".join(word[:1].upper() + word[1:] for word in term.split())


def _dedupe(items: Iterable[str], limit: int | None = None) -> list[str]:
    """Drop repeats case-insensitively, keeping first-seen order (no sets: their order varies by run)."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.casefold(), item)
        if len(seen) == limit:
            break
    return list(seen.values())


def _zipf(n: int, exponent: float, offset: float) -> np.ndarray:
    """Zipf-Mandelbrot probabilities for ranks 1..n."""
    weights = 1.0 / (np.arange(1, n + 1) + offset) ** exponent
    return weights / weights.sum()


@dataclass(frozen=True)
class Vocabulary:
    """Everything needed to write text for one subject."""

    name: str
    slug: str
    terms: tuple[str, ...]  # technical terms for questions, labels and keywords, commonest first
    term_cum: tuple[float, ...]  # cumulative weights over ``terms``, for _Draws.weighted
    tokens: np.ndarray  # object array of every token the answer text is drawn from
    token_cum: np.ndarray  # cumulative probabilities over ``tokens``
    token_words: np.ndarray  # words per token (technical terms may have several)
    term_span: tuple[int, int]  # where the technical terms sit in ``tokens``


def _rare_terms(nouns: list[str], rng: random.Random, count: int) -> list[str]:
    """Coin ``count`` distinct rare words from a subject's nouns, prefixes and suffixes."""
    stems = [re.sub(r"[aeiouy]+$", "", noun.lower()) or noun.lower() for noun in nouns]
    space = len(RARE_PREFIXES) * len(stems) * len(RARE_SUFFIXES)
    words = []
    for code in rng.sample(range(space), min(count, space)):
        code, suffix = divmod(code, len(RARE_SUFFIXES))
        prefix, stem = divmod(code, len(stems))
        words.append(RARE_PREFIXES[prefix] + stems[stem] + RARE_SUFFIXES[suffix])
    return words


def _names(count: int) -> list[str]:
    """Coin ``count`` distinct surnames ("Kovaleski"): real answers cite people, rarely."""
    rng = random.Random("vocabulary:names")
    names: dict[str, None] = {}
    while len(names) < count:
        syllables = "".join(rng.choice(NAME_ONSETS) + rng.choice(NAME_VOWELS) for _ in range(rng.randint(1, 2)))
        names.setdefault((syllables + rng.choice(NAME_ENDINGS)).capitalize(), None)
    return list(names)


def _build_vocabulary(name: str, names: list[str]) -> Vocabulary:
    nouns_text, modifiers_text, extras_text = SUBJECTS[name]
    nouns, modifiers = nouns_text.split(), modifiers_text.split()
    extras = [term.strip() for term in extras_text.split(";")]
    # A fixed per-subject seed: the vocabulary is part of the format, the same for every --seed.
    rng = random.Random(f"vocabulary:{name}")
    phrases = [f"{modifier} {noun}" for modifier in modifiers for noun in nouns[:20]]
    rng.shuffle(phrases)
    terms = _dedupe(extras + nouns + phrases)
    body_terms = _dedupe(nouns + extras + modifiers + phrases)
    groups = {
        "function": FUNCTION_WORDS,
        "general": _dedupe(GENERAL_WORDS),
        "terms": body_terms,
        "rare": _rare_terms(nouns, rng, RARE_TERMS_PER_SUBJECT),
        "names": names,
    }
    tokens = [token for words in groups.values() for token in words]
    probabilities = [
        share * _zipf(len(groups[kind]), exponent, offset) for kind, (share, exponent, offset) in TOKEN_MIX.items()
    ]
    term_start = len(groups["function"]) + len(groups["general"])
    cum = np.cumsum(np.concatenate(probabilities))
    cum /= cum[-1]
    return Vocabulary(
        name=name,
        slug=_slugify(name),
        terms=tuple(terms),
        term_cum=tuple(itertools.accumulate(_zipf(len(terms), 0.8, 2.0).tolist())),
        tokens=np.array(tokens, dtype=object),
        token_cum=cum,
        token_words=np.array([token.count(" ") + 1 for token in tokens]),
        term_span=(term_start, term_start + len(body_terms)),
    )


@lru_cache(maxsize=1)
def _vocabularies() -> tuple[Vocabulary, ...]:
    """Build every subject's vocabulary once per process (a fork inherits it)."""
    names = _names(NAME_COUNT)
    return tuple(_build_vocabulary(name, names) for name in _SUBJECT_NAMES)


# --- Randomness -------------------------------------------------------------


class _Draws:
    """Uniform numbers in [0, 1), handed out one by one from blocks that ``refill`` returns.

    Python's ``random.Random`` costs ~7 us to seed and ~0.7 us per ``randint``; with a
    fresh one per article and ~60 choices each, that was a third of the run time.
    """

    __slots__ = ("_pending", "_refill")

    def __init__(self, refill: Callable[[], list[float]]) -> None:
        self._refill = refill
        self._pending: list[float] = []

    def uniform(self) -> float:
        if not self._pending:
            self._pending = self._refill()
        return self._pending.pop()

    def chance(self, probability: float) -> bool:
        return self.uniform() < probability

    def below(self, limit: int) -> int:
        if not self._pending:  # uniform() inlined: this is the hottest draw
            self._pending = self._refill()
        return int(self._pending.pop() * limit)

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + self.below(high - low + 1)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def weighted(self, items: Sequence[T], cum_weights: Sequence[float]) -> T:
        # min(): the product can round up to the total, which would index past the end.
        return items[min(bisect.bisect(cum_weights, self.uniform() * cum_weights[-1]), len(items) - 1)]

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        """``count`` distinct items in random order (a partial Fisher-Yates shuffle)."""
        pool = list(items)
        for n in range(count):
            other = n + self.below(len(pool) - n)
            pool[n], pool[other] = pool[other], pool[n]
        return pool[:count]


def _hashed_draws(*key: object) -> _Draws:
    """Draws that depend only on ``key``: BLAKE2b in counter mode, eight numbers per hash.

    Headers and clusters need a dozen numbers each, and must come out the same
    whichever article asks for them first, so they get their own stream with no state to share.
    """
    prefix = ":".join(map(str, key)).encode()
    blocks = itertools.count()

    def refill() -> list[float]:
        digest = hashlib.blake2b(prefix + b"#%d" % next(blocks), digest_size=64).digest()
        return [(value >> 11) * 2.0**-53 for value in struct.unpack("<8Q", digest)]

    return _Draws(refill)


_THREAD = threading.local()


def _article_generator(seed: int, number: int) -> np.random.Generator:
    """The numpy generator for one article, its PCG64 state taken from a hash of (seed, number).

    A new Generator costs ~20 us (SeedSequence hashing); resetting this thread's one costs ~3 us.
    Only ``article_text`` uses it and never re-entrantly, so one per thread is safe.
    """
    if not hasattr(_THREAD, "generator"):
        _THREAD.generator = np.random.Generator(np.random.PCG64(0))
    digest = hashlib.blake2b(f"{seed}:article:{number}".encode(), digest_size=32).digest()
    _THREAD.generator.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": int.from_bytes(digest[:16], "little"), "inc": int.from_bytes(digest[16:], "little") | 1},
        "has_uint32": 0,
        "uinteger": 0,
    }
    return _THREAD.generator


# --- Article headers (what other articles need to link here) ----------------


@dataclass(frozen=True)
class Header:
    """The parts of an article that related articles repeat: id, question, subject, url."""

    number: int
    subject_index: int
    subject: str  # as this file spells it
    question: str
    slug: str  # of the question; kept because every link to this article repeats it
    focus: tuple[str, ...]  # the question's main term, its second term and the cluster's topic

    @property
    def id(self) -> int:
        return ID_BASE + self.number

    @property
    def subject_slug(self) -> str:
        return _vocabularies()[self.subject_index].slug

    @property
    def file_name(self) -> str:
        return f"{self.slug}-{self.number}.md"

    @property
    def url(self) -> str:
        return f"/learn/{self.subject_slug}/questions/{self.slug}-{self.number}"


def _pick_term(draws: _Draws, vocabulary: Vocabulary) -> str:
    return draws.weighted(vocabulary.terms, vocabulary.term_cum)


@lru_cache(maxsize=64)
def _cluster(cluster: int, seed: int) -> tuple[int, str]:
    """Subject index and topic shared by one cluster of consecutive articles."""
    draws = _hashed_draws(seed, "cluster", cluster)
    subject = draws.weighted(range(len(_SUBJECT_NAMES)), _SUBJECT_CUM)
    return subject, _pick_term(draws, _vocabularies()[subject])


def _spelling(name: str, draws: _Draws) -> str:
    """The subject as this file spells it: now and then lower-case after the first word."""
    if not draws.chance(VARIANT_SPELLING_RATE):
        return name
    first, *rest = name.split()
    return " ".join([first, *(word.lower() for word in rest)]) if rest else name.lower()


def _question(draws: _Draws, vocabulary: Vocabulary, topic: str) -> tuple[str, str, str]:
    """A 6-14 word question about the topic or another term; returns it with its two terms."""
    subject = vocabulary.name.lower()
    x = y = topic
    for _ in range(20):
        x = topic if draws.chance(0.6) else _pick_term(draws, vocabulary)
        y = _pick_term(draws, vocabulary)
        if y == x:
            continue
        question = draws.pick(QUESTION_TEMPLATES).format(x=x, y=y, s=subject)
        if 6 <= len(question.split()) <= 14:
            return question, x, y
    return f"Can you explain {x} with examples?", x, y  # 6-10 words: terms have 1-5


@lru_cache(maxsize=256)
def _header(number: int, seed: int) -> Header:
    """Derive an article's header from its number alone, so links need no article index."""
    subject, topic = _cluster((number - 1) // CLUSTER_SIZE, seed)
    vocabulary = _vocabularies()[subject]
    draws = _hashed_draws(seed, "header", number)
    question, x, y = _question(draws, vocabulary, topic)
    return Header(
        number=number,
        subject_index=subject,
        subject=_spelling(vocabulary.name, draws),
        question=question,
        slug=_slugify(question),
        focus=tuple(_dedupe([x, y, topic])),
    )


def _related(number: int, seed: int, draws: _Draws) -> list[Header]:
    """0-5 earlier articles of the same cluster: those exist whatever the article count."""
    first = (number - 1) // CLUSTER_SIZE * CLUSTER_SIZE + 1
    wanted = draws.between(0, MAX_RELATED)
    chosen = draws.sample(range(first, number), min(wanted, number - first))
    return [_header(other, seed) for other in chosen]


# --- Answers ----------------------------------------------------------------


@dataclass
class _Block:
    """One piece of the answer before its sentences are written."""

    kind: str  # "para", "heading", "numbered", "bulleted", "math" or "code"
    text: str = ""  # a paragraph's lead words, a heading, a formula or a code block
    slots: list[int] = field(default_factory=list)  # sentences per paragraph or per list item
    labels: list[str] = field(default_factory=list)  # a list item's bold label

    def fixed_words(self) -> int:
        return len(self.text.split()) + sum(len(label.split()) for label in self.labels)


def _section(draws: _Draws, vocabulary: Vocabulary, heading: str) -> list[_Block]:
    """A heading over a numbered or bulleted list (maybe followed by a paragraph) or a paragraph."""
    blocks = [_Block("heading", heading)]
    style = draws.uniform()
    if style < 0.65:
        labels = _dedupe([_pick_term(draws, vocabulary) for _ in range(draws.between(3, 5))])
        kind = "numbered" if style < 0.45 else "bulleted"
        blocks.append(_Block(kind, slots=[draws.between(1, 2) for _ in labels], labels=labels))
        if draws.chance(0.5):
            blocks.append(_Block("para", slots=[draws.between(1, 3)]))
    else:
        blocks.append(_Block("para", slots=[draws.between(2, 4)]))
    return blocks


def _plan(header: Header, draws: _Draws, vocabulary: Vocabulary, target: int) -> list[_Block]:
    """Lay out intro, 1-3 sections, optional math or code, and a conclusion."""
    x, y = header.focus[0], header.focus[min(1, len(header.focus) - 1)]
    intro_lead = draws.pick(INTRO_LEADS).format(X=_capitalize(x), x=x, s=header.subject.lower())
    blocks = [_Block("para", intro_lead, [draws.between(2, 4)])]
    for _ in range(1 + (target >= 350) + (target >= 480)):
        blocks += _section(draws, vocabulary, draws.pick(SECTION_HEADINGS).format(X=_title(x), Y=_title(y)))
    if vocabulary.name in MATH_SUBJECTS and draws.chance(MATH_RATE):
        blocks.insert(draws.between(1, len(blocks)), _Block("math", f"$$ {draws.pick(DISPLAY_MATH)} $$"))
    if vocabulary.name == CODE_SUBJECT and draws.chance(CODE_RATE):
        blocks.insert(draws.between(1, len(blocks)), _Block("code", draws.pick(CODE_SNIPPETS)))
    if draws.chance(0.5):
        blocks.append(_Block("heading", draws.pick(CONCLUSION_HEADINGS)))
    blocks.append(_Block("para", draws.pick(CONCLUSION_LEADS), [draws.between(2, 3)]))
    return blocks


def _spread_sentences(blocks: list[_Block], total: int, gen: np.random.Generator) -> None:
    """Lengthen random paragraphs and list items until the answer has ``total`` sentences."""
    places = [(block, n) for block in blocks for n in range(len(block.slots))]
    extra = total - sum(sum(block.slots) for block in blocks)
    shares = gen.multinomial(extra, np.full(len(places), 1.0 / len(places))).tolist()
    for (block, n), more in zip(places, shares, strict=True):
        block.slots[n] += more


def _draw_tokens(
    vocabulary: Vocabulary, words: int, sentences: int, gen: np.random.Generator
) -> tuple[list[str], list[int], np.ndarray]:
    """Draw Zipf tokens worth about ``words`` words, and how many go in each sentence.

    Drawing the whole answer in one numpy call is what makes 200,000 articles fast.
    """
    index = np.searchsorted(vocabulary.token_cum, gen.random(max(words, sentences)), side="right")
    # Multi-word terms make the tokens outrun the words; every sentence still needs one.
    taken = max(sentences, int(np.searchsorted(np.cumsum(vocabulary.token_words[index]), words)) + 1)
    index = index[:taken]
    floor = min(3, taken // sentences)
    lengths = floor + gen.multinomial(taken - floor * sentences, np.full(sentences, 1.0 / sentences))
    return vocabulary.tokens[index].tolist(), lengths.tolist(), index


def _emphasize(tokens: list[str], header: Header, gen: np.random.Generator) -> None:
    """Repeat the question's terms through the text (sometimes in bold), as a real answer does."""
    count = 1 + len(tokens) // 50
    for n, (where, bold) in enumerate(gen.random((count, 2)).tolist()):
        term = header.focus[n % len(header.focus)]
        tokens[int(where * len(tokens))] = f"**{term}**" if bold < 0.25 else term


def _punctuate(tokens: list[str], lengths: list[int], leads: set[int], gen: np.random.Generator) -> list[int]:
    """Make runs of tokens into sentences in place: an opener or a capital, maybe a comma, a full stop.

    Editing the tokens and joining each paragraph once is much cheaper than a string per sentence.
    Sentences in ``leads`` continue a paragraph lead ("Entropy is ...") and keep their first word.
    Returns where each sentence starts, and the end.
    """
    bounds = [0, *itertools.accumulate(lengths)]
    # One numpy call draws every sentence's comma, comma place and opener.
    draws = gen.random((len(lengths), 3)).tolist()
    for position, (comma, place, opener) in enumerate(draws):
        start, stop = bounds[position], bounds[position + 1]
        if stop - start > 9 and comma < COMMA_RATE:
            tokens[start + 3 + int(place * (stop - start - 5))] += ","
        if position in leads:
            pass
        elif opener < OPENER_RATE:
            # Below the rate the draw is still uniform, so it also picks which opener.
            tokens[start] = OPENERS[int(opener / OPENER_RATE * len(OPENERS))]
        else:
            tokens[start] = _capitalize(tokens[start])
        tokens[stop - 1] += "."
    return bounds


def _lead_positions(blocks: list[_Block]) -> set[int]:
    """Indexes of the sentences that follow a paragraph lead, in the order _render takes them."""
    positions = set()
    taken = 0
    for block in blocks:
        if block.kind == "para" and block.text:
            positions.add(taken)
        taken += sum(block.slots)
    return positions


def _add_inline_math(tokens: list[str], bounds: list[int], draws: _Draws) -> None:
    """End one to three sentences with an inline formula, like "..., where \\( x^2 \\)."."""
    sentences = len(bounds) - 1
    for position in draws.sample(range(sentences), min(sentences, draws.between(1, 3))):
        last = bounds[position + 1] - 1
        link = draws.pick(INLINE_MATH_LINKS)
        tokens[last] = f"{tokens[last][:-1]} {link} \\( {draws.pick(INLINE_MATH)} \\)."


def _render(blocks: list[_Block], tokens: list[str], bounds: list[int]) -> str:
    """Join the blocks into the one-line answer, taking sentences in order."""
    taken = 0

    def take(count: int) -> str:
        nonlocal taken
        text = " ".join(tokens[bounds[taken] : bounds[taken + count]])
        taken += count
        return text

    parts = []
    for block in blocks:
        if block.kind == "para":
            body = take(block.slots[0])
            parts.append(f"{block.text} {body}" if block.text else body)
        elif block.kind == "heading":
            parts.append(f"### {block.text}")
        elif block.kind in ("numbered", "bulleted"):
            marks = [f"{n}." for n in range(1, len(block.labels) + 1)] if block.kind == "numbered" else None
            items = [
                f"{marks[n] if marks else '-'} **{_capitalize(label)}**: {take(slots)}"
                for n, (label, slots) in enumerate(zip(block.labels, block.slots, strict=True))
            ]
            parts.append(BR.join(items))
        elif block.kind == "code":
            parts.append(block.text.replace("\n", BR))
        else:
            parts.append(block.text)
    return (BR + BR).join(parts)


def _keywords(header: Header, blocks: list[_Block], body_terms: list[str], draws: _Draws) -> list[str]:
    """5-12 terms that occur in the article: the question's, the list labels, then body terms."""
    labels = [label for block in blocks for label in block.labels]
    return _dedupe(itertools.chain(header.focus, labels, body_terms), limit=draws.between(5, 12))


def _later_words(header: Header, budget: int, sentences: int, with_math: bool) -> int:
    """Words that openers, repeated terms and formulas will add, kept out of the token budget."""
    openers = sentences * OPENER_RATE * OPENER_EXTRA_WORDS
    terms = (1 + budget // 50) * (sum(len(term.split()) for term in header.focus) / len(header.focus) - 1)
    return round(openers + terms) + (INLINE_MATH_WORDS if with_math else 0)


def _answer(header: Header, draws: _Draws, gen: np.random.Generator) -> tuple[str, list[str]]:
    """Write the Markdown answer (one line, literal ``\\n`` breaks) and choose its keywords."""
    vocabulary = _vocabularies()[header.subject_index]
    target = draws.between(MIN_WORDS + LENGTH_SLACK, MAX_WORDS - LENGTH_SLACK)
    blocks = _plan(header, draws, vocabulary, target)
    with_math = vocabulary.name in MATH_SUBJECTS and any(block.kind == "math" for block in blocks)
    budget = target - sum(block.fixed_words() for block in blocks)
    total = max(sum(sum(block.slots) for block in blocks), round(budget / MEAN_SENTENCE_WORDS))
    budget -= _later_words(header, budget, total, with_math)
    _spread_sentences(blocks, total, gen)
    tokens, lengths, index = _draw_tokens(vocabulary, budget, total, gen)
    _emphasize(tokens, header, gen)
    start, stop = vocabulary.term_span
    body_terms = vocabulary.tokens[index[(index >= start) & (index < stop)]].tolist()
    bounds = _punctuate(tokens, lengths, _lead_positions(blocks), gen)
    if with_math:
        _add_inline_math(tokens, bounds, draws)
    return _render(blocks, tokens, bounds), _keywords(header, blocks, body_terms, draws)


# --- Files ------------------------------------------------------------------


def _description(header: Header, keywords: list[str], draws: _Draws) -> str:
    x, y = keywords[0], keywords[1]
    z = keywords[2] if len(keywords) > 2 else header.subject.lower()
    return draws.pick(DESCRIPTION_TEMPLATES).format(x=x, y=y, z=z, s=header.subject.lower())


def _folded(key: str, value: str, key_indent: int = 0, value_indent: int = 4) -> list[str]:
    """A ``>-`` folded scalar on one line: a newline or leading space would change its meaning."""
    if "\n" in value or value != value.strip():
        raise ValueError(f"cannot fold {key!r}: {value!r}")
    return [f"{' ' * key_indent}{key}: >-", f"{' ' * value_indent}{value}"]


def _related_lines(number: int, other: Header) -> list[str]:
    return [
        f"related_article{number}:",
        f"    id: {other.id}",
        *_folded("title", other.question, 4, 8),
        f"    subject: {other.subject}",
        f"    url: {other.url}",
    ]


def article_text(number: int, seed: int = 1) -> str:
    """Return the full content of article ``number`` (1-based) for ``seed``, exactly as ``generate`` writes it."""
    if number < 1 or seed < 0:
        raise ValueError("number must be 1 or more and seed 0 or more")
    header = _header(number, seed)
    gen = _article_generator(seed, number)
    draws = _Draws(lambda: gen.random(64).tolist())
    answer, keywords = _answer(header, draws, gen)
    date = FIRST_DATE + dt.timedelta(days=draws.below(DATE_SPAN_DAYS))
    lines = [
        "---",
        "_schema: default",
        f"id: {header.id}",
        f"date: {date.isoformat()}",
        *_folded("title", header.question),
        *_folded("article_title", header.question),
        "date_format: MMM DD, YYYY",
        "post_on_text: Posted on",
        "seo:",
        f"  title: QuickTakes | {header.subject}",
        *_folded("page_description", _description(header, keywords, draws), 2),
        *_folded("page_keywords", ", ".join(keywords), 2),
        "author: QuickTakes",
        *_folded("question", header.question),
        *_folded("answer", answer),
        f"subject: {header.subject}",
        f"file_name: {header.file_name}",
        f"url: {header.url}",
    ]
    if not draws.chance(NO_SCORE_RATE):
        lines.append("score: -1.0")
    for n, other in enumerate(_related(number, seed, draws), start=1):
        lines += _related_lines(n, other)
    if draws.chance(BLANK_BEFORE_CLOSE_RATE):
        lines.append("")
    # Real files end with "&nbsp;" and no final newline.
    lines += ["---", "", "&nbsp;"]
    return "\n".join(lines)


def article_path(out_dir: Path, number: int, seed: int = 1) -> Path:
    """Where ``generate`` puts article ``number``: ``OUT_DIR/<subject-slug>/<slug>-<number>.md``."""
    header = _header(number, seed)
    return out_dir / header.subject_slug / header.file_name


def _write_file(path: str, data: bytes) -> None:
    """Create or replace ``path``; os.open/os.write cost ~60 us less per file than Path.write_bytes here."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def _write_range(task: tuple[str, int, int, int]) -> int:
    """Write articles ``start`` to ``stop - 1``; one worker task."""
    out_dir, start, stop, seed = task
    made: set[str] = set()
    for number in range(start, stop):
        header = _header(number, seed)
        # Plain strings, not article_path(): pathlib's parsing was ~5% of a worker's time.
        folder = f"{out_dir}/{header.subject_slug}"
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        _write_file(f"{folder}/{header.file_name}", article_text(number, seed).encode("utf-8"))
    return stop - start


def generate(out_dir: Path, count: int, seed: int = 1, workers: int | None = None) -> None:
    """Write articles 1..``count`` below ``out_dir`` in parallel; the bytes depend only on count and seed.

    Every file is written, replacing any of the same name; other files in ``out_dir`` are left alone.
    """
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    _vocabularies()  # build before forking so every worker inherits it
    tasks = [(str(out_dir), start, min(start + CHUNK, count + 1), seed) for start in range(1, count + 1, CHUNK)]
    workers = 1 if count < SERIAL_BELOW else workers or os.cpu_count() or 1
    if workers == 1:
        written = sum(map(_write_range, tasks))
    else:
        with multiprocessing.Pool(workers) as pool:
            written = sum(pool.imap_unordered(_write_range, tasks))
    seconds = time.perf_counter() - started
    print(f"generated {written:,} articles in {out_dir} in {seconds:.1f} s (seed {seed}, {workers} workers)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate synthetic QuickTakes articles for benchmarks.")
    parser.add_argument("out_dir", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("-n", "--count", type=int, default=200_000, help="number of articles (default 200000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed, 0 or more (default 1)")
    parser.add_argument("-j", "--workers", type=int, default=None, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)
    if args.count < 0 or args.seed < 0:
        parser.error("count and seed must not be negative")
    generate(args.out_dir, args.count, args.seed, args.workers)


if __name__ == "__main__":
    main()
