"""A parsed query compiled into rules over numbered automaton keys. Pure.

Compiling expands `@list` references, pushes `field:` scopes and weights down to the
terms, checks what the grammar alone cannot (NOT needs something to exclude from, NEAR
joins terms), and labels every term with the clause it belongs to, for the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from streams.classification import query as q
from streams.classification.matcher import Key, KeyTable

ANYWHERE, TITLE_ONLY, LEAD_ONLY, BODY_ONLY = 0, 1, 2, 3
FIELD_CODES = {"title": TITLE_ONLY, "lead": LEAD_ONLY, "body": BODY_ONLY, "text": BODY_ONLY}
FIELD_NAMES = {TITLE_ONLY: "title", LEAD_ONLY: "lead", BODY_ONLY: "body"}


# Rules are compared and hashed by identity (eq=False): a scorer memoises them per article,
# and a list used in several places compiles once, so it is scored once.


@dataclass(frozen=True, slots=True, eq=False)
class Leaf:
    """One term in one field, with its weight."""

    key: int
    field: int
    weight: float
    label: str


@dataclass(frozen=True, slots=True, eq=False)
class TermSet:
    """A term or an OR-group of terms: their mentions pool into one mass."""

    leaves: tuple[Leaf, ...]
    by_key: dict[int, tuple[Leaf, ...]]  # the leaves of each key
    rank: dict[int, int]  # each key's place in by_key


@dataclass(frozen=True, slots=True, eq=False)
class AnyOf:
    """OR of clauses: the strongest clause is the score, so weak ones cannot add up.

    `labels` are the clauses' source texts, which evidence names.
    """

    children: tuple[Rule, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class AllOf:
    """AND, with NOT operands: as strong as the weakest part, minus what is excluded."""

    required: tuple[Rule, ...]
    excluded: tuple[Rule, ...]


@dataclass(frozen=True, slots=True, eq=False)
class NearOf:
    """NEAR/n between two groups of terms, counting only hits that have a partner."""

    left: TermSet
    right: TermSet
    distance: int


@dataclass(frozen=True, slots=True, eq=False)
class AboutOf:
    """`about:(terms)`: how the terms run through the article, not how often they occur."""

    terms: TermSet
    label: str  # the clause, as evidence names it


Rule = TermSet | AnyOf | AllOf | NearOf | AboutOf


def term_set(leaves: list[Leaf]) -> TermSet:
    by_key: dict[int, list[Leaf]] = {}
    for leaf in leaves:
        by_key.setdefault(leaf.key, []).append(leaf)
    rank = {key: place for place, key in enumerate(by_key)}
    return TermSet(tuple(leaves), {key: tuple(uses) for key, uses in by_key.items()}, rank)


@dataclass(frozen=True, slots=True)
class _Context:
    field: int = ANYWHERE
    weight: float = 1.0
    refs: tuple[str, ...] = ()


def compile_query(node: q.Node, lists: Mapping[str, q.Node], keys: KeyTable) -> Rule:
    """The rule for one query; raises QueryError naming the clause at fault."""
    return QueryCompiler(lists, keys).compile(node)


def clause_label(node: q.Node) -> str:
    """A clause as evidence names it: its source text, cut if it runs long."""
    return _short(node.source)


def is_term_set(node: q.Node, lists: Mapping[str, q.Node], seen: tuple[str, ...] = ()) -> bool:
    """Terms, OR-groups of terms and lists of them: what NEAR sides and weights accept."""
    if isinstance(node, q.Term):
        return True
    if isinstance(node, q.Ref):
        target = lists.get(node.name)
        if target is None or node.name in seen:  # compiling reports these errors
            return False
        return is_term_set(target, lists, (*seen, node.name))
    if isinstance(node, q.Scoped):
        return node.field != q.ABOUT and is_term_set(node.child, lists, seen)
    if isinstance(node, q.Any):
        return all(is_term_set(child, lists, seen) for child in node.children)
    return False


class QueryCompiler:
    """Compiles the queries of one taxonomy over one key table, sharing compiled lists."""

    def __init__(self, lists: Mapping[str, q.Node], keys: KeyTable) -> None:
        self.lists, self.keys = lists, keys
        self.compiled_lists: dict[tuple[str, int, float], Rule] = {}
        self.compiled_groups: dict[tuple[str, int, float], TermSet] = {}

    def compile(self, node: q.Node) -> Rule:
        return self.build(node, _Context())

    def build(self, node: q.Node, ctx: _Context) -> Rule:
        if isinstance(node, q.Term):
            return term_set([self.leaf(node, ctx)])
        if isinstance(node, q.Ref):
            return self.ref(node, ctx)
        if isinstance(node, q.Scoped) and node.field == q.ABOUT:
            return self.about(node, ctx)
        if isinstance(node, q.Scoped):
            return self.build(node.child, self.scope(node, ctx))
        if isinstance(node, q.Any):
            return self.any_of(node, ctx)
        if isinstance(node, q.All):
            return self.all_of(node, ctx)
        if isinstance(node, q.Near):
            return self.near(node, ctx)
        message = "NOT needs something to exclude from: write A AND NOT B"
        raise q.QueryError(message, node.position, node.source)

    def leaf(self, term: q.Term, ctx: _Context) -> Leaf:
        key = self.keys.number(Key(term.words, term.prefix))
        return Leaf(key, ctx.field, ctx.weight * term.weight, term.label)

    def ref(self, ref: q.Ref, ctx: _Context) -> Rule:
        target, inner = self.resolve(ref, ctx)
        cache_key = (ref.name, inner.field, inner.weight)
        rule = self.compiled_lists.get(cache_key)
        if rule is None:
            rule = self.compiled_lists[cache_key] = self.build(target, inner)
        return rule

    def resolve(self, ref: q.Ref, ctx: _Context) -> tuple[q.Node, _Context]:
        target = self.lists.get(ref.name)
        if target is None:
            raise q.QueryError(f"unknown list @{ref.name}", ref.position, ref.source)
        if ref.name in ctx.refs:
            cycle = " -> ".join(f"@{name}" for name in (*ctx.refs, ref.name))
            message = f"lists refer to each other in a cycle: {cycle}"
            raise q.QueryError(message, ref.position, ref.source)
        if ref.weight != 1.0 and not is_term_set(target, self.lists):
            message = "a weight applies to a term or an OR-group of terms"
            raise q.QueryError(message, ref.position, ref.source)
        return target, replace(ctx, weight=ctx.weight * ref.weight, refs=(*ctx.refs, ref.name))

    def scope(self, node: q.Scoped, ctx: _Context) -> _Context:
        field = FIELD_CODES[node.field]
        if ctx.field not in (ANYWHERE, field):
            message = f"{node.field}: inside {FIELD_NAMES[ctx.field]}: matches nothing"
            raise q.QueryError(message, node.position, node.source)
        return replace(ctx, field=field)

    def about(self, node: q.Scoped, ctx: _Context) -> AboutOf:
        if ctx.field != ANYWHERE:
            message = (
                f"about: measures the whole article; inside {FIELD_NAMES[ctx.field]}: it cannot"
            )
            raise q.QueryError(message, node.position, node.source)
        if not is_term_set(node.child, self.lists):
            message = "about: takes terms or an OR-group of terms, as in about:(a OR @list)"
            raise q.QueryError(message, node.position, node.source)
        terms = self.build(node.child, ctx)
        assert isinstance(terms, TermSet)  # is_term_set guarantees it
        return AboutOf(terms, clause_label(node))

    def any_of(self, node: q.Any, ctx: _Context) -> Rule:
        terms_only = is_term_set(node, self.lists)
        if node.weight != 1.0 and not terms_only:
            message = "a weight applies to a term or an OR-group of terms"
            raise q.QueryError(message, node.position, node.source)
        ctx = replace(ctx, weight=ctx.weight * node.weight)
        for child in node.children:
            if isinstance(child, q.Not):
                message = "NOT inside OR matches almost everything: write A AND NOT B"
                raise q.QueryError(message, child.position, node.source)
        if terms_only:  # the same group written twice compiles once, so it scores once
            cache_key = (node.source, ctx.field, ctx.weight)
            known = self.compiled_groups.get(cache_key)
            if known is None:
                leaves = [
                    leaf for child in node.children for leaf in _leaves(self.build(child, ctx))
                ]
                known = self.compiled_groups[cache_key] = term_set(leaves)
            return known
        children = [self.build(child, ctx) for child in node.children]
        # Alternatives that are terms pool into one clause; each other alternative is a
        # clause of its own. Evidence names the clause that fired.
        plain = [i for i, child in enumerate(node.children) if is_term_set(child, self.lists)]
        clauses: list[Rule] = []
        labels: list[str] = []
        if plain:
            clauses.append(term_set([leaf for i in plain for leaf in _leaves(children[i])]))
            labels.append(_short(" OR ".join(node.children[i].source for i in plain)))
        for index, child in enumerate(node.children):
            if index not in plain:
                clauses.append(children[index])
                labels.append(clause_label(child))
        return AnyOf(tuple(clauses), tuple(labels))

    def all_of(self, node: q.All, ctx: _Context) -> Rule:
        required = [self.build(c, ctx) for c in node.children if not isinstance(c, q.Not)]
        excluded = [self.build(c.child, ctx) for c in node.children if isinstance(c, q.Not)]
        if not required:
            message = "NOT needs something to exclude from: write A AND NOT B"
            raise q.QueryError(message, node.position, node.source)
        return AllOf(tuple(required), tuple(excluded))

    def near(self, node: q.Near, ctx: _Context) -> NearOf:
        sides = []
        for side in (node.left, node.right):
            for ref in q.references(side):
                self.resolve(ref, ctx)  # an unknown list is the error to report, if any
            if not is_term_set(side, self.lists):
                message = "NEAR joins terms or OR-groups of terms; combine NEAR clauses with AND"
                raise q.QueryError(message, node.position, node.source)
            built = self.build(side, ctx)
            assert isinstance(built, TermSet)  # is_term_set guarantees it
            sides.append(built)
        return NearOf(sides[0], sides[1], node.distance)


MAX_CLAUSE_CHARS = 160


def _short(source: str) -> str:
    """A clause as evidence names it: its source text, cut if it runs long."""
    if len(source) <= MAX_CLAUSE_CHARS:
        return source
    return source[: MAX_CLAUSE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def render(rule: Rule, indent: str = "") -> list[str]:
    """The compiled rule as indented lines, as `topics check` prints it."""
    if isinstance(rule, TermSet):
        return [indent + " OR ".join(_leaf_text(leaf) for leaf in rule.leaves)]
    if isinstance(rule, NearOf):
        left, right = render(rule.left), render(rule.right)
        return [f"{indent}({left[0]})", f"{indent}  NEAR/{rule.distance}", f"{indent}({right[0]})"]
    if isinstance(rule, AnyOf):
        return _block("ANY OF", rule.children, indent)
    if isinstance(rule, AboutOf):
        return _block("ABOUT", (rule.terms,), indent)
    lines = _block("ALL OF", rule.required, indent)
    if rule.excluded:
        lines += _block("AND NOT", rule.excluded, indent)
    return lines


def _block(title: str, rules: tuple[Rule, ...], indent: str) -> list[str]:
    lines = [indent + title]
    for child in rules:
        lines += render(child, indent=indent + "  ")
    return lines


def _leaves(rule: Rule) -> tuple[Leaf, ...]:
    assert isinstance(rule, TermSet)  # is_term_set guarantees it
    return rule.leaves


def _leaf_text(leaf: Leaf) -> str:
    scope = f"{FIELD_NAMES[leaf.field]}:" if leaf.field != ANYWHERE else ""
    weight = f"^{leaf.weight:g}" if leaf.weight != 1.0 else ""
    return f"{scope}{leaf.label}{weight}"
