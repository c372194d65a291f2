"""The reseller portal's shell: its navigation (Overview, Marketplace, Catalog, Customers, Subscriptions; behind a
**Menu** button on phones) and who may enter: a signed-in reseller user whose account has an active service
contract. A terminated reseller is sent to its contract page, the one page left to it; anyone else as
``ui.auth.require`` sends them (to sign-in and back, or to their own home)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi.responses import RedirectResponse

from services.actors import SignedInUser
from services.portal.access import portal_open
from ui.auth import act, require
from ui.theme import page_frame

OVERVIEW_PATH = "/portal"
CONTRACT_PATH = "/portal/contract"
MARKETPLACE_PATH = "/marketplace"
CATALOG_PATH = "/catalog"
CUSTOMERS_PATH = "/customers"
SUBSCRIPTIONS_PATH = "/subscriptions"
PORTAL_NAV = (
    ("Overview", OVERVIEW_PATH),
    ("Marketplace", MARKETPLACE_PATH),
    ("Catalog", CATALOG_PATH),
    ("Customers", CUSTOMERS_PATH),
    ("Subscriptions", SUBSCRIPTIONS_PATH),
)
# Where sign-in may come back to (ui.auth.NEXT_PATHS holds these too).
PORTAL_PATHS = (OVERVIEW_PATH, MARKETPLACE_PATH, CATALOG_PATH, CUSTOMERS_PATH, SUBSCRIPTIONS_PATH)


def portal_frame(title: str, current: str | None) -> AbstractContextManager[None]:
    """The frame of the reseller's portal pages: wide, with the portal's navigation and sign-out."""
    return page_frame(title, signed_in=True, wide=True, nav=PORTAL_NAV, current=current, collapse_nav=True)


async def portal_user(path: str) -> SignedInUser | RedirectResponse:
    """The signed-in reseller user, if its account has an active service contract; otherwise a redirect: to the
    contract page (terminated), to sign-in and back (signed out), or to the user's own home (a distributor)."""
    user = await require("reseller", path)
    if isinstance(user, RedirectResponse):
        return user
    if not await act(portal_open):
        return RedirectResponse(CONTRACT_PATH)
    return user
