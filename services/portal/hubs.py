"""Chapter 2: a reseller's hubs, the commerce systems it sells from (its web shop, a billing platform, a test
system). A hub has no status; it shows how many marketplaces use it, and one in use cannot be deleted.

Every action is the signed-in reseller's own (``services.portal.access.reseller_of``: an active service contract),
reaches only its own account's hubs (another account's hub is "not found") and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from data.models import Account, AccountKind, Hub, HubType, Marketplace, MarketplaceHub
from data.models.marketplace import DESCRIPTION_MAX, HUB_NAME_MAX, INSTANCE_ID_MAX, new_hub_id
from data.models.types import utcnow
from services import audit
from services.actors import SignedInUser
from services.errors import FieldErrors, InvalidState, NotFound, ValidationFailed
from services.portal.access import reseller_of
from services.requests import check_not_done, record_done
from services.rules import clean_optional_text, is_storable, refuse_hidden_characters, require_storable, text_value
from services.unit_of_work import UnitOfWork

HUB_TYPES = {HubType.API.value: "API", HubType.COMMERCE_PLATFORM.value: "Commerce platform"}
INSTANCE_ID_TAKEN = "Another of your hubs has this instance ID. Each hub needs its own."
NOT_FOUND = "No such hub among yours."


@dataclass(frozen=True)
class HubView:
    """A hub as its reseller sees it, with the names of the marketplaces that use it."""

    hub_id: str
    name: str
    type: str
    instance_id: str
    description: str | None
    marketplaces: tuple[str, ...]
    created_at: datetime

    @property
    def type_label(self) -> str:
        return HUB_TYPES[self.type]

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        """What its page may offer: a hub in use cannot be deleted (the page says why instead)."""
        return ("edit",) if self.marketplaces else ("edit", "delete")


def _instance_id_taken() -> ValidationFailed:
    return ValidationFailed({"instance_id": INSTANCE_ID_TAKEN})


# The database's own rule (a racing registration): PostgreSQL names the constraint, SQLite its columns.
CONFLICTS = {"ux_hub_instance_id": _instance_id_taken(), "hub.instance_id": _instance_id_taken()}


def _required_line(raw: object, field: str, limit: int, missing: str) -> str:
    """One line of required text: trimmed, storable, no control or invisible characters, at most ``limit``."""
    value = require_storable(text_value(raw, field).strip(), field)
    if not value:
        raise ValidationFailed({field: missing})
    if len(value) > limit:
        raise ValidationFailed({field: f"At most {limit} characters (this has {len(value)})."})
    return refuse_hidden_characters(value, field)


@dataclass(frozen=True)
class HubFields:
    name: str
    type: HubType
    instance_id: str
    description: str | None


def clean_hub(name: object, type: object, instance_id: object, description: object) -> HubFields:
    """A hub's fields, checked together (every field's problem at once)."""
    errors = FieldErrors()
    clean_name = errors.check(_required_line, name, "name", HUB_NAME_MAX, "Enter the hub's name.")
    clean_type = None
    if type not in HUB_TYPES:
        errors.add("type", "Choose the hub's type: API or Commerce platform.")
    else:
        clean_type = HubType(type)
    clean_instance = errors.check(
        _required_line, instance_id, "instance_id", INSTANCE_ID_MAX, "Enter the hub's instance ID."
    )
    clean_description = errors.check(_optional_text, description, "description", DESCRIPTION_MAX)
    errors.raise_if_any()
    assert clean_name is not None and clean_type is not None and clean_instance is not None
    return HubFields(clean_name, clean_type, clean_instance, clean_description)


def _optional_text(raw: object, field: str, limit: int) -> str | None:
    """Optional plain text of several lines (a description)."""
    return clean_optional_text(raw, field, limit, multiline=True)


def _views(session: Session, hubs: list[Hub]) -> list[HubView]:
    used: dict[str, list[str]] = {hub.id: [] for hub in hubs}
    if hubs:
        rows = session.exec(
            select(MarketplaceHub.hub_id, Marketplace.name)
            .join(Marketplace, col(Marketplace.id) == col(MarketplaceHub.marketplace_id))
            .where(col(MarketplaceHub.hub_id).in_(list(used)))
        ).all()
        for hub_id, marketplace_name in rows:
            used[hub_id].append(marketplace_name)
    return [
        HubView(
            hub_id=hub.id,
            name=hub.name,
            type=hub.type.value,
            instance_id=hub.instance_id,
            description=hub.description,
            marketplaces=tuple(sorted(used[hub.id], key=str.casefold)),
            created_at=hub.created_at,
        )
        for hub in hubs
    ]


def hubs_of(session: Session, account_id: str) -> list[HubView]:
    """An account's hubs, by name (within the caller's transaction)."""
    hubs = session.exec(select(Hub).where(col(Hub.account_id) == account_id).order_by(col(Hub.name), col(Hub.id)))
    return _views(session, list(hubs))


def owned_hub(uow: UnitOfWork, account_id: str, hub_id: object) -> Hub:
    """The account's hub ``hub_id`` (locked in a write block), else :class:`NotFound`: another account's hub is
    answered as one that does not exist."""
    hub = uow.get_for_update(Hub, hub_id.strip()) if isinstance(hub_id, str) and is_storable(hub_id) else None
    if hub is None or hub.account_id != account_id:
        raise NotFound(NOT_FOUND)
    return hub


def _instance_id_used(session: Session, account_id: str, instance_id: str, other_than: str | None = None) -> bool:
    statement = select(Hub.id).where(col(Hub.account_id) == account_id, col(Hub.instance_id) == instance_id)
    if other_than is not None:
        statement = statement.where(col(Hub.id) != other_than)
    return session.exec(statement).first() is not None


def list_hubs(uow: UnitOfWork, actor: SignedInUser) -> list[HubView]:
    """The actor's account's hubs, by name, each with the marketplaces that use it."""
    with uow.read():
        return hubs_of(uow.session, reseller_of(uow, actor))


def hub_detail(uow: UnitOfWork, actor: SignedInUser, hub_id: str) -> HubView:
    with uow.read():
        hub = owned_hub(uow, reseller_of(uow, actor), hub_id)
        return _views(uow.session, [hub])[0]


def register_hub(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    name: object,
    type: object,
    instance_id: object,
    description: object = None,
    request_key: str | None = None,
) -> HubView:
    """**Register hub**: a new hub ``HB-…`` whose instance ID no other hub of the account has."""
    fields = clean_hub(name, type, instance_id, description)
    with uow.write(conflicts=CONFLICTS):
        account_id = reseller_of(uow, actor)
        check_not_done(uow.session, request_key)
        if _instance_id_used(uow.session, account_id, fields.instance_id):
            raise _instance_id_taken()
        hub = Hub(
            id=_free_hub_id(uow.session),
            account_id=account_id,
            name=fields.name,
            type=fields.type,
            instance_id=fields.instance_id,
            description=fields.description,
        )
        uow.session.add(hub)
        audit.record(uow.session, actor=actor.user_id, action="hub.registered", object_type="hub", object_id=hub.id)
        record_done(uow.session, request_key, action="hub.register", actor=actor.user_id, object_id=hub.id)
        uow.session.flush()
        view = _views(uow.session, [hub])[0]
        uow.commit()
    return view


def _free_hub_id(session: Session) -> str:
    while True:  # 10^8 IDs: a clash is rare, and only ever costs another draw
        candidate = new_hub_id()
        if session.get(Hub, candidate) is None:
            return candidate


def edit_hub(
    uow: UnitOfWork,
    actor: SignedInUser,
    hub_id: str,
    *,
    name: object,
    type: object,
    instance_id: object,
    description: object = None,
) -> HubView:
    """Change a hub's name, type, instance ID (still unique within the account) or description."""
    fields = clean_hub(name, type, instance_id, description)
    with uow.write(conflicts=CONFLICTS):
        account_id = reseller_of(uow, actor)
        hub = owned_hub(uow, account_id, hub_id)
        if _instance_id_used(uow.session, account_id, fields.instance_id, other_than=hub.id):
            raise _instance_id_taken()
        changed = [
            field
            for field in ("name", "type", "instance_id", "description")
            if getattr(hub, field) != getattr(fields, field)
        ]
        hub.name, hub.type, hub.instance_id, hub.description = (
            fields.name,
            fields.type,
            fields.instance_id,
            fields.description,
        )
        hub.updated_at = utcnow()
        uow.session.add(hub)
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="hub.changed",
            object_type="hub",
            object_id=hub.id,
            fields=", ".join(changed) or "none",
        )
        uow.session.flush()
        view = _views(uow.session, [hub])[0]
        uow.commit()
    return view


