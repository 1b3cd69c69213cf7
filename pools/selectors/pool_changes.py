"""Reads for changing a pool: the flavors ModelArts sells (with their sold-out zones), a pool's tags, and a
pool's capacity per flavor (what a scale form shows before → after).

``flavor_offers`` turns the ListResourceFlavors read into what a form offers: every flavor on sale, labelled
from the dashboard's catalog (``pools/flavors.py``) where it knows the flavor, and the zones it can still be
placed in. When ModelArts cannot be read, the offer falls back to the catalog (zones unknown) and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pools import flavors
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.modelarts.change_types import PoolTags, ResourceFlavor, ResourceFlavorList
from pools.modelarts.types import Pool
from pools.modelarts.vocabulary import POOL_RUNNING
from pools.selectors.cache import ReadResult
from pools.selectors.modelarts import read_through_cache

if TYPE_CHECKING:
    from pools.models import Connection

LISTING_FLAVORS = _("Listing the flavors on sale for connection “{name}”")
READING_TAGS = _("Reading the tags of pool {pool} of connection “{name}”")
FLAVORS_FROM_CATALOG = _(
    "The flavors on sale could not be read; the dashboard's own list is offered instead."
)


def resource_flavors(*, connection: Connection, refresh: bool = False) -> ReadResult[ResourceFlavorList]:
    """ListResourceFlavors, cached like every read."""
    return read_through_cache(
        connection,
        "resource_flavors",
        {},
        lambda client: client.list_resource_flavors(),
        format_lazy(LISTING_FLAVORS, name=connection.name),
        refresh,
    )


def pool_tags(*, connection: Connection, pool_name: str, refresh: bool = False) -> ReadResult[PoolTags]:
    """ShowPoolTags for one pool."""
    return read_through_cache(
        connection,
        "pool_tags",
        {"pool": pool_name},
        lambda client: client.show_pool_tags(pool_name),
        format_lazy(READING_TAGS, pool=pool_name, name=connection.name),
        refresh,
    )


@dataclass(frozen=True)
class FlavorOffer:
    """A flavor a form offers: its id, a label, what one node brings, and its zones."""

    id: str
    label: str
    summary: str
    accelerator: str  # "gpu", "npu" or "cpu"
    cards: int
    zones: tuple[str, ...]  # every zone ModelArts lists for it (empty: unknown)
    sold_out_zones: tuple[str, ...]

    @property
    def choice_label(self) -> str:
        label = f"{self.label} ({self.summary})"
        if not self.sold_out_zones:
            return label
        return gettext("{flavor} — sold out in {zones}").format(
            flavor=label, zones=listed(self.sold_out_zones)
        )

    @property
    def sold_out_everywhere(self) -> bool:
        return bool(self.zones) and set(self.zones) == set(self.sold_out_zones)


@dataclass(frozen=True)
class FlavorOffers:
    offers: tuple[FlavorOffer, ...]
    error: ApplicationError | None = None  # the read failed: the catalog is offered
    note: str = ""

    def get(self, flavor_id: str) -> FlavorOffer | None:
        return next((offer for offer in self.offers if offer.id == flavor_id), None)

    @property
    def zones(self) -> tuple[str, ...]:
        """Every zone any flavor lists, in order (the region's availability zones)."""
        return tuple(sorted({zone for offer in self.offers for zone in offer.zones}))

    def choices(self, *, include: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Choices for a flavor select; ``include`` adds flavors the pool has even if not on sale now."""
        offered = [(offer.id, offer.choice_label) for offer in self.offers]
        known = {flavor_id for flavor_id, _ in offered}
        extra = [(flavor_id, flavor_id) for flavor_id in include if flavor_id not in known]
        return [*offered, *extra]


def _offer(flavor: ResourceFlavor) -> FlavorOffer:
    known = flavors.get(flavor.name)
    if known is not None:
        label, summary, kind, cards = known.label, known.summary, known.accelerator, known.cards
    else:
        cards = flavor.accelerators
        card_text = f"{cards} × {flavor.accelerator_model} | " if cards else ""
        label, summary = flavor.name, f"{card_text}{flavor.cpu} vCPUs | {flavor.memory}"
        kind = flavor.accelerator or flavors.CPU
    return FlavorOffer(
        id=flavor.name,
        label=label,
        summary=summary,
        accelerator=kind,
        cards=cards,
        zones=tuple(sorted(flavor.zones)),
        sold_out_zones=flavor.sold_out_zones,
    )


def _catalog_offers() -> tuple[FlavorOffer, ...]:
    return tuple(
        FlavorOffer(f.id, f.label, f.summary, f.accelerator, f.cards, zones=(), sold_out_zones=())
        for f in flavors.FLAVORS
    )


def flavor_offers(*, connection: Connection, refresh: bool = False) -> FlavorOffers:
    """The flavors a form offers for this connection (see the module's docstring)."""
    read = resource_flavors(connection=connection, refresh=refresh)
    if read.value is None:
        return FlavorOffers(_catalog_offers(), error=read.error, note=FLAVORS_FROM_CATALOG)
    return FlavorOffers(tuple(_offer(flavor) for flavor in read.value.items), error=read.error)


@dataclass(frozen=True)
class FlavorCapacity:
    """One flavor of a pool: the count asked for, the nodes there now, and the cards they bring."""

    flavor: str
    label: str
    count: int
    available: int
    creating: int
    deleting: int
    cards_per_node: int

    @property
    def cards(self) -> int:
        return self.count * self.cards_per_node


def pool_capacity(pool: Pool) -> list[FlavorCapacity]:
    """The pool's flavors in its own order, with what ``status.resources`` says of each."""

    def in_state(state: str, flavor_id: str) -> int:
        return sum(entry.count for entry in pool.status_resources.get(state, ()) if entry.flavor == flavor_id)

    rows = []
    for resource in pool.resources:
        known = flavors.get(resource.flavor)
        rows.append(
            FlavorCapacity(
                flavor=resource.flavor,
                label=known.label if known else resource.flavor,
                count=resource.count,
                available=in_state("available", resource.flavor) + in_state("abnormal", resource.flavor),
                creating=in_state("creating", resource.flavor),
                deleting=in_state("deleting", resource.flavor),
                cards_per_node=known.cards if known else 0,
            )
        )
    return rows


@dataclass(frozen=True)
class ScalingNow:
    """Nodes on their way in or out of a Running pool (``status.resources`` creating and deleting)."""

    adding: int
    removing: int


def scaling_now(pool: Pool) -> ScalingNow | None:
    """How the pool is scaling now, or None when no node of a Running pool is being added or removed."""
    adding, removing = pool.nodes_in("creating"), pool.nodes_in("deleting")
    if pool.phase != POOL_RUNNING or not (adding or removing):
        return None
    return ScalingNow(adding, removing)


@dataclass(frozen=True)
class ScaleStep:
    """One flavor of a scale: the count before and after, and the accelerator cards that makes."""

    flavor: str
    label: str
    before: int
    after: int
    cards_per_node: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def cards_before(self) -> int:
        return self.before * self.cards_per_node

    @property
    def cards_after(self) -> int:
        return self.after * self.cards_per_node


@dataclass(frozen=True)
class ScalePreview:
    steps: tuple[ScaleStep, ...]

    @property
    def nodes_before(self) -> int:
        return sum(step.before for step in self.steps)

    @property
    def nodes_after(self) -> int:
        return sum(step.after for step in self.steps)

    @property
    def cards_before(self) -> int:
        return sum(step.cards_before for step in self.steps)

    @property
    def cards_after(self) -> int:
        return sum(step.cards_after for step in self.steps)

    @property
    def grows(self) -> bool:
        return any(step.change > 0 for step in self.steps)

    @property
    def shrinks(self) -> bool:
        return any(step.change < 0 for step in self.steps)


def scale_preview(pool_resources: Iterable[tuple[str, int]], body: dict) -> ScalePreview:
    """Capacity before → after of a PatchPool body's ``spec.resources`` against the pool's (flavor, count)s."""
    before = dict(pool_resources)
    after = {entry["flavor"]: entry["count"] for entry in body.get("spec", {}).get("resources", [])}
    steps = []
    for flavor_id in [*before, *(f for f in after if f not in before)]:
        known = flavors.get(flavor_id)
        steps.append(
            ScaleStep(
                flavor=flavor_id,
                label=known.label if known else flavor_id,
                before=before.get(flavor_id, 0),
                after=after.get(flavor_id, before.get(flavor_id, 0)),
                cards_per_node=known.cards if known else 0,
            )
        )
    return ScalePreview(tuple(steps))
