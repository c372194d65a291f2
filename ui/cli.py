"""The command line. ``python main.py`` starts the server; the other commands act on the database directly,
whether or not the server is running. Their names are part of the product.

Only ``init`` creates a database, and ``python main.py`` with ``PORTAL_DEMO=1`` (scripts/run.sh), which also seeds
the demo; everything else refuses to run without the database it expects, rather than starting an empty one."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from services import database, demo, throttle
from services.accounts import create_distributor_user
from services.actors import OPERATOR_NAME, Operator
from services.distributor.agreements import KIND_LABELS, get_distributor, publish_version_as_operator
from services.distributor.catalog_csv import export_catalog_as_operator, import_catalog_as_operator
from services.distributor.invitations import (
    InvitationRow,
    invite,
    list_invitations,
    reissue_invitation,
    revoke_invitation,
)
from services.errors import CatalogImportRefused, DomainError, ValidationFailed
from services.portal import hubs, marketplaces
from services.portal.hubs import ResellerRef
from services.settings import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, Settings
from services.unit_of_work import UnitOfWork
from ui import logs, mail_cli


class CommandError(Exception):
    """A problem to report on standard error, with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="python main.py", description="Reseller Portal")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="start the web server (the default)")
    commands.add_parser("init", help="create a new, empty portal database where the settings say")

    invite = commands.add_parser("invite", help="create an invitation and print its activation URL")
    invite.add_argument("--distributor", required=True, metavar="NAME", help="the inviting distributor, named exactly")
    invite.add_argument("--email", metavar="E", help="the invitee's email, pre-filled on the first step")
    invite.add_argument("--company", metavar="C", help="the reseller's company name, pre-filled")
    invite.add_argument("--note", metavar="TEXT", help="a note to the signee, shown on the first step")
    invite.add_argument(
        "--expires-days",
        type=int,
        default=None,
        metavar="N",
        help=f"days until the link expires (default: PORTAL_INVITATION_DAYS or {DEFAULT_INVITATION_DAYS}; "
        f"at most {MAX_INVITATION_DAYS})",
    )

    distributor = commands.add_parser("distributor", help="manage distributors")
    distributor_commands = distributor.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = distributor_commands.add_parser("create", help="create a distributor and its first user")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--admin-email", required=True, metavar="E")
    create.add_argument("--admin-name", metavar="FULL_NAME", help="the user's full name")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    invitations = commands.add_parser("invitations", help="list, revoke or reissue invitations")
    invitation_commands = invitations.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = invitation_commands.add_parser("list", help="list invitations, newest first")
    listing.add_argument("--distributor", metavar="NAME")
    listing.add_argument("--status", choices=["pending", "in_progress", "activated", "expired", "revoked"])
    listing.add_argument("--search", metavar="TEXT")
    listing.add_argument("--json", action="store_true", help="JSON for scripts")
    for action, text in (
        ("revoke", "revoke a pending or in-progress invitation"),
        ("reissue", "a new link for an expired or revoked invitation"),
    ):
        sub = invitation_commands.add_parser(action, help=text)
        sub.add_argument("invitation_id", metavar="ID")
        sub.add_argument("--json", action="store_true", help="JSON for scripts")

    agreements = commands.add_parser("agreements", help="publish agreement versions")
    agreement_commands = agreements.add_subparsers(dest="action", metavar="ACTION", required=True)
    publish = agreement_commands.add_parser("publish", help="publish a new version of a distributor's agreement")
    publish.add_argument("--distributor", required=True, metavar="NAME")
    publish.add_argument("--file", required=True, type=Path, metavar="F.md", help="the Markdown text")
    publish.add_argument("--json", action="store_true", help="JSON for scripts")
    for kind in ("hubs", "marketplaces"):
        chapter_two = commands.add_parser(kind, help=f"a reseller's {kind}")
        chapter_two_commands = chapter_two.add_subparsers(dest="action", metavar="ACTION", required=True)
        listed = chapter_two_commands.add_parser("list", help=f"list a reseller's {kind}, by name")
        listed.add_argument("--reseller", required=True, metavar="NAME", help="the reseller's legal name, exactly")
        listed.add_argument("--json", action="store_true", help="JSON for scripts")
    demo_command = commands.add_parser("demo", help="seed demo data (on an empty database: the demo itself)")
    demo_command.add_argument(
        "--full",
        action="store_true",
        help="also a reseller that has finished chapters 1-2 (activated, a hub and a marketplace), to sign in as",
    )
    publish.add_argument(
        "--type",
        choices=sorted(KIND_LABELS),
        default="service",
        help="the service agreement (default) or the syndication agreement (created if there is none)",
    )
    catalog = commands.add_parser("catalog", help="import or export a distributor's catalog as CSV")
    catalog_commands = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    catalog_import = catalog_commands.add_parser(
        "import", help="import products, items and prices from a CSV file (all rows, or none and every bad one)"
    )
    catalog_import.add_argument("file", type=Path, help="the CSV file (UTF-8; the columns of catalog export)")
    catalog_import.add_argument("--distributor", required=True, help="the distributor's exact name")
    catalog_import.add_argument("--json", action="store_true", help="print the result as JSON")
    catalog_export = catalog_commands.add_parser("export", help="write a distributor's catalog as CSV")
    catalog_export.add_argument("--distributor", required=True, help="the distributor's exact name")
    catalog_export.add_argument("--output", type=Path, help="the file to write (default: standard output)")
    schema = commands.add_parser("db", help="the database schema: upgrade it, or show its revision")
    schema_commands = schema.add_subparsers(dest="action", metavar="ACTION", required=True)
    schema_commands.add_parser("upgrade", help="bring the schema to this version's (run once per release)")
    schema_commands.add_parser("current", help="show the schema revision and whether it is this version's")
    revision = schema_commands.add_parser(
        "revision", help="(developers) draft a new revision from the models' changes, on a database at the head"
    )
    revision.add_argument("message", help="what the revision changes, e.g. 'hubs and marketplaces'")
    backup = commands.add_parser(
        "backup", help="take a consistent copy of the SQLite database (safe while serving; PostgreSQL: pg_dump)"
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the new file to write")
    mail_cli.add_commands(commands)
    return parser


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def print_json(value: object) -> None:
    print(json.dumps(value, default=_json_default, indent=2, sort_keys=True))


def terminal_safe(value: object) -> str:
    """``value`` as text a terminal shows and never obeys: control, bidi and other invisible formatting characters
    (ESC sequences, CR, U+202E, ...) are written as escapes. Names stored before the input rules refused them
    are still printed this way."""
    return "".join(_escaped(ch) if unicodedata.category(ch) in HIDDEN_CATEGORIES else ch for ch in str(value))


HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


def _escaped(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain, aligned text table, every cell made :func:`terminal_safe`."""
    cells = [
        [terminal_safe(header) for header in headers],
        *[["" if c is None else terminal_safe(c) for c in row] for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def operator_for(name: str | None) -> Operator:
    """The operator acting for the distributor named exactly ``name`` (over every distributor without a name);
    a misspelt name is refused with the names it resembles."""
    return Operator(get_distributor(UnitOfWork(), name).id if name is not None else None)


def invitation_create(settings: Settings, args: argparse.Namespace) -> None:
    """``invite``: create an invitation; the activation URL is the last line of standard output. The distributor
    must exist (``distributor create`` makes one)."""
    issued = invite(
        UnitOfWork(),
        operator_for(args.distributor),
        invitee_email=args.email,
        company_name=args.company,
        note_to_signee=args.note,
        expires_in_days=settings.invitation_days if args.expires_days is None else args.expires_days,
    )
    invitation = issued.invitation
    print(
        f"Invitation {invitation.id} for {terminal_safe(invitation.company_name or 'a new reseller')} "
        f"expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
    )
    print(settings.activation_url(issued.token))


def read_password(from_stdin: bool) -> str:
    """The new user's password: piped on standard input, or typed at a prompt without echo (also with
    ``--password-stdin`` when standard input is a terminal: what is typed there is never echoed)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password for the new user (at least 15 characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the two passwords differ")
    return first


def distributor_create(settings: Settings, args: argparse.Namespace) -> None:
    """``distributor create NAME --admin-email E``."""
    password = read_password(args.password_stdin)
    admin = create_distributor_user(
        UnitOfWork(),
        args.name,
        email=args.admin_email,
        password=password,
        full_name=args.admin_name,
        actor=OPERATOR_NAME,
    )
    what = "Created distributor" if admin.distributor_created else "Added a user to distributor"
    print(
        f"{what} {terminal_safe(admin.distributor_name)} ({admin.distributor_id}); "
        f"user {terminal_safe(admin.email)} ({admin.user_id})."
    )
    print(f"Sign in at {settings.base_url}/login")


def _invitation_record(row: InvitationRow) -> dict[str, object]:
    record = asdict(row)
    record["status"] = row.status.value
    return record


def invitations_list(settings: Settings, args: argparse.Namespace) -> None:
    """``invitations list``: a table, or JSON with ``--json``."""
    page = list_invitations(
        UnitOfWork(), operator_for(args.distributor or None), status=args.status, search=args.search, page_size=100_000
    )
    if args.json:
        print_json([_invitation_record(row) for row in page.rows])
        return
    print_table(
        ["ID", "STATUS", "DISTRIBUTOR", "INVITEE", "COMPANY", "CREATED", "EXPIRES", "ACCOUNT"],
        [
            [
                row.invitation_id,
                row.status.value,
                row.distributor_name,
                row.invitee_email,
                row.company_name,
                f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.expires_at:%Y-%m-%d %H:%M}",
                row.reseller_account_id,
            ]
            for row in page.rows
        ],
    )
    print(f"{page.total} invitation(s)")


def invitations_revoke(settings: Settings, args: argparse.Namespace) -> None:
    """``invitations revoke ID``."""
    invitation = revoke_invitation(UnitOfWork(), Operator(), args.invitation_id)
    if args.json:
        print_json({"id": invitation.id, "status": invitation.status.value})
    else:
        print(f"Revoked invitation {invitation.id}; its link now shows the revoked page.")


def invitations_reissue(settings: Settings, args: argparse.Namespace) -> None:
    """``invitations reissue ID``: the new URL is the last line of standard output."""
    issued = reissue_invitation(UnitOfWork(), Operator(), args.invitation_id)
    url = settings.activation_url(issued.token)
    if args.json:
        print_json(
            {
                "id": issued.invitation.id,
                "reissued_from": args.invitation_id.strip(),
                "url": url,
                "expires_at": issued.invitation.expires_at,
            }
        )
    else:
        print(
            f"Invitation {issued.invitation.id} replaces {args.invitation_id.strip()}; "
            f"it expires {issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        print(url)


def agreements_publish(settings: Settings, args: argparse.Namespace) -> None:
    """``agreements publish --distributor NAME --file F.md``."""
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {args.file}: {error}") from None
    version = publish_version_as_operator(UnitOfWork(), args.distributor, text, kind=args.type)
    if args.json:
        print_json(
            {
                "agreement_id": version.agreement_id,
                "version": version.version,
                "version_id": version.id,
                "text_sha256": version.text_sha256,
            }
        )
    else:
        print(
            f"Published version {version.version} of agreement {version.agreement_id}; "
            f"{'new enrolments' if args.type == 'syndication' else 'new invitations'} use it from now on."
        )


def catalog_import(settings: Settings, args: argparse.Namespace) -> None:
    """``catalog import FILE --distributor NAME``: every row, or nothing and each bad row with its line."""
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error}") from None
    try:
        result = import_catalog_as_operator(UnitOfWork(), args.distributor, content)
    except CatalogImportRefused as refused:
        for line, problem in refused.problems:
            where = f"line {line}: " if line else ""
            print(f"{terminal_safe(args.file)}: {where}{terminal_safe(problem)}", file=sys.stderr)
        if refused.total > len(refused.problems):
            print(f"… and {refused.total - len(refused.problems)} more problems.", file=sys.stderr)
        raise CommandError(refused.message) from None
    if args.json:
        print_json(asdict(result))
    else:
        print(
            f"Imported {result.rows} rows: {result.products_created} products created, {result.products_changed} "
            f"changed; {result.items_added} items added, {result.items_changed} changed; {result.prices_set} prices "
            "set."
        )


def catalog_export(settings: Settings, args: argparse.Namespace) -> None:
    """``catalog export --distributor NAME [--output FILE]``: UTF-8 with BOM, formulas neutralised."""
    content = export_catalog_as_operator(UnitOfWork(), args.distributor)
    if args.output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        with args.output.open("xb") as target:  # never over an existing file
            target.write(content)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error}") from None
    print(f"Wrote the catalog of {args.distributor} to {args.output}", file=sys.stderr)


