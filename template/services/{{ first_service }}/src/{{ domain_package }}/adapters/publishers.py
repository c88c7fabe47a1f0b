"""Event publishers. The default writes each event as a structured log line, which log
shippers can forward; a broker adapter (Kafka, SNS, ...) implements the same port."""

from __future__ import annotations

from observability import get_logger

from ..ports.messaging import OutboxMessage


class LogEventPublisher:
    def __init__(self, logger_name: str = "outbox") -> None:
        self._logger = get_logger(logger_name)

    def publish(self, message: OutboxMessage) -> None:
        self._logger.info(
            "domain event",
            event_id=str(message.id),
            event_type=message.event_type,
            aggregate_type=message.aggregate_type,
            aggregate_id=message.aggregate_id,
            occurred_at=message.occurred_at.isoformat(),
            payload=message.payload,
        )
