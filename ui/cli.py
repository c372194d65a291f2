"""The command line: ``python main.py`` starts the server; ``python main.py invite ...`` issues a link."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from data import db
from data.settings import Settings
from services import demo
from services.agreements import ensure_distributor
from services.errors import DomainError, ValidationFailed
from services.invitations import create_invitation


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface; its names are part of the product."""
    parser = argparse.ArgumentParser(prog="python main.py", description="Reseller Portal")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="start the web server (the default)")
    invite = commands.add_parser("invite", help="create an invitation and print its activation URL")
    invite.add_argument("--distributor", required=True, metavar="NAME", help="the inviting distributor")
    invite.add_argument("--email", metavar="E", help="the invitee's email, pre-filled on the first step")
    invite.add_argument("--company", metavar="C", help="the reseller's company name, pre-filled")
    invite.add_argument("--note", metavar="TEXT", help="a note to the signee, shown on the first step")
    invite.add_argument(
        "--expires-days",
        type=int,
        default=None,
        metavar="N",
        help="days until the link expires (default: PORTAL_INVITATION_DAYS or 14; at most 90)",
    )
    return parser


def invite(settings: Settings, args: argparse.Namespace) -> int:
    """``invite``: create an invitation; the activation URL is the last line of standard output."""
    db.configure(settings.database_url)
    try:
        with db.new_session() as session:
            setup = ensure_distributor(session, args.distributor, actor="command line")
        if setup.created:
            print(
                f"Created distributor {setup.distributor.name} ({setup.distributor.id}) "
                "with the stock service agreement."
            )
        with db.new_session() as session:
            issued = create_invitation(
                session,
                setup.distributor.id,
                invitee_email=args.email,
                company_name=args.company,
                note_to_signee=args.note,
                expires_in_days=settings.invitation_days if args.expires_days is None else args.expires_days,
                actor="command line",
            )
    except ValidationFailed as failure:
        for field, message in failure.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    invitation = issued.invitation
    print(
        f"Invitation {invitation.id} for {invitation.company_name or 'a new reseller'} "
        f"expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
    )
    print(settings.activation_url(issued.token))
    return 0


def serve(settings: Settings) -> int:
    """Start the server; seed the demo on an empty database and print its activation link."""
    from ui.app import run_server

    db.configure(settings.database_url)
    with db.new_session() as session:
        seed = demo.seed_demo(session)
    print(f"Reseller Portal on {settings.base_url} (database: {settings.database_url})", flush=True)
    if seed.token:
        print(f"Demo: {demo.DEMO_DISTRIBUTOR} invited {demo.DEMO_RESELLER}. Open the activation link:", flush=True)
        print(settings.activation_url(seed.token), flush=True)
    elif not seed.seeded and not os.environ.get("NICEGUI_USER_SIMULATION"):
        print(
            "Existing data kept. For a new activation link run:\n"
            f'  python main.py invite --distributor "{demo.DEMO_DISTRIBUTOR}" --company "{demo.DEMO_RESELLER}"',
            flush=True,
        )
    run_server(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command. Under NiceGUI's test simulation (which runs main.py
    inside pytest) the command line belongs to pytest, so it is ignored and the server is set up."""
    if argv is None:
        argv = [] if os.environ.get("NICEGUI_USER_SIMULATION") else sys.argv[1:]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "invite":
        return invite(settings, args)
    return serve(settings)