def backup(settings: Settings, args: argparse.Namespace) -> None:
    """``backup PATH``: SQLite's online backup API, so the copy is consistent while the server writes. On
    PostgreSQL it refuses and points to pg_dump."""
    source = database.backup(args.path)
    print(f"Backed up {source} to {args.path.resolve()}")


def init(settings: Settings) -> None:
    """``init``: a new, empty portal database where the settings say; never over an existing one."""
    print(database.create(settings.database_url))
    print('Next: python main.py distributor create "NAME" --admin-email EMAIL, then python main.py to serve.')


def _account_record(reseller: ResellerRef) -> dict[str, str]:
    return {"id": reseller.account_id, "name": reseller.name}


def hubs_list(settings: Settings, args: argparse.Namespace) -> None:
    """``hubs list --reseller NAME``: every reseller called NAME (names are not unique) with its hubs."""
    found = hubs.hubs_of_reseller_as_operator(UnitOfWork(), args.reseller)
    if args.json:
        print_json(
            [
                {
                    "reseller": _account_record(account),
                    "hubs": [{**asdict(hub), "type_label": hub.type_label} for hub in listed],
                }
                for account, listed in found
            ]
        )
        return
    for account, listed in found:
        print(f"{terminal_safe(account.name)} ({account.account_id})")
        print_table(
            ["ID", "NAME", "TYPE", "INSTANCE ID", "MARKETPLACES"],
            [[hub.hub_id, hub.name, hub.type_label, hub.instance_id, len(hub.marketplaces)] for hub in listed],
        )
        print(f"{len(listed)} hub(s)")


