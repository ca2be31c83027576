"""The query language: parsing, each operator's meaning, and errors that name the clause."""

from __future__ import annotations

import pytest

from streams.classification import query as q
from streams.classification.compiler import (
    TITLE_ONLY,
    AllOf,
    AnyOf,
    NearOf,
    QueryCompiler,
    TermSet,
    compile_query,
    render,
)
from streams.classification.matcher import KeyTable, is_aside, normalize


def _terms(node: q.Node) -> list[str]:
    if isinstance(node, q.Term):
        return [node.label]
    return [label for child in q.children(node) for label in _terms(child)]


@pytest.mark.parametrize(
    ("text", "kind", "terms"),
    [
        ("ukraine", q.Term, ["ukraine"]),
        ("Ukrain*", q.Term, ["ukrain*"]),
        ('"Nord Stream"', q.Term, ['"nord stream"']),
        ('"special military operat"*', q.Term, ['"special military operat*"']),
        ("russian-made", q.Term, ['"russian made"']),
        ("a OR b OR c", q.Any, ["a", "b", "c"]),
        ("a AND b", q.All, ["a", "b"]),
        ("a NOT b", q.All, ["a", "b"]),
        ("a AND NOT b", q.All, ["a", "b"]),
        ("a NEAR/5 b", q.Near, ["a", "b"]),
        ("title:putin", q.Scoped, ["putin"]),
        ("lead:(gas OR oil)", q.Scoped, ["gas", "oil"]),
        ("@russia", q.Ref, []),
        ("(a OR b) # a comment\nAND c", q.All, ["a", "b", "c"]),
        ('"#1 seed" OR x', q.Any, ['"1 seed"', "x"]),
    ],
)
def test_parsing(text, kind, terms):
    node = q.parse(text)
    assert isinstance(node, kind)
    assert _terms(node) == terms


def test_precedence_not_then_near_then_and_then_or():
    node = q.parse("a OR b AND NOT c NEAR/3 d")
    assert isinstance(node, q.Any)
    right = node.children[1]
    assert isinstance(right, q.All)
    assert isinstance(right.children[1], q.Not)
    assert isinstance(right.children[1].child, q.Near)


def test_weights_and_sources():
    node = q.parse("sanction*^2 AND (gas OR oil)^0.5")
    assert isinstance(node, q.All)
    term, group = node.children
    assert isinstance(term, q.Term) and term.weight == 2.0
    assert isinstance(group, q.Any) and group.weight == 0.5
    assert group.source == "(gas OR oil)^0.5"


@pytest.mark.parametrize(
    ("text", "message", "clause"),
    [
        ("", "empty query", ""),
        ("russia and ukraine", "missing operator before 'and' (operators are upper case", ""),
        ("russia ukraine", "missing operator before 'ukraine'", "russia ukraine"),
        ("(a OR b", "missing closing parenthesis", "(a OR b"),
        ("a OR b)", "unbalanced ')'", "a OR b)"),
        ('"nord stream', "unclosed quote", '"nord stream'),
        ("mid*dle", "a wildcard may only end a word", "mid*dle"),
        ("uk*", "at least 3 letters", "uk*"),
        ("a NEAR b", "NEAR needs a distance", "NEAR"),
        ("a NEAR/0 b", "NEAR distance must be 1 to", "a NEAR/0 b"),
        ("a NEAR/3 b NEAR/3 c", "NEAR joins two sides", "a NEAR/3 b"),
        ("a AND", "the query ends too early", "a AND"),
        ("OR a", "unexpected 'OR'", "OR a"),
        ("headline:a", "unknown field 'headline'", "headline:a"),
        ("a^0", "a weight is ^ and a positive number", "^0"),
        ("(a AND b)^2", "a weight applies to a term or an OR-group", "(a AND b)^2"),
        ("@Bad", "a list name is @", "@Bad"),
        ("---", "a term needs letters or digits", "---"),
    ],
)
def test_syntax_errors_name_the_clause(text, message, clause):
    with pytest.raises(q.QueryError) as caught:
        q.parse(text)
    assert message in caught.value.message
    assert clause in caught.value.clause


def _compile(text: str, lists: dict[str, str] | None = None) -> tuple[object, KeyTable]:
    keys = KeyTable()
    parsed = {name: q.parse(body) for name, body in (lists or {}).items()}
    return compile_query(q.parse(text), parsed, keys), keys


