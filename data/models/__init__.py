"""The portal's tables, one module per concept (see docs/DOMAIN.md)."""

from data.models.account import Account, AccountKind, SetPasswordLink, User, UserStatus
from data.models.agreement import Agreement, AgreementVersion
from data.models.audit import AuditEvent
from data.models.catalog import BillingPeriod, Item, ItemPrice, Product, ProductStatus
from data.models.contract import Contract, ContractStatus, ContractTermination
from data.models.customer import Customer, CustomerStatus
from data.models.invitation import ActivationDraft, Invitation, InvitationStatus
from data.models.marketplace import Hub, HubType, Marketplace, MarketplaceCountry, MarketplaceHub
from data.models.outbox import AccountLink, NotificationSetting, OutboxEmail
from data.models.request import CompletedRequest
from data.models.subscription import (
    FulfilmentRequest,
    RequestItem,
    RequestStatus,
    RequestType,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from data.models.syndication import Listing, ListingStatus, SyndicationContract, SyndicationContractStatus
from data.models.throttle import FailedAttempt

__all__ = [
    "Account",
    "AccountKind",
    "AccountLink",
    "ActivationDraft",
    "Agreement",
    "AgreementVersion",
    "AuditEvent",
    "BillingPeriod",
    "CompletedRequest",
    "Contract",
    "ContractStatus",
    "ContractTermination",
    "Customer",
    "CustomerStatus",
    "FailedAttempt",
    "FulfilmentRequest",
    "Hub",
    "HubType",
    "Invitation",
    "InvitationStatus",
    "Item",
    "ItemPrice",
    "Listing",
    "ListingStatus",
    "Marketplace",
    "MarketplaceCountry",
    "MarketplaceHub",
    "NotificationSetting",
    "OutboxEmail",
    "Product",
    "ProductStatus",
    "RequestItem",
    "RequestStatus",
    "RequestType",
    "SetPasswordLink",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionStatus",
    "SyndicationContract",
    "SyndicationContractStatus",
    "User",
    "UserStatus",
]