def marketplaces_list(settings: Settings, args: argparse.Namespace) -> None:
    """``marketplaces list --reseller NAME``."""
    found = marketplaces.marketplaces_of_reseller_as_operator(UnitOfWork(), args.reseller)
    if args.json:
        print_json(
            [
                {"reseller": _account_record(account), "marketplaces": [asdict(m) for m in listed]}
                for account, listed in found
            ]
        )
        return
    for account, listed in found:
        print(f"{terminal_safe(account.name)} ({account.account_id})")
        print_table(
            ["ID", "NAME", "CURRENCY", "COUNTRIES", "HUBS"],
            [
                [
                    m.marketplace_id,
                    m.name,
                    m.currency,
                    " ".join(m.countries),
                    ", ".join(f"{hub.hub_id} ({hub.external_id})" for hub in m.hubs),
                ]
                for m in listed
            ],
        )
        print(f"{len(listed)} marketplace(s)")


def demo_seed(settings: Settings, args: argparse.Namespace) -> None:
    """``demo [--full]``: the demo on an empty database, and with ``--full`` a reseller that has finished
    chapters 1-2, with how to sign in as it (its password is shown only this once)."""
    if not args.full:
        seed = demo.seed_demo(UnitOfWork())
        _print_seed(settings, seed)
        if not seed.seeded:
            print("The database has data already; nothing was seeded. For a chapter 2 reseller: demo --full")
        return
    full = demo.seed_full_reseller(UnitOfWork())
    _print_seed(settings, full.seed)
    print(
        f"Demo reseller {full.company_name} has activated its portal and has hub {full.hub_id} and marketplace "
        f"{full.marketplace_id}. Sign in at {settings.base_url}/login as {full.email} with password "
        f"{full.password} (shown only this once)."
    )


