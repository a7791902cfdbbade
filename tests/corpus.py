"""A small corpus of our own whose ranking and facets the tests can predict."""

from __future__ import annotations

from pathlib import Path

from tests.factory import write_article

ARTICLES = [
    dict(
        id=1,
        question="What is the binomial theorem?",
        answer=(
            r"The **binomial theorem** expands powers of a sum.\n\n$$ (a+b)^n = \sum_{k=0}^{n} "
            r"\binom{n}{k} a^{n-k} b^k $$\n\nEach coefficient \( \binom{n}{k} \) counts subsets."
        ),
        subject="Mathematics",
        keywords="binomial theorem, binomial coefficient, Pascal's triangle",
        date="2024-01-10",
        related=[(2, "How do you compute eigenvalues of a matrix?", "/learn/mathematics/questions/eigen")],
    ),
    dict(
        id=2,
        question="How do you compute eigenvalues of a matrix?",
        answer=(
            r"Solve the characteristic polynomial \( \det(A - \lambda I) = 0 \).\n\n1. **Form** the "
            r"matrix.\n2. **Solve** for lambda."
        ),
        subject="Mathematics",
        keywords="eigenvalues, matrix, linear algebra",
        date="2024-02-10",
        url="/learn/mathematics/questions/eigen",
    ),
    dict(
        id=3,
        question="What is a running time analysis of merge sort?",
        answer=(
            r"Merge sort runs in \( O(n \log n) \) time. It splits the list and merges the sorted "
            r"halves.\n\nThe runner keeps running until the list is sorted."
        ),
        subject="Computer Science",
        keywords="merge sort, running time, divide and conquer",
        date="2024-03-10",
    ),
    dict(
        id=4,
        question="How does insertion sort work?",
        answer=(
            r"Insertion sort builds a sorted prefix one element at a time. It is quadratic in the worst "
            r"case but fast on nearly sorted input, unlike merge sort."
        ),
        subject="Computer science",
        keywords="insertion sort, sorting, quadratic",
        date="2024-04-10",
    ),
    dict(
        id=5,
        question="Why do cafés use espresso machines?",
        answer=r"An espresso machine forces hot water through coffee. A café needs speed and consistency.",
        subject="Economics",
        keywords="café, espresso, coffee economics",
        date="2024-05-10",
    ),
    dict(
        id=6,
        question="What are hash tables?",
        answer=(
            r"A hash table maps keys to values with a hash function. Lookups take constant time on "
            r"average. Collisions are resolved by chaining or open addressing. "
            r"<script>alert(1)</script> is just text here."
        ),
        subject="Computer Science",
        keywords="hash table, hashing, <b>dictionary</b>",
        date="2024-06-10",
    ),
    dict(
        id=7,
        question="Explain supply and demand curves",
        answer=(
            r"Demand falls as price rises; supply rises with price. The equilibrium is where the curves "
            r"cross.\n\nA binomial model is not needed here."
        ),
        subject="Economics",
        keywords="supply, demand, equilibrium price",
        date="2024-07-10",
    ),
    dict(
        id=8,
        question="What is classical conditioning?",
        answer=(
            r"Classical conditioning pairs a neutral stimulus with an unconditioned stimulus. Pavlov's "
            r"dogs learned to salivate at a bell."
        ),
        subject="Psychology",
        keywords="Pavlov, conditioning, learning",
        date="2024-08-10",
    ),
]


def write_corpus(folder: Path) -> Path:
    for fields in ARTICLES:
        write_article(folder / fields["subject"].lower().replace(" ", "-"), **fields)
    return folder
