"""The taxonomy analysts edit: YAML validated by pydantic, versioned, with errors by line.

A topic is an id, a name, a description, a threshold, severity rules and a query in the
boolean language of `query.py`. Named `lists` (`@russia`) keep long term lists in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from schemas.vocabulary import Severity as Level
from streams.classification import query as q
from streams.classification.aboutness import DEFAULT_ABOUT
from streams.classification.compiler import QueryCompiler
from streams.classification.matcher import KeyTable


def _parsed(text: str) -> str:
    q.parse(text)  # raises QueryError (a ValueError), which pydantic reports with its place
    return text


class SeverityRule(BaseModel):
    """`level` applies when the topic scores at least `min_score` and `when` (if any) holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    when: str | None = Field(default=None, description="A query; holds when it scores >= 0.5.")

    @field_validator("when")
    @classmethod
    def _when_parses(cls, value: str | None) -> str | None:
        return None if value is None else _parsed(value)


def _severity_shorthand(value: Any) -> Any:
    return {"default": value} if isinstance(value, str) else value


class Severity(BaseModel):
    """The first rule that applies sets the level; otherwise `default`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Level = "info"
    rules: list[SeverityRule] = Field(default_factory=list)


class Scoring(BaseModel):
    """How hits become a score: zone weights, lead size, saturation and length normalisation.

    A group of terms with weighted hit mass m scores 1 - exp(-m / (saturation * f)), where
    f = max(1, 1 - length_norm + length_norm * chars / typical_chars): a long article needs
    more mentions than a typical one to be as clearly about something (a short one, as many).
    Within one paragraph the group's mentions count 1, paragraph_decay, paragraph_decay², ...
    (strongest first).

    `about:(terms)` scores head + (1 - head) * spread, where head adds `about_title` and
    `about_lead` for the zones the terms are in, and spread is the share of paragraphs that
    carry them over `about_share` (capped at 1), less `about_late` times the share of the
    paragraphs before the first mention (aboutness.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: float = Field(default=3.0, ge=0)
    lead: float = Field(default=2.0, ge=0)
    body: float = Field(default=1.0, ge=0)
    aside: float = Field(default=0.25, ge=0)
    lead_chars: int = Field(default=400, ge=0)
    saturation: float = Field(default=3.0, gt=0)
    length_norm: float = Field(default=0.5, ge=0, le=1)
    typical_chars: int = Field(default=3000, gt=0)
    paragraph_decay: float = Field(
        default=0.5, gt=0, le=1, description="Each further mention in a paragraph: this much."
    )
    about_title: float = Field(default=DEFAULT_ABOUT.title, ge=0, le=1)
    about_lead: float = Field(default=DEFAULT_ABOUT.lead, ge=0, le=1)
    about_share: float = Field(default=DEFAULT_ABOUT.share, gt=0, le=1)
    about_late: float = Field(default=DEFAULT_ABOUT.late, ge=0)


class Topic(BaseModel):
    """A topic: an article belongs to it when its query scores at least `threshold`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    description: str = ""
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    severity: Annotated[Severity, BeforeValidator(_severity_shorthand)] = Severity()
    query: str = Field(min_length=1)

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str) -> str:
        return _parsed(value)


class Taxonomy(BaseModel):
    """A versioned set of topics; the version travels with every classification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    scoring: Scoring = Scoring()
    lists: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")], str] = Field(
        default_factory=dict
    )
    topics: list[Topic] = Field(min_length=1)

    @field_validator("lists")
    @classmethod
    def _lists_parse(cls, lists: dict[str, str]) -> dict[str, str]:
        errors: list[Placed] = []
        for name, text in lists.items():
            try:
                q.parse(text)
            except q.QueryError as error:
                errors.append((("lists", name), error))
        if errors:
            raise QueryErrors(errors)
        return lists

    @field_validator("topics")
    @classmethod
    def _queries_compile(cls, topics: list[Topic], info: ValidationInfo) -> list[Topic]:
        """What parsing alone cannot see: unknown or cyclic lists, misplaced NOT or NEAR."""
        if "lists" not in info.data:
            return topics  # the lists have errors of their own
        lists = {name: q.parse(text) for name, text in info.data["lists"].items()}
        compiler, errors = QueryCompiler(lists, KeyTable()), []
        for place, text in _queries(topics):
            try:
                compiler.compile(q.parse(text))
            except q.QueryError as error:
                errors.append((place, error))
        if errors:
            raise QueryErrors(errors)
        return topics

    @field_validator("topics")
    @classmethod
    def _unique_ids(cls, topics: list[Topic]) -> list[Topic]:
        ids = [topic.id for topic in topics]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate topic ids: {', '.join(duplicates)}")
        return topics


