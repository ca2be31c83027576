"""The taxonomy file a worker runs, reloaded when it changes: the I/O edge of `reload_taxonomy`."""

from __future__ import annotations

import logging
from pathlib import Path

from streams.classification.logic import CompiledTaxonomy, Reload, compile_taxonomy, reload_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.metrics import METRICS, Metrics

log = logging.getLogger(__name__)

Stamp = tuple[int, int] | None


def _stamp(path: Path) -> Stamp:
    """Modification time and size: a cheap test for "maybe changed" before reading."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class TaxonomyFile:
    """The running taxonomy and the file it came from; a bad new file never replaces it."""

    def __init__(self, path: Path, metrics: Metrics = METRICS) -> None:
        self.path, self.metrics = path, metrics
        self.stamp = _stamp(path)
        self.taxonomy: CompiledTaxonomy = compile_taxonomy(load_taxonomy(path))
        metrics.set_taxonomy(self.taxonomy.version, [t.topic.id for t in self.taxonomy.topics])

    def check(self) -> Reload | None:
        """Reload if the file changed since the last check; None when it did not."""
        stamp = _stamp(self.path)
        if stamp == self.stamp:
            return None
        self.stamp = stamp
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            outcome = Reload("refused", f"{self.path}: {error}")
        else:
            self.taxonomy, outcome = reload_taxonomy(self.taxonomy, text, str(self.path))
        self._report(outcome)
        return outcome

    def _report(self, outcome: Reload) -> None:
        if outcome.outcome == "loaded":
            log.info("taxonomy reloaded from %s: %s", self.path, outcome.detail)
            topics = [t.topic.id for t in self.taxonomy.topics]
            self.metrics.set_taxonomy(self.taxonomy.version, topics)
        elif outcome.outcome == "refused":
            log.error(
                "taxonomy file %s refused, still running version %s: %s",
                self.path,
                self.taxonomy.version,
                outcome.detail,
            )
        if outcome.outcome != "unchanged":
            self.metrics.taxonomy_reloads.labels(outcome.outcome).inc()
