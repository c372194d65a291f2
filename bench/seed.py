"""Bulk data for the benchmarks: many invitations, inserted directly (issuing 100,000 through the service
one by one would take minutes)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import text

from data.ids import readable_id
from portal_testing.factories import Portal
from services.distributor.agreements import active_version_for

STATUSES = ["PENDING", "IN_PROGRESS", "ACTIVATED", "REVOKED", "PENDING"]


def bulk_invitations(portal: Portal, distributor_id: str, count: int) -> None:
    """``count`` invitations (with their pending contracts) for one distributor, spread over a year."""
    with portal.session() as session:
        version_id = active_version_for(session, distributor_id).id
    now = datetime.now(UTC).replace(tzinfo=None)
    contracts, invitations = [], []
    for n in range(count):
        created = now - timedelta(minutes=5 * (count - n))
        contract_id = readable_id("CRD", 4)
        contracts.append({"id": contract_id, "d": distributor_id, "v": version_id, "c": created})
        invitations.append(
            {
                "id": readable_id("IN", 4),
                "d": distributor_id,
                "contract": contract_id,
                "v": version_id,
                "h": secrets.token_hex(32),
                "email": f"reseller{n}@bench.example",
                "company": f"Reseller {n} Inc",
                "s": STATUSES[n % len(STATUSES)],
                "c": created,
                "e": created + timedelta(days=14),
            }
        )
    with portal.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contract (id, distributor_id, agreement_version_id, status, created_at) "
                "VALUES (:id, :d, :v, 'PENDING', :c)"
            ),
            contracts,
        )
        connection.execute(
            text(
                "INSERT INTO invitation (id, distributor_id, contract_id, agreement_version_id, token_hash, "
                "invitee_email, company_name, status, created_at, expires_at) "
                "VALUES (:id, :d, :contract, :v, :h, :email, :company, :s, :c, :e)"
            ),
            invitations,
        )
        if portal.is_postgresql:  # a database that grew to this size has its statistics (autovacuum's ANALYZE)
            connection.exec_driver_sql("ANALYZE")