@pytest.mark.parametrize(
    ("text", "lists", "message"),
    [
        ("NOT a", {}, "NOT needs something to exclude from"),
        ("a OR NOT b", {}, "NOT inside OR"),
        ("(a AND b) NEAR/3 c", {}, "NEAR joins terms or OR-groups of terms"),
        ("title:(lead:a)", {}, "lead: inside title: matches nothing"),
        ("@nope AND a", {}, "unknown list @nope"),
        ("@a", {"a": "x OR @b", "b": "@a"}, "lists refer to each other in a cycle: @a -> @b -> @a"),
        ("@pair^2", {"pair": "a AND b"}, "a weight applies to a term or an OR-group"),
    ],
)
def test_compile_errors_name_the_clause(text, lists, message):
    with pytest.raises(q.QueryError) as caught:
        _compile(text, lists)
    assert message in caught.value.message


def test_compiling_expands_lists_and_pushes_fields_and_weights_down():
    rule, keys = _compile(
        "title:@russia^2 AND NOT lead:impeach*", {"russia": "russia* OR (putin OR kremlin)^0.5"}
    )
    assert isinstance(rule, AllOf)
    (required,) = rule.required
    assert isinstance(required, TermSet)
    assert [(leaf.label, leaf.field, leaf.weight) for leaf in required.leaves] == [
        ("russia*", TITLE_ONLY, 2.0),
        ("putin", TITLE_ONLY, 1.0),
        ("kremlin", TITLE_ONLY, 1.0),
    ]
    assert len(keys.keys) == 4
    assert render(rule) == [
        "ALL OF",
        "  title:russia*^2 OR title:putin OR title:kremlin",
        "AND NOT",
        "  lead:impeach*",
    ]


def test_clauses_are_the_alternatives_of_an_or_of_clauses_and_terms_pool_into_one():
    rule, _ = _compile("(a AND b) OR c NEAR/4 d OR (e OR f) OR g")
    assert isinstance(rule, AnyOf)
    terms, first, near = rule.children
    assert isinstance(first, AllOf) and isinstance(near, NearOf) and isinstance(terms, TermSet)
    assert [leaf.label for leaf in terms.leaves] == ["e", "f", "g"]
    assert rule.labels == ("(e OR f) OR g", "(a AND b)", "c NEAR/4 d")


def test_a_list_compiles_once_per_field_and_weight():
    keys = KeyTable()
    compiler = QueryCompiler({"ru": q.parse("russia* OR putin")}, keys)
    first = compiler.compile(q.parse("@ru AND gas"))
    second = compiler.compile(q.parse("@ru NEAR/5 oil OR title:@ru AND gas"))
    assert isinstance(first, AllOf) and isinstance(second, AnyOf)
    _, scoped = second.children
    assert isinstance(scoped, AllOf)
    assert first.required[0] is compiler.compile(q.parse("@ru"))
    assert scoped.required[0] is not first.required[0]  # another field


def test_one_key_per_distinct_term_across_queries():
    keys = KeyTable()
    compile_query(q.parse("ukrain* OR kyiv"), {}, keys)
    compile_query(q.parse("Ukrain* AND title:kyiv"), {}, keys)
    assert len(keys.keys) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia’s war—in “Ukraine”", "russia s war in  ukraine "),
        ("Nord-Stream 2", "nord stream 2"),
        ("ÉLYSÉE Palace", "élysée palace"),
        ("İstanbul", "İstanbul"),  # lower-cases to two characters: kept, offsets hold
    ],
)
def test_normalize_keeps_offsets(text, expected):
    assert normalize(text) == expected
    assert len(normalize(text)) == len(text)


@pytest.mark.parametrize(
    ("line", "aside"),
    [
        ("Putin warns Kyiv over Western tanks", True),
        ("- Ukraine says Russian troops massing near Kharkiv", True),
        (
            "Read more: Russia and Ukraine agree to talks on grain exports in Istanbul next week.",
            True,
        ),
        ("Russia massed troops near the border, officials said.", False),
        ("“We will not give up,” he said. “", False),
        ("", False),
    ],
)
def test_headline_like_lines_are_asides(line, aside):
    assert is_aside(line) is aside
