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


@dataclass(frozen=True, slots=True)
class Leaf:
    """One term in one field with its weight, and the clause its evidence reports."""

    key: int
    field: int
    weight: float
    label: str
    clause: str


@dataclass(frozen=True, slots=True)
class AnyOf:
    """OR. Alternative terms pool their mentions (`pooled`); alternative clauses do not:
    the strongest clause is the score, so weak clauses cannot add up to a match."""

    children: tuple[Rule, ...]
    pooled: bool


@dataclass(frozen=True, slots=True)
class AllOf:
    """AND, with NOT operands: as strong as the weakest part, minus what is excluded."""

    required: tuple[Rule, ...]
    excluded: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class NearOf:
    """NEAR/n between two groups of terms, counting only hits that have a partner."""

    left: tuple[Leaf, ...]
    right: tuple[Leaf, ...]
    distance: int
    clause: str


Rule = Leaf | AnyOf | AllOf | NearOf


@dataclass(frozen=True, slots=True)
class _Context:
    field: int = ANYWHERE
    weight: float = 1.0
    clause: str = ""
    refs: tuple[str, ...] = ()


def compile_query(node: q.Node, lists: Mapping[str, q.Node], keys: KeyTable) -> Rule:
    """The rule for one topic's query; raises QueryError naming the clause at fault."""
    return _Compiler(lists, keys).build(node, _Context(clause=node.source))


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
        return is_term_set(node.child, lists, seen)
    if isinstance(node, q.Any):
        return all(is_term_set(child, lists, seen) for child in node.children)
    return False


class _Compiler:
    def __init__(self, lists: Mapping[str, q.Node], keys: KeyTable) -> None:
        self.lists, self.keys = lists, keys

    def build(self, node: q.Node, ctx: _Context) -> Rule:
        if isinstance(node, q.Term):
            return self.leaf(node, ctx)
        if isinstance(node, q.Ref):
            return self.build(*self.resolve(node, ctx))
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
        return Leaf(key, ctx.field, ctx.weight * term.weight, term.label, ctx.clause)

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

    def any_of(self, node: q.Any, ctx: _Context) -> Rule:
        terms_only = is_term_set(node, self.lists)
        if node.weight != 1.0 and not terms_only:
            message = "a weight applies to a term or an OR-group of terms"
            raise q.QueryError(message, node.position, node.source)
        ctx = replace(ctx, weight=ctx.weight * node.weight)
        children = []
        for child in node.children:
            if isinstance(child, q.Not):
                message = "NOT inside OR matches almost everything: write A AND NOT B"
                raise q.QueryError(message, child.position, node.source)
            # Alternatives that are not plain terms are the clauses evidence names.
            child_ctx = ctx if terms_only else replace(ctx, clause=child.source)
            children.append(self.build(child, child_ctx))
        return AnyOf(tuple(children), terms_only)

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
            if not is_term_set(side, self.lists):
                message = "NEAR joins terms or OR-groups of terms; combine NEAR clauses with AND"
                raise q.QueryError(message, node.position, node.source)
            sides.append(tuple(self.leaves(self.build(side, ctx))))
        return NearOf(sides[0], sides[1], node.distance, ctx.clause)

    def leaves(self, rule: Rule) -> list[Leaf]:
        if isinstance(rule, Leaf):
            return [rule]
        assert isinstance(rule, AnyOf)  # is_term_set guarantees terms and OR-groups only
        return [leaf for child in rule.children for leaf in self.leaves(child)]


def render(rule: Rule, indent: str = "") -> list[str]:
    """The compiled rule as indented lines, as `topics check` prints it."""
    if isinstance(rule, Leaf):
        return [indent + _leaf_text(rule)]
    if isinstance(rule, NearOf):
        left = " OR ".join(_leaf_text(leaf) for leaf in rule.left)
        right = " OR ".join(_leaf_text(leaf) for leaf in rule.right)
        return [f"{indent}({left})", f"{indent}  NEAR/{rule.distance}", f"{indent}({right})"]
    if isinstance(rule, AnyOf):
        if all(isinstance(child, Leaf) for child in rule.children):
            return [indent + " OR ".join(_leaf_text(c) for c in rule.children)]  # type: ignore[arg-type]
        return _block("ANY OF", rule.children, indent)
    lines = _block("ALL OF", rule.required, indent)
    if rule.excluded:
        lines += _block("AND NOT", rule.excluded, indent)
    return lines


def _block(title: str, rules: tuple[Rule, ...], indent: str) -> list[str]:
    lines = [indent + title]
    for child in rules:
        lines += render(child, indent=indent + "  ")
    return lines


def _leaf_text(leaf: Leaf) -> str:
    scope = f"{FIELD_NAMES[leaf.field]}:" if leaf.field != ANYWHERE else ""
    weight = f"^{leaf.weight:g}" if leaf.weight != 1.0 else ""
    return f"{scope}{leaf.label}{weight}"