def _print_seed(settings: Settings, seed: demo.DemoSeed) -> None:
    if seed.seeded:
        print(
            f"Demo distributor {demo.DEMO_DISTRIBUTOR}: sign in at {settings.base_url}/login as "
            f"{seed.distributor_email} with password {seed.distributor_password} (shown only this once)."
        )
        print(f"Demo: {demo.DEMO_DISTRIBUTOR} invited {demo.DEMO_RESELLER}. Open the activation link:")
        print(settings.activation_url(seed.token or ""))


def db_upgrade(settings: Settings, args: argparse.Namespace) -> None:
    """``db upgrade``: the one way to change a PostgreSQL database's schema, and to create it in a new, empty
    database (SQLite also upgrades at start). A SQLite file that does not exist is not created: ``init`` does."""
    upgraded = database.upgrade(settings.database_url)
    if upgraded.found == upgraded.wanted:
        print(f"The database is at the newest schema already ({upgraded.wanted}).")
    else:
        print(f"Upgraded the database schema from {upgraded.found or 'nothing'} to {upgraded.wanted}.")


def db_current(settings: Settings, args: argparse.Namespace) -> None:
    """``db current``: the database's schema revision, and whether this version can run on it."""
    schema = database.revision(settings.database_url)
    if schema.current:
        print(f"{schema.found} (newest; this version runs on it)")
    else:
        print(f"{schema.found or 'no schema'} (this version needs {schema.wanted}: run python main.py db upgrade)")


