"""newsradar's message contracts: one pydantic model per topic record, no Faust imports."""

from pydantic import BaseModel

from schemas.alerts import Alert
from schemas.articles import (
    ClassifiedArticle,
    CleanArticle,
    Evidence,
    MatchedArticle,
    RawArticle,
    Removal,
    TopicMatch,
    TopicScore,
)
from schemas.deadletter import DeadLetter

#: Every record that travels on a topic, by the file name of its exported JSON Schema.
WIRE_MODELS: dict[str, type[BaseModel]] = {
    "raw-article": RawArticle,
    "clean-article": CleanArticle,
    "classified-article": ClassifiedArticle,
    "topic-match": TopicMatch,
    "alert": Alert,
    "dead-letter": DeadLetter,
}

__all__ = [
    "WIRE_MODELS",
    "Alert",
    "ClassifiedArticle",
    "CleanArticle",
    "DeadLetter",
    "Evidence",
    "MatchedArticle",
    "RawArticle",
    "Removal",
    "TopicMatch",
    "TopicScore",
]
