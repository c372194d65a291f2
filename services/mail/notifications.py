"""Notifications a user can switch off, one switch per topic and user (Account settings). A topic not switched
by the user is on or off by its default. Chapters 3 and 4 add their topics here (a syndication contract decided,
a fulfilment request decided or asking for an answer) and call :func:`recipients` where the event happens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from data.models import NotificationSetting, User, UserStatus


@dataclass(frozen=True)
class Topic:
    key: str
    label: str  # the switch's label in Account settings
    account_kind: str  # whose users it is for: "distributor" or "reseller"
    default: bool = True


TOPICS: dict[str, Topic] = {
    topic.key: topic
    for topic in [
        Topic("reseller_activated", "Email me when a reseller activates its portal", "distributor"),
    ]
}


def topics_for(account_kind: str) -> list[Topic]:
    return [topic for topic in TOPICS.values() if topic.account_kind == account_kind]


def switches(session: Session, user_id: str, account_kind: str) -> dict[str, bool]:
    """Each topic of the user's kind of account, on or off for this user."""
    chosen = dict(
        session.exec(
            select(NotificationSetting.topic, NotificationSetting.enabled).where(NotificationSetting.user_id == user_id)
        ).all()
    )
    return {topic.key: chosen.get(topic.key, topic.default) for topic in topics_for(account_kind)}


def switch(session: Session, user_id: str, topic: str, enabled: bool) -> None:
    """Within the caller's write transaction."""
    row = session.get(NotificationSetting, (user_id, topic))
    if row is None:
        row = NotificationSetting(user_id=user_id, topic=topic, enabled=enabled)
    row.enabled = enabled
    session.add(row)


def recipients(session: Session, account_id: str, topic: str) -> list[User]:
    """The active users of an account who want this topic."""
    default = TOPICS[topic].default
    users = session.exec(
        select(User).where(User.account_id == account_id, User.status == UserStatus.ACTIVE).order_by(col(User.email))
    ).all()
    chosen = dict(
        session.exec(
            select(NotificationSetting.user_id, NotificationSetting.enabled).where(
                NotificationSetting.topic == topic, col(NotificationSetting.user_id).in_([u.id for u in users])
            )
        ).all()
    )
    return [user for user in users if chosen.get(user.id, default)]


def tell_reseller_activated(
    session: Session, *, distributor_id: str, about_id: str, page: str, reseller: str, signee: str
) -> None:
    """Within the activation's transaction: an email to each of the distributor's users who want it."""
    from services.mail import messages, outbox

    for user in recipients(session, distributor_id, "reseller_activated"):
        outbox.enqueue(
            session,
            messages.reseller_activated(
                recipient=user.email,
                full_name=user.full_name,
                reseller=reseller,
                about_id=about_id,
                page=page,
                signee=signee,
            ),
        )
