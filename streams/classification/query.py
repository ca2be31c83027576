"""The boolean query language analysts write, parsed into a syntax tree. Pure.

    (russia* OR putin OR kremlin) NEAR/20 (ukrain* OR kyiv)    # proximity, in words
    title:"nord stream" OR lead:(gas AND pipeline*)            # phrases and field scoping
    @russia AND sanction*^2 AND NOT impeach*                   # named lists and weights
    about:(@ukraine OR @war_places)                            # runs through the article

Precedence, tightest first: `field:`, `^weight`, NEAR/n, NOT, AND, OR. Operators are upper
case; a word in lower case is a term, so "russia and ukraine" is an error (missing operator)
rather than a silent three-term search. `#` starts a comment that runs to the end of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

ABOUT = "about"  # a scope that measures coverage rather than restricting a field
FIELDS = ("title", "lead", "body", "text", ABOUT)
OPERATORS = ("AND", "OR", "NOT")
MIN_PREFIX_CHARS = 3
MAX_NEAR = 100

_NONWORD = re.compile(r"\W+")
_NEAR = re.compile(r"NEAR/(\d+)$")
_WEIGHT = re.compile(r"\^(\d+(?:\.\d+)?|\.\d+)")
_SPACE = re.compile(r"\s+")
_BARE = re.compile(r"[^\s()\"^]+")
_REF = re.compile(r"@([a-z0-9][a-z0-9_-]*)")


class QueryError(ValueError):
    """A query that cannot be compiled, with the offending clause and where it starts."""

    def __init__(self, message: str, position: int, clause: str) -> None:
        super().__init__(f"{message} in «{clause}»" if clause else message)
        self.message = message
        self.position = position
        self.clause = clause


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a prefix (`ukrain*`) or a phrase (`"nord stream"`), casefolded into words."""

    words: tuple[str, ...]
    prefix: bool
    source: str
    position: int
    weight: float = 1.0

    @property
    def label(self) -> str:
        """The term as evidence names it: `ukrain*`, `"nord stream"`."""
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


@dataclass(frozen=True, slots=True)
class Ref:
    """`@name`: a named list of the taxonomy, expanded at compile time."""

    name: str
    source: str
    position: int
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Scoped:
    """`title:x`: the child's terms count only in that field; `about:x`, how x runs through
    the whole article (aboutness.py)."""

    field: str
    child: Node
    source: str
    position: int


@dataclass(frozen=True, slots=True)
class Near:
    """`a NEAR/n b`: a term of each side within n words of one in the other."""

    left: Node
    right: Node
    distance: int
    source: str
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    source: str
    position: int


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Node, ...]
    source: str
    position: int


@dataclass(frozen=True, slots=True)
class Any:
    children: tuple[Node, ...]
    source: str
    position: int
    weight: float = 1.0


Node = Term | Ref | Scoped | Near | Not | All | Any


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "(", ")", "op", "near", "field", "ref", "term", "phrase", "weight", "end"
    text: str
    start: int
    end: int
    value: str = ""


