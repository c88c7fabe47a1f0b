"""The outbox relay: publishes stored events and marks them published, batch by batch.

Delivery is at least once: a crash between publishing and committing the batch publishes
those events again on the next run, so consumers deduplicate on the event id. Running the
relay again (or several relays at once on PostgreSQL) is always safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from .domain.service import Clock, utc_now
from .ports.messaging import EventPublisher
from .ports.persistence import UnitOfWork

DEFAULT_BATCH_SIZE = 100


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
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._unit_of_work = unit_of_work
        self._publisher = publisher
        self._batch_size = batch_size
        self._clock = clock

    def relay_batch(self) -> int:
        """Publish up to one batch; return how many events were published.

        When the publisher fails, the events published before the failure are still marked
        (so they are not sent twice needlessly) and the error propagates.
        """
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
