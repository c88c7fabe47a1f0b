"""An OpenFeature hook that records every evaluation as an event on the current span.

Attribute names follow OpenTelemetry's semantic conventions for feature flags, so a
trace shows which variant each request got and why.
"""

from __future__ import annotations

from openfeature.flag_evaluation import FlagEvaluationDetails, FlagValueType, Reason
from openfeature.hook import Hook, HookContext, HookHints
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

EVENT_NAME = "feature_flag.evaluation"


class TracingHook(Hook):
    def finally_after(
        self,
        hook_context: HookContext,
        details: FlagEvaluationDetails[FlagValueType],
        hints: HookHints,
    ) -> None:
        span = trace.get_current_span()
        if not span.is_recording():
            return  # nothing samples this request: skip building the attributes
        attributes: dict[str, AttributeValue] = {
            "feature_flag.key": details.flag_key,
            "feature_flag.provider.name": hook_context.provider_metadata.name
            if hook_context.provider_metadata
            else "unknown",
            "feature_flag.result.reason": str(details.reason or Reason.UNKNOWN).lower(),
        }
        if details.variant:
            attributes["feature_flag.result.variant"] = details.variant
        if details.error_code is not None:
            attributes["error.type"] = str(details.error_code).lower()
        targeting_key = hook_context.evaluation_context.targeting_key
        if targeting_key:
            attributes["feature_flag.context.id"] = targeting_key
        span.add_event(EVENT_NAME, attributes)