def parse(text: str) -> Node:
    """The syntax tree of one query; raises QueryError naming the clause at fault."""
    return _Parser(text, tokenize(text)).parse()


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; comments and whitespace are dropped."""
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        else:
            token = _token_at(text, index)
            tokens.append(token)
            index = token.end
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


def _token_at(text: str, index: int) -> Token:
    char = text[index]
    if char in "()":
        return Token(char, char, index, index + 1)
    if char == '"':
        close = text.find('"', index + 1)
        if close < 0:
            raise QueryError("unclosed quote", index, text[index : index + 40].strip())
        end = close + 2 if text[close + 1 : close + 2] == "*" else close + 1
        return Token("phrase", text[index:end], index, end, text[index + 1 : close])
    if char == "^":
        weight = _WEIGHT.match(text, index)
        if not weight or float(weight.group(1)) <= 0:
            raise QueryError("a weight is ^ and a positive number", index, text[index : index + 8])
        return Token("weight", weight.group(), index, weight.end(), weight.group(1))
    bare = _BARE.match(text, index)
    assert bare is not None  # every other character starts a bare run
    return _bare_token(text, bare.group(), index)


def _bare_token(text: str, word: str, index: int) -> Token:
    end = index + len(word)
    if word in OPERATORS:
        return Token("op", word, index, end, word)
    if word.startswith("NEAR"):
        near = _NEAR.match(word)
        if not near:
            raise QueryError("NEAR needs a distance in words, as in NEAR/10", index, word)
        return Token("near", word, index, end, near.group(1))
    if word.startswith("@"):
        if not _REF.fullmatch(word):
            raise QueryError("a list name is @ and lower-case letters, digits, - or _", index, word)
        return Token("ref", word, index, end, word[1:])
    name, colon, _ = word.partition(":")
    if colon and name.isalpha():
        if name.lower() not in FIELDS:
            raise QueryError(f"unknown field {name!r} (fields: {', '.join(FIELDS)})", index, word)
        field_end = index + len(name) + 1
        return Token("field", text[index:field_end], index, field_end, name.lower())
    return Token("term", word, index, end, word)


class _Parser:
    """Recursive descent over the tokens; every node keeps the source text it came from."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text, self.tokens, self.index = text, tokens, 0

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise QueryError("empty query", 0, "")
        node = self.or_expr()
        if self.peek.kind != "end":
            raise self.unexpected(self.peek)
        return node

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def source(self, start: int) -> str:
        end = self.tokens[self.index - 1].end
        return _SPACE.sub(" ", _strip_comments(self.text[start:end])).strip()

    def or_expr(self) -> Node:
        start = self.peek.start
        children = [self.and_expr()]
        while self.peek.kind == "op" and self.peek.value == "OR":
            self.take()
            children.append(self.and_expr())
        return (
            children[0] if len(children) == 1 else Any(tuple(children), self.source(start), start)
        )

    def and_expr(self) -> Node:
        start = self.peek.start
        children = [self.unary()]
        while self.peek.kind == "op" and self.peek.value in ("AND", "NOT"):
            if self.peek.value == "AND":
                self.take()
            children.append(self.unary())  # "a NOT b" reads as "a AND NOT b"
        return (
            children[0] if len(children) == 1 else All(tuple(children), self.source(start), start)
        )

    def unary(self) -> Node:
        start = self.peek.start
        if self.peek.kind == "op" and self.peek.value == "NOT":
            self.take()
            child = self.unary()
            return Not(child, self.source(start), start)
        return self.near_expr()

    def near_expr(self) -> Node:
        start = self.peek.start
        left = self.primary()
        if self.peek.kind != "near":
            return left
        distance = int(self.take().value)
        right = self.primary()
        source = self.source(start)
        if not 0 < distance <= MAX_NEAR:
            raise QueryError(f"NEAR distance must be 1 to {MAX_NEAR} words", start, source)
        if self.peek.kind == "near":
            raise QueryError("NEAR joins two sides; combine NEAR clauses with AND", start, source)
        return Near(left, right, distance, source, start)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "field":
            child = self.primary()
            return Scoped(token.value, child, self.source(token.start), token.start)
        if token.kind == "(":
            node = self.or_expr()
            if self.peek.kind != ")":
                raise QueryError(
                    "missing closing parenthesis", token.start, self.source(token.start)
                )
            self.take()
            return self.weighted(replace(node, source=self.source(token.start)), token.start)
        if token.kind == "ref":
            return self.weighted(Ref(token.value, token.text, token.start), token.start)
        if token.kind in ("term", "phrase"):
            return self.weighted(make_term(token), token.start)
        raise self.unexpected(token)

    def weighted(self, node: Node, start: int) -> Node:
        self.check_adjacent()
        if self.peek.kind != "weight":
            return node
        weight = float(self.take().value)
        self.check_adjacent()
        if isinstance(node, Term | Ref | Any):
            return _with_weight(node, weight, self.source(start))
        raise QueryError(
            "a weight applies to a term or an OR-group of terms", start, self.source(start)
        )

    def check_adjacent(self) -> None:
        """Two operands side by side: the analyst meant AND or OR, or a phrase; say so."""
        token = self.peek
        if token.kind in ("term", "phrase", "ref", "field", "("):
            previous = self.tokens[self.index - 1]
            hint = ""
            if token.text.upper() in (*OPERATORS, "NEAR") or token.text.upper().startswith("NEAR/"):
                hint = " (operators are upper case: AND, OR, NOT, NEAR/n)"
            clause = self.text[previous.start : token.end]
            raise QueryError(f"missing operator before {token.text!r}{hint}", token.start, clause)

    def unexpected(self, token: Token) -> QueryError:
        if token.kind == "end":
            return QueryError("the query ends too early", token.start, self.text[-40:].strip())
        if token.kind == ")":
            return QueryError(
                "unbalanced ')'",
                token.start,
                self.text[max(0, token.start - 30) : token.end].strip(),
            )
        return QueryError(
            f"unexpected {token.text!r}",
            token.start,
            self.text[token.start : token.start + 40].strip(),
        )


def make_term(token: Token) -> Term:
    """Casefold a bare word or phrase into words; `*` may only end the last one."""
    raw = token.value
    prefix = raw.endswith("*") or token.text.endswith("*")
    body = raw.rstrip("*") if raw.endswith("*") else raw
    if "*" in body:
        raise QueryError("a wildcard may only end a word, as in ukrain*", token.start, token.text)
    words = tuple(word for word in _NONWORD.sub(" ", body.lower()).split() if word)
    if not words:
        raise QueryError("a term needs letters or digits", token.start, token.text)
    if prefix and len(words) == 1 and len(words[0]) < MIN_PREFIX_CHARS:
        message = f"a wildcard needs at least {MIN_PREFIX_CHARS} letters before the *"
        raise QueryError(message, token.start, token.text)
    return Term(words, prefix, token.text, token.start)


def _with_weight(node: Term | Ref | Any, weight: float, source: str) -> Node:
    if isinstance(node, Term):
        return Term(node.words, node.prefix, source, node.position, weight)
    if isinstance(node, Ref):
        return Ref(node.name, source, node.position, weight)
    return Any(node.children, source, node.position, weight)


def _strip_comments(text: str) -> str:
    return "\n".join(_cut_comment(line) for line in text.split("\n"))


def _cut_comment(line: str) -> str:
    """A `#` that starts a token starts a comment; one inside a phrase does not."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def references(node: Node) -> list[Ref]:
    """Every `@name` in the tree, in order."""
    if isinstance(node, Ref):
        return [node]
    return [ref for child in children(node) for ref in references(child)]


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, All | Any):
        return node.children
    if isinstance(node, Near):
        return (node.left, node.right)
    if isinstance(node, Scoped | Not):
        return (node.child,)
    return ()
