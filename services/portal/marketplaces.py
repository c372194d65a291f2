"""Chapter 2: a reseller's marketplaces, its go-to-market channels. A marketplace has a name (unique within the
account, whatever its case), a description, one ISO 4217 currency, one or more ISO 3166 countries, and at least
one of the account's hubs, each with the **tier account external ID** (the reseller's own account in that hub's
system). It is made with a short wizard (general → hubs → summary): :func:`check_general` and
:func:`check_hubs` are each step's **Next**, :func:`create_marketplace` its **Create**, and each says what is
wrong by field.

Every action is the signed-in reseller's own (an active service contract), reaches only its own account's
marketplaces and hubs (another account's is "not found") and is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from data.models import Hub, Marketplace, MarketplaceCountry, MarketplaceHub
from data.models.marketplace import DESCRIPTION_MAX, EXTERNAL_ID_MAX, MARKETPLACE_NAME_MAX, new_marketplace_id
from data.models.types import utcnow
from services import audit
from services.actors import SignedInUser
from services.errors import FieldErrors, NotFound, ValidationFailed
from services.portal import regions
from services.portal.access import reseller_of
from services.portal.hubs import ResellerRef, _optional_text, _required_line, operator_resellers, owned_hub
from services.requests import check_not_done, record_done
from services.rules import is_storable
from services.unit_of_work import UnitOfWork

NAME_TAKEN = "Another of your marketplaces has this name. Each marketplace needs its own."
NOT_FOUND = "No such marketplace among yours."
COUNTRIES_MISSING = "Choose at least one country."
HUBS_MISSING = "Choose at least one of your hubs."
CURRENCY_LOCKED = "The currency cannot change: this marketplace has listings in it."
COUNTRIES_SHOWN = 3  # a list shows the first few countries and how many more


def _name_taken() -> ValidationFailed:
    return ValidationFailed({"name": NAME_TAKEN})


CONFLICTS = {"ux_marketplace_name": _name_taken()}


@dataclass(frozen=True)
class MarketplaceHubView:
    hub_id: str
    hub_name: str
    external_id: str


@dataclass(frozen=True)
class MarketplaceView:
    """A marketplace as its reseller sees it."""

    marketplace_id: str
    name: str
    description: str | None
    currency: str
    countries: tuple[str, ...]  # alpha-2 codes, by the countries' names
    hubs: tuple[MarketplaceHubView, ...]  # by hub name
    created_at: datetime
    listings: int = 0

    @property
    def currency_label(self) -> str:
        return regions.currency_label(self.currency)

    @property
    def country_names(self) -> tuple[str, ...]:
        return tuple(regions.country_name(code) for code in self.countries)

    @property
    def countries_summary(self) -> str:
        """The first few countries and how many more: "Germany, France, Italy and 4 more"."""
        shown = ", ".join(self.country_names[:COUNTRIES_SHOWN])
        more = len(self.countries) - COUNTRIES_SHOWN
        return f"{shown} and {more} more" if more > 0 else shown

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return ("edit",)

    @property
    def currency_locked(self) -> bool:
        """Whether its currency can no longer change (it has listings)."""
        return self.listings > 0


@dataclass(frozen=True)
class GeneralFields:
    name: str
    description: str | None
    currency: str
    countries: tuple[str, ...]


def _clean_general(name: object, description: object, currency: object, countries: object) -> GeneralFields:
    errors = FieldErrors()
    clean_name = errors.check(_required_line, name, "name", MARKETPLACE_NAME_MAX, "Enter the marketplace's name.")
    clean_description = errors.check(_optional_text, description, "description", DESCRIPTION_MAX)
    if not isinstance(currency, str) or currency not in regions.currencies():
        errors.add(
            "currency", "Choose the marketplace's currency." if not currency else "Choose a currency from the list."
        )
    chosen: list[str] = []
    if countries is None or (isinstance(countries, list | tuple) and not countries):
        errors.add("countries", COUNTRIES_MISSING)
    elif not isinstance(countries, list | tuple) or not all(
        isinstance(code, str) and code in regions.countries() for code in countries
    ):
        errors.add("countries", "Choose countries from the list.")
    else:
        chosen = sorted(set(countries), key=regions.country_name)
    errors.raise_if_any()
    assert clean_name is not None
    return GeneralFields(clean_name, clean_description, str(currency), tuple(chosen))


def _clean_hubs(uow: UnitOfWork, account_id: str, hubs: object) -> dict[str, str]:
    """``hubs``: hub ID → tier account external ID. Each hub must be the account's own (else "not found"), each
    external ID given and at most 100 characters (field ``external_id.<hub ID>``)."""
    if not isinstance(hubs, Mapping) or not hubs:
        raise ValidationFailed({"hubs": HUBS_MISSING})
    errors = FieldErrors()
    chosen: dict[str, str] = {}
    for hub_id, external_id in hubs.items():
        hub = owned_hub(uow, account_id, hub_id)  # locked in a write block: a deletion waits for this
        value = errors.check(
            _required_line,
            external_id,
            f"external_id.{hub.id}",
            EXTERNAL_ID_MAX,
            f"Enter the tier account external ID for {hub.name}.",
        )
        if value is not None:
            chosen[hub.id] = value
    errors.raise_if_any()
    return chosen


def _name_used(session: Session, account_id: str, name: str, other_than: str | None = None) -> bool:
    statement = select(Marketplace.id).where(
        col(Marketplace.account_id) == account_id, func.lower(col(Marketplace.name)) == name.lower()
    )
    if other_than is not None:
        statement = statement.where(col(Marketplace.id) != other_than)
    return session.exec(statement).first() is not None


def listings_on(session: Session, marketplace_ids: Sequence[str]) -> dict[str, int]:
    """How many listings each marketplace has. Listings come with chapter 3 (issue 15, its ``listing`` table with
    a ``marketplace_id``); until that table exists no marketplace has any."""
    listing = SQLModel.metadata.tables.get("listing")
    if listing is None or "marketplace_id" not in listing.c or not marketplace_ids:
        return {}
    rows = session.execute(
        select(listing.c.marketplace_id, func.count())
        .where(listing.c.marketplace_id.in_(list(marketplace_ids)))
        .group_by(listing.c.marketplace_id)
    ).all()
    return {marketplace_id: count for marketplace_id, count in rows}


def _views(session: Session, marketplaces: list[Marketplace]) -> list[MarketplaceView]:
    ids = [marketplace.id for marketplace in marketplaces]
    countries: dict[str, list[str]] = {marketplace_id: [] for marketplace_id in ids}
    hubs: dict[str, list[MarketplaceHubView]] = {marketplace_id: [] for marketplace_id in ids}
    if ids:
        for marketplace_id, country in session.exec(
            select(MarketplaceCountry.marketplace_id, MarketplaceCountry.country).where(
                col(MarketplaceCountry.marketplace_id).in_(ids)
            )
        ):
            countries[marketplace_id].append(country)
        for link, hub in session.exec(
            select(MarketplaceHub, Hub)
            .join(Hub, col(Hub.id) == col(MarketplaceHub.hub_id))
            .where(col(MarketplaceHub.marketplace_id).in_(ids))
        ):
            hubs[link.marketplace_id].append(MarketplaceHubView(hub.id, hub.name, link.external_id))
    listings = listings_on(session, ids)
    return [
        MarketplaceView(
            marketplace_id=marketplace.id,
            name=marketplace.name,
            description=marketplace.description,
            currency=marketplace.currency,
            countries=tuple(sorted(countries[marketplace.id], key=regions.country_name)),
            hubs=tuple(sorted(hubs[marketplace.id], key=lambda hub: (hub.hub_name.casefold(), hub.hub_id))),
            created_at=marketplace.created_at,
            listings=listings.get(marketplace.id, 0),
        )
        for marketplace in marketplaces
    ]


def marketplaces_of(session: Session, account_id: str) -> list[MarketplaceView]:
    """An account's marketplaces, by name (within the caller's transaction)."""
    statement = select(Marketplace).where(col(Marketplace.account_id) == account_id)
    return _views(session, list(session.exec(statement.order_by(col(Marketplace.name), col(Marketplace.id)))))


def _owned(uow: UnitOfWork, account_id: str, marketplace_id: object) -> Marketplace:
    found = (
        uow.get_for_update(Marketplace, marketplace_id.strip())
        if isinstance(marketplace_id, str) and is_storable(marketplace_id)
        else None
    )
    if found is None or found.account_id != account_id:
        raise NotFound(NOT_FOUND)
    return found


def list_marketplaces(uow: UnitOfWork, actor: SignedInUser) -> list[MarketplaceView]:
    """The actor's account's marketplaces, by name."""
    with uow.read():
        return marketplaces_of(uow.session, reseller_of(uow, actor))


def marketplace_detail(uow: UnitOfWork, actor: SignedInUser, marketplace_id: str) -> MarketplaceView:
    with uow.read():
        return _views(uow.session, [_owned(uow, reseller_of(uow, actor), marketplace_id)])[0]


def check_general(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    name: object,
    description: object = None,
    currency: object,
    countries: object,
    marketplace_id: str | None = None,
) -> None:
    """The wizard's *General* **Next**: the name (free within the account), description, currency, countries."""
    fields = _clean_general(name, description, currency, countries)
    with uow.read():
        account_id = reseller_of(uow, actor)
        if marketplace_id is not None:
            _owned(uow, account_id, marketplace_id)
        if _name_used(uow.session, account_id, fields.name, other_than=marketplace_id):
            raise _name_taken()