Place = tuple[str | int, ...]
Placed = tuple[Place, q.QueryError]


def _queries(topics: list[Topic]) -> list[tuple[Place, str]]:
    """Every query of the topics (and of their severity rules), with its place."""
    found: list[tuple[Place, str]] = []
    for index, topic in enumerate(topics):
        found.append((("topics", index, "query"), topic.query))
        for number, rule in enumerate(topic.severity.rules):
            if rule.when is not None:
                found.append((("topics", index, "severity", "rules", number, "when"), rule.when))
    return found


class QueryErrors(ValueError):
    """Query errors and where in the document each query is, for the line numbers."""

    def __init__(self, errors: list[Placed]) -> None:
        super().__init__("; ".join(str(error) for _, error in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a taxonomy file, located by line."""

    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.where}: {self.message}"


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; every problem names the file, line and clause."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate a taxonomy file (raises TaxonomyError)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TaxonomyError([Problem(str(path), 0, "file", str(error))]) from None
    return parse_taxonomy(text, str(path))


def parse_taxonomy(text: str, file: str) -> Taxonomy:
    """Validate a taxonomy document; `file` names it in error messages."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TaxonomyError([_yaml_problem(file, error)]) from None
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as error:
        problems = [p for item in error.errors() for p in _problems(file, text, root, item)]
        raise TaxonomyError(problems) from None


def _yaml_problem(file: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return Problem(file, 0, "yaml", " ".join(str(error).split()))
    parts = [getattr(error, "context", None), getattr(error, "problem", None)]
    message = ": ".join(part for part in parts if part) or "invalid YAML"
    return Problem(file, mark.line + 1, "yaml", f"{message} (column {mark.column + 1})")


def _problems(file: str, text: str, root: yaml.Node | None, item: Any) -> list[Problem]:
    """A pydantic error as problems located by line (one per query error it carries)."""
    cause = item.get("ctx", {}).get("error")
    placed: list[Placed] = []
    if isinstance(cause, QueryErrors):
        placed = cause.errors
    elif isinstance(cause, q.QueryError):
        placed = [(tuple(item["loc"]), cause)]
    problems = []
    for place, error in placed:
        node = _node_at(root, place)
        line = _query_line(text, node, error) if node is not None else 1
        message = f"{error.message} in «{error.clause}»" if error.clause else error.message
        problems.append(Problem(file, line, _where(place, root), message))
    if problems:
        return problems
    place = tuple(item["loc"])
    node = _node_at(root, place)
    line = node.start_mark.line + 1 if node is not None else 1
    return [Problem(file, line, _where(place, root), item["msg"].removeprefix("Value error, "))]


def _node_at(root: yaml.Node | None, place: tuple[str | int, ...]) -> yaml.Node | None:
    """The YAML node at a pydantic error location (the deepest one that exists)."""
    node = root
    for part in place:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _query_line(text: str, node: yaml.Node, error: q.QueryError) -> int:
    """The file line of the error: exact in a `|` block, else where the clause shows up."""
    value = node.value if isinstance(node.value, str) else ""
    if getattr(node, "style", None) == "|":
        return node.start_mark.line + 2 + value[: error.position].count("\n")
    lines = text.split("\n")
    words = error.clause.split()
    needle = words[0] if words else ""
    for number in range(node.start_mark.line, min(node.end_mark.line + 1, len(lines))):
        if needle and needle in lines[number]:
            return number + 1
    return node.start_mark.line + 1


def _where(place: tuple[str | int, ...], root: yaml.Node | None) -> str:
    """A readable location: topics[0] (russia-ukraine).query"""
    parts: list[str] = []
    for index, part in enumerate(place):
        if isinstance(part, int):
            parts.append(f"[{part}]")
            topic = _node_at(root, (*place[: index + 1], "id"))
            if place[:1] == ("topics",) and index == 1 and isinstance(topic, yaml.ScalarNode):
                parts.append(f" ({topic.value})")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "taxonomy"