def db_revision(settings: Settings, args: argparse.Namespace) -> None:
    """``db revision MESSAGE``: Alembic's draft of a new revision (data/migrations/versions), compared against the
    configured database, which must be at the newest revision. Review the draft before committing it."""
    script = database.draft_revision(settings.database_url, args.message)
    print(f"Drafted {script}; review it (the search index and triggers are written by hand), then commit it.")


def serve(settings: Settings) -> None:
    """Start the server; with ``PORTAL_DEMO=1``, seed the demo on an empty database and print its links once."""
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(settings.session_storage_dir))  # before NiceGUI is imported
    from ui.app import run_server

    seed = demo.DemoSeed(seeded=False)
    if settings.demo_may_create:
        seed = demo.seed_demo(UnitOfWork())
    print(f"Reseller Portal on {settings.base_url} (database: {database.serving()})", flush=True)
    if seed.seeded:
        print(
            f"Demo distributor {demo.DEMO_DISTRIBUTOR}: sign in at {settings.base_url}/login as "
            f"{seed.distributor_email} with password {seed.distributor_password} (shown only this once)."
        )
        print(f"Demo: {demo.DEMO_DISTRIBUTOR} invited {demo.DEMO_RESELLER}. Open the activation link:")
        print(settings.activation_url(seed.token or ""), flush=True)
    elif settings.demo and not os.environ.get("NICEGUI_USER_SIMULATION"):
        print(
            "Existing data kept. For a new activation link run:\n"
            f'  python main.py invite --distributor "{demo.DEMO_DISTRIBUTOR}" --company "{demo.DEMO_RESELLER}"',
            flush=True,
        )
    run_server(settings)


def mail_list(settings: Settings, args: argparse.Namespace) -> None:
    """``mail list``: the emails written as files (no SMTP configured), newest first."""
    found = mail_cli.records(settings)
    if args.json:
        print_json(found)
    elif not found:
        print(f"No emails in {settings.mail_dir}.")
    else:
        print_table(["ID", "Date", "To", "Subject"], [[m["id"], m["date"], m["to"], m["subject"]] for m in found])


