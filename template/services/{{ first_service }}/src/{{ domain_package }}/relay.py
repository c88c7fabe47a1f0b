"""The outbox relay: publishes stored events and marks them published, batch by batch.

Delivery is at least once: a crash between publishing and committing the batch publishes
those events again on the next run, so consumers deduplicate on the event id. Running the
relay again (or several relays at once on PostgreSQL) is always safe.

A batch that fails (database or publisher) is tried again with jittered exponential
backoff (stamina), and each retry is counted in `outbox_relay_retries_total`. When the
retries run out the error propagates; `relay-outbox --poll-interval` logs it and tries
again at the next poll, so an outage of the database or the broker never ends the relay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from uuid import UUID

import stamina
from prometheus_client import CollectorRegistry, Counter

from .domain.service import Clock, utc_now
from .ports.messaging import EventPublisher
from .ports.persistence import UnitOfWork

DEFAULT_BATCH_SIZE = 100


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one batch is retried: at most `attempts` tries within `timeout` seconds,
    waiting `wait_initial` seconds, doubled per retry up to `wait_max`, plus up to
    `wait_jitter` random seconds so several relays do not hit a recovering broker in step."""

    attempts: int = 5
    timeout: float = 60.0
    wait_initial: float = 0.5
    wait_max: float = 10.0
    wait_jitter: float = 1.0


class RelayMetrics:
    """The relay's Prometheus counters, in their own registry (as observability's
    `HTTPMetrics`): several relays can share a process in tests without clashing."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.published = Counter(
            "outbox_relay_events_published",
            "Outbox events published and marked.",
            registry=self.registry,
        )
        self.retries = Counter(
            "outbox_relay_retries",
            "Batches tried again after a database or publisher error, by error type.",
            ["error"],
            registry=self.registry,
        )
        self.failures = Counter(
            "outbox_relay_failures",
            "Batches given up after their last retry, by error type.",
            ["error"],
            registry=self.registry,
        )


@dataclass(frozen=True, slots=True)
class RelayResult:
    published: int
    batches: int


class OutboxRelay:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        publisher: EventPublisher,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Clock = utc_now,
        retry: RetryPolicy | None = None,
        metrics: RelayMetrics | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._unit_of_work = unit_of_work
        self._publisher = publisher
        self._batch_size = batch_size
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self.metrics = metrics or RelayMetrics()

    def relay_batch(self) -> int:
        """Publish up to one batch, retrying failures; return how many were published.

        Every error is retried: the relay cannot know which ones a publisher adapter
        raises, and a permanent one costs only the bounded retries before it propagates.
        """
        error = ""
        try:
            for attempt in stamina.retry_context(on=Exception, **asdict(self._retry)):
                with attempt:
                    if attempt.num > 1:
                        self.metrics.retries.labels(error).inc()
                    try:
                        return self._publish_batch()
                    except Exception as exc:
                        error = type(exc).__name__
                        raise
        except Exception:
            self.metrics.failures.labels(error).inc()
            raise
        raise AssertionError("unreachable: stamina either returns or raises")  # pragma: no cover

    def _publish_batch(self) -> int:
        """One try. When the publisher fails, the events published before the failure are
        still marked (so they are not sent twice needlessly) and the error propagates."""
        with self._unit_of_work() as uow:
            published: list[UUID] = []
            try:
                for message in uow.outbox.pending(self._batch_size):
                    self._publisher.publish(message)
                    published.append(message.id)
            finally:
                if published:
                    uow.outbox.mark_published(published, at=self._clock())
                    uow.commit()
                    self.metrics.published.inc(len(published))
        return len(published)

    def relay_pending(self, *, max_batches: int | None = None) -> RelayResult:
        """Publish batches until none is pending (or `max_batches` were sent)."""
        total = batches = 0
        while max_batches is None or batches < max_batches:
            count = self.relay_batch()
            if count == 0:
                break
            total += count
            batches += 1
            if count < self._batch_size:
                break
        return RelayResult(published=total, batches=batches)