def delete_hub(uow: UnitOfWork, actor: SignedInUser, hub_id: str) -> None:
    """**Delete** a hub no marketplace uses; one in use is refused with the marketplaces named."""
    with uow.write():
        hub = owned_hub(uow, reseller_of(uow, actor), hub_id)
        # A marketplace taking this hub meanwhile locks it too (services.portal.marketplaces): one waits for the other.
        users = uow.session.exec(
            select(Marketplace.name)
            .join(MarketplaceHub, col(MarketplaceHub.marketplace_id) == col(Marketplace.id))
            .where(col(MarketplaceHub.hub_id) == hub.id)
        ).all()
        if users:
            names = ", ".join(sorted(users, key=str.casefold))
            raise InvalidState(
                f"{hub.name} cannot be deleted: it is used by {names}. Remove it from "
                f"{'that marketplace' if len(users) == 1 else 'those marketplaces'} first."
            )
        uow.session.delete(hub)
        audit.record(
            uow.session, actor=actor.user_id, action="hub.deleted", object_type="hub", object_id=hub.id, name=hub.name
        )
        uow.commit()


def resellers_named(session: Session, name: str) -> list[Account]:
    """Reseller accounts called exactly ``name`` (names are not unique: each is listed with its ID)."""
    statement = select(Account).where(col(Account.kind) == AccountKind.RESELLER, col(Account.name) == name.strip())
    return list(session.exec(statement.order_by(col(Account.created_at))))


@dataclass(frozen=True)
class ResellerRef:
    """A reseller account, as the command line names it."""

    account_id: str
    name: str


def operator_resellers(session: Session, reseller_name: str) -> list[ResellerRef]:
    """For the command line: the reseller accounts called ``reseller_name``, or :class:`NotFound`."""
    accounts = resellers_named(session, reseller_name) if is_storable(reseller_name) else []
    if not accounts:
        raise NotFound(f"No reseller is called {reseller_name.strip()!r}.")
    return [ResellerRef(account.id, account.name) for account in accounts]


def hubs_of_reseller_as_operator(uow: UnitOfWork, reseller_name: str) -> list[tuple[ResellerRef, list[HubView]]]:
    """For the command line: the hubs of every reseller account called ``reseller_name``."""
    with uow.read():
        return [
            (reseller, hubs_of(uow.session, reseller.account_id))
            for reseller in operator_resellers(uow.session, reseller_name)
        ]