def mail_show(settings: Settings, args: argparse.Namespace) -> None:
    """``mail show ID``: one email's headers and plain text (with its link, for the demo)."""
    try:
        text = mail_cli.shown(settings, args.email_id)
    except mail_cli.MailNotFound as missing:
        raise CommandError(str(missing)) from None
    print("\n".join(terminal_safe(line) for line in text.splitlines()))


COMMANDS: dict[tuple[str, str | None], Callable[[Settings, argparse.Namespace], None]] = {
    ("invite", None): invitation_create,
    ("distributor", "create"): distributor_create,
    ("invitations", "list"): invitations_list,
    ("invitations", "revoke"): invitations_revoke,
    ("invitations", "reissue"): invitations_reissue,
    ("agreements", "publish"): agreements_publish,
    ("catalog", "import"): catalog_import,
    ("catalog", "export"): catalog_export,
    ("backup", None): backup,
    ("hubs", "list"): hubs_list,
    ("marketplaces", "list"): marketplaces_list,
    ("demo", None): demo_seed,
    ("mail", "list"): mail_list,
    ("mail", "show"): mail_show,
}
# Commands that work on a database whatever its schema (the others need it at this version's).
SCHEMA_COMMANDS: dict[tuple[str, str | None], Callable[[Settings, argparse.Namespace], None]] = {
    ("db", "upgrade"): db_upgrade,
    ("db", "current"): db_current,
    ("db", "revision"): db_revision,
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command. Under NiceGUI's test simulation (which runs main.py
    inside pytest) the command line belongs to pytest, so it is ignored and the server is set up."""
    if argv is None:
        argv = [] if os.environ.get("NICEGUI_USER_SIMULATION") else sys.argv[1:]
    os.umask(0o077)  # the database, its WAL, backups and session files: readable by this user only
    logs.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are every upgrade's internals
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return _execute(settings, args)
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D at a prompt
        print("\nerror: stopped; a change not finished was not saved", file=sys.stderr)
        return 130
    except database.DatabaseFault as fault:
        print(f"error: {terminal_safe(database.unusable(settings.database_url, fault))}", file=sys.stderr)
        return 2
    except OSError as fault:  # a data directory that is a file, or cannot be made; a port taken
        where = f" ({fault.filename})" if fault.filename else ""
        print(f"error: {terminal_safe(fault.strerror or str(fault))}{terminal_safe(where)}", file=sys.stderr)
        return 2


def _execute(settings: Settings, args: argparse.Namespace) -> int:
    """The command line's command, on the database the settings name."""
    command = (args.command, getattr(args, "action", None))
    serving = args.command in (None, "serve")
    try:
        if command in SCHEMA_COMMANDS:
            SCHEMA_COMMANDS[command](settings, args)
            return 0
        if args.command == "init":
            init(settings)
            return 0
        creating = (serving or args.command == "demo") and settings.demo_may_create
        database.open_database(settings.database_url, create=creating)
    except (database.DatabaseMissing, database.DatabaseRefused, CommandError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    throttle.configure(
        throttle.Limits(
            link_guesses_per_address=settings.link_guess_limit,
            sign_in_failures_per_account=settings.sign_in_account_limit,
            sign_in_failures_per_account_everywhere=settings.sign_in_account_total_limit,
            sign_in_failures_per_address=settings.sign_in_address_limit,
            window=timedelta(minutes=settings.throttle_window_minutes),
            first_delay=timedelta(seconds=settings.throttle_first_delay_seconds),
        )
    )
    if serving:
        serve(settings)
        return 0
    try:
        COMMANDS[command](settings, args)
    except ValidationFailed as failure:
        for field, message in failure.errors.items():
            print(f"error: {field}: {terminal_safe(message)}", file=sys.stderr)
        return 2
    except (DomainError, database.DatabaseRefused, CommandError) as error:
        print(f"error: {terminal_safe(getattr(error, 'message', error))}", file=sys.stderr)
        return 2
    return 0
