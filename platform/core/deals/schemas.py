"""Deal shapes at the edge. Money travels as strings ("12.50"); numbers are accepted too."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

import msgspec

from rapport.core.deals.models import Deal
from rapport.core.deals.pipelines import Pipeline
from rapport.core.fields.shapes import FieldValues, FieldValuesIn
from rapport.core.transactions import money
from rapport.core.transactions.lines import CurrencyCode, LineOut, Lines, shown
from rapport.core.transactions.money import OptionalDecimalIn
from rapport.fieldtypes import Name, Patch

Probability = Annotated[int, msgspec.Meta(ge=0, le=100)]
PipelineKey = Annotated[str, msgspec.Meta(
    min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]{0,39}$",
    description="A pipeline's key (GET /api/v1/pipelines); ``default`` is the first one")]
PipelineLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=100,
                                             pattern=r"^[^\x00]*\S[^\x00]*$")]
Position = Annotated[int, msgspec.Meta(ge=0, le=1000)]
StageKey = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Note = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")]


class DealIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "title": "Clinic fit-out",
        "amount": "12500.00",
        "currency": "EUR",
        "expected_close_date": "2026-03-31",
    }
    title: Name
    amount: OptionalDecimalIn = None
    currency: CurrencyCode | None = None
    probability: Probability | None = None
    expected_close_date: date | None = None
    contact_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    # A member id (GET /api/v1/members); the creator when left out.
    owner_id: uuid.UUID | None = None
    # When given, the deal's amount is their sum.
    lines: Lines | None = None
    # The pipeline the deal starts in (its first stage); the default pipeline when left out.
    pipeline: PipelineKey | None = None
    fields: FieldValuesIn | None = None

    def __post_init__(self) -> None:
        money.exact_fields(self, "amount")

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class DealPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    title: Name | msgspec.UnsetType = msgspec.UNSET
    amount: OptionalDecimalIn | msgspec.UnsetType = msgspec.UNSET
    currency: CurrencyCode | msgspec.UnsetType | None = msgspec.UNSET
    probability: Probability | msgspec.UnsetType | None = msgspec.UNSET
    expected_close_date: date | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    organization_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    # Replaces every line; [] or null removes them (the amount then stays as it was).
    lines: Lines | msgspec.UnsetType | None = msgspec.UNSET
    # Only the custom fields sent change; null clears one.
    fields: FieldValuesIn | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        money.exact_fields(self, "amount")


class PipelineMoveIn(msgspec.Struct, forbid_unknown_fields=True):
    """Move a deal to another pipeline: into ``stage``, or the pipeline's first stage."""

    pipeline: PipelineKey
    stage: StageKey | None = None
    note: Note | None = None


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


class StageOut(msgspec.Struct):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "DealStageOut"
    key: str
    label: str


class DealOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    # The pipeline's key (GET /api/v1/pipelines has their names and stages).
    pipeline: str
    stage: StageOut
    amount: str | None
    currency: str | None
    probability: int | None
    expected_close_date: date | None
    contact_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    lines: list[LineOut]
    fields: FieldValues
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, deal: Deal, labels: dict[str, dict[str, str]], fields: dict[str, Any] | None = None
    ) -> DealOut:
        """``labels``: the tenant's stage labels by pipeline (renamed and added stages
        included); ``fields``: the custom field values as rendered for the caller."""
        currency = deal.currency or ""
        stage_label = labels.get(deal.pipeline, {}).get(deal.stage, deal.stage)
        return cls(
            id=deal.id,
            title=deal.title,
            pipeline=deal.pipeline,
            stage=StageOut(deal.stage, stage_label),
            amount=None if deal.amount is None else money.as_text(deal.amount, deal.currency),
            currency=deal.currency,
            probability=deal.probability,
            expected_close_date=deal.expected_close_date,
            contact_id=deal.contact_id,
            organization_id=deal.organization_id,
            owner_id=deal.owner_id,
            lines=shown(deal.lines, currency),
            fields=fields if fields is not None else {},
            created_at=deal.created_at,
            updated_at=deal.updated_at,
        )


class DealList(msgspec.Struct):
    items: list[DealOut]
    next_cursor: str | None


class PipelineIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {"label": "Renewals", "key": "renewals"}
    label: PipelineLabel
    # Made from the label when left out (``pipeline_<n>`` if the label has no Latin letters).
    key: PipelineKey | None = None
    # Its place in the list (0 = first); last when left out.
    position: Position | None = None


class PipelinePatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    label: PipelineLabel | msgspec.UnsetType = msgspec.UNSET
    # Its new place in the list (0 = first); the others keep their order.
    position: Position | msgspec.UnsetType = msgspec.UNSET


class PipelineStageOut(msgspec.Struct):
    key: str
    label: str
    terminal: bool
    custom: bool


class PipelineOut(msgspec.Struct):
    id: uuid.UUID
    key: str
    label: str
    position: int
    # The kernel's workflow ``deals.pipeline``: it cannot be deleted.
    is_default: bool
    # Its workflow: ``deals.pipeline`` or ``deals.pipeline.<key>``.
    workflow: str
    stages: list[PipelineStageOut]

    @classmethod
    def of(cls, p: Pipeline, position: int, stages: list[PipelineStageOut]) -> PipelineOut:
        return cls(p.id, p.key, p.label, position, p.is_default, p.workflow, stages)


class PipelineList(msgspec.Struct):
    items: list[PipelineOut]