def check_hubs(uow: UnitOfWork, actor: SignedInUser, *, hubs: object) -> None:
    """The wizard's *Hubs* **Next**: at least one of the account's hubs, each with its external ID."""
    with uow.read():
        _clean_hubs(uow, reseller_of(uow, actor), hubs)


def create_marketplace(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    name: object,
    description: object = None,
    currency: object,
    countries: object,
    hubs: object,
    request_key: str | None = None,
) -> MarketplaceView:
    """**Create**: a new marketplace ``MP-…`` with its countries and hubs."""
    general = _clean_general(name, description, currency, countries)
    with uow.write(conflicts=CONFLICTS):
        account_id = reseller_of(uow, actor)
        check_not_done(uow.session, request_key)
        errors = FieldErrors()
        if _name_used(uow.session, account_id, general.name):
            errors.add("name", NAME_TAKEN)
        chosen = errors.check(_clean_hubs, uow, account_id, hubs)
        errors.raise_if_any()
        assert chosen is not None
        marketplace = Marketplace(
            id=_free_marketplace_id(uow.session),
            account_id=account_id,
            name=general.name,
            description=general.description,
            currency=general.currency,
        )
        uow.session.add(marketplace)
        uow.session.flush()
        _set_countries_and_hubs(uow.session, marketplace.id, general.countries, chosen)
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="marketplace.created",
            object_type="marketplace",
            object_id=marketplace.id,
            hubs=", ".join(sorted(chosen)),
        )
        record_done(
            uow.session, request_key, action="marketplace.create", actor=actor.user_id, object_id=marketplace.id
        )
        uow.session.flush()
        view = _views(uow.session, [marketplace])[0]
        uow.commit()
    return view


