"""The taxonomy users edit: YAML validated by pydantic, versioned."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator


class TermGroup(BaseModel):
    """Terms of which at least one must occur; `word*` matches any word starting with `word`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    terms: list[str] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)

    @field_validator("terms")
    @classmethod
    def _terms_are_words(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not term.strip() or "*" in term.rstrip("*") or term.strip() == "*":
                raise ValueError(f"bad term {term!r}: words, with an optional trailing '*'")
        return [" ".join(term.casefold().split()) for term in terms]


class Topic(BaseModel):
    """A topic: an article belongs to it when every group in `all_of` matches strongly enough."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str = ""
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    severity: str = Field(default="info", pattern=r"^(info|low|medium|high|critical)$")
    all_of: list[TermGroup] = Field(min_length=1)


class Taxonomy(BaseModel):
    """A versioned set of topics; the version travels with every classification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    topics: list[Topic] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _unique_ids(cls, topics: list[Topic]) -> list[Topic]:
        ids = [topic.id for topic in topics]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate topic ids: {', '.join(duplicates)}")
        return topics


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate a taxonomy file (raises pydantic.ValidationError or yaml.YAMLError)."""
    with path.open(encoding="utf-8") as handle:
        return Taxonomy.model_validate(yaml.safe_load(handle))