def _free_marketplace_id(session: Session) -> str:
    while True:  # 100,000 IDs: draw again until a free one (the primary key would refuse a clash anyway)
        candidate = new_marketplace_id()
        if session.get(Marketplace, candidate) is None:
            return candidate


def _set_countries_and_hubs(
    session: Session, marketplace_id: str, countries: Sequence[str], hubs: Mapping[str, str]
) -> None:
    for country in countries:
        session.add(MarketplaceCountry(marketplace_id=marketplace_id, country=country))
    for hub_id, external_id in hubs.items():
        session.add(MarketplaceHub(marketplace_id=marketplace_id, hub_id=hub_id, external_id=external_id))


def edit_marketplace(
    uow: UnitOfWork,
    actor: SignedInUser,
    marketplace_id: str,
    *,
    name: object,
    description: object = None,
    currency: object,
    countries: object,
    hubs: object,
) -> MarketplaceView:
    """Change a marketplace's name, description, countries and hubs; its currency too while it has no listings."""
    general = _clean_general(name, description, currency, countries)
    with uow.write(conflicts=CONFLICTS):
        account_id = reseller_of(uow, actor)
        marketplace = _owned(uow, account_id, marketplace_id)
        errors = FieldErrors()
        if _name_used(uow.session, account_id, general.name, other_than=marketplace.id):
            errors.add("name", NAME_TAKEN)
        if general.currency != marketplace.currency and listings_on(uow.session, [marketplace.id]):
            errors.add("currency", CURRENCY_LOCKED)
        chosen = errors.check(_clean_hubs, uow, account_id, hubs)
        errors.raise_if_any()
        assert chosen is not None
        before = _views(uow.session, [marketplace])[0]
        marketplace.name, marketplace.description, marketplace.currency = (
            general.name,
            general.description,
            general.currency,
        )
        marketplace.updated_at = utcnow()
        uow.session.add(marketplace)
        for country in uow.session.exec(
            select(MarketplaceCountry).where(col(MarketplaceCountry.marketplace_id) == marketplace.id)
        ):
            uow.session.delete(country)
        for link in uow.session.exec(
            select(MarketplaceHub).where(col(MarketplaceHub.marketplace_id) == marketplace.id)
        ):
            uow.session.delete(link)
        uow.session.flush()
        _set_countries_and_hubs(uow.session, marketplace.id, general.countries, chosen)
        uow.session.flush()
        after = _views(uow.session, [marketplace])[0]
        changed = [
            field
            for field in ("name", "description", "currency", "countries", "hubs")
            if getattr(before, field) != getattr(after, field)
        ]
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="marketplace.changed",
            object_type="marketplace",
            object_id=marketplace.id,
            fields=", ".join(changed) or "none",
        )
        uow.commit()
    return after


def marketplaces_of_reseller_as_operator(
    uow: UnitOfWork, reseller_name: str
) -> list[tuple[ResellerRef, list[MarketplaceView]]]:
    """For the command line: the marketplaces of every reseller account called ``reseller_name``."""
    with uow.read():
        return [
            (reseller, marketplaces_of(uow.session, reseller.account_id))
            for reseller in operator_resellers(uow.session, reseller_name)
        ]
