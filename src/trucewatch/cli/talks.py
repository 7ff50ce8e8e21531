"""``trucewatch talks …``: meetings, invitations, replies, attendance, and the derived views."""

from __future__ import annotations

from typing import Any

import typer

from trucewatch.cli.context import principal, print_json, print_table, transaction
from trucewatch.talks import service as talks
from trucewatch.talks.enums import Capacity, DocumentKind, MeetingFormat, ReplyStatus

app = typer.Typer(help="Talks: meetings, invitations, replies, attendance (coordinators record "
                       "them; published meetings are public).", no_args_is_help=True)

SOURCE = typer.Option("", help="Where this is reported: a statement, an article.")
QUOTE = typer.Option("", help="The sentence of the source that says it.")
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command("list")
def list_(truce: str | None = typer.Option(None, help="Only meetings linked to this truce."),
          as_json: bool = AS_JSON) -> None:
    """Meetings by date (without a coordinator's or guarantor's role: the published ones)."""
    with transaction() as session:
        rows = [talks.meeting_view(session, m, full=False)
                for m in talks.list_meetings(session, principal=principal(session), truce=truce)]
    if as_json:
        print_json(rows)
        return
    print_table(["meeting", "dates", "format", "venue", "convenors", "published"],
                [[m["slug"], _span(m), m["format"], m["venue"],
                  ", ".join(c["slug"] for c in m["convenors"]), m["published_at"] or "no"]
                 for m in rows])


def _span(m: dict[str, Any]) -> str:
    return m["starts_on"] if m["starts_on"] == m["ends_on"] else f"{m['starts_on']}..{m['ends_on']}"


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Short stable id, e.g. moscow-2017-01-27."),
    title: str = typer.Option(..., help="What the meeting is."),
    format_: MeetingFormat = typer.Option(..., "--format", help="direct, proximity or briefing."),
    starts: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    ends: str | None = typer.Option(None, help="Last day (default: the first)."),
    convenor: list[str] = typer.Option(..., help="A convening organisation or person "
                                                 "(repeatable)."),
    venue: str = typer.Option("", help="Where."),
    agenda: str = typer.Option("", help="What is on the agenda."),
    outcome: str = typer.Option("", help="What came of it."),
    truce: str | None = typer.Option(None, help="The truce the talks concern (slug)."),
    source: str = SOURCE,
    quote: str = QUOTE,
) -> None:
    """Record a meeting (a round of talks or a briefing) and its convenors."""
    with transaction() as session:
        row = talks.create_meeting(session, principal=principal(session), data={
            "slug": slug, "title": title, "format": format_.value, "starts_on": starts,
            "ends_on": ends, "convenors": convenor, "venue": venue, "agenda": agenda,
            "outcome": outcome, "truce": truce, "source": source, "quote": quote})
        typer.echo(f"recorded meeting {row.slug}")


@app.command("change")
def change(
    slug: str = typer.Argument(..., help="The meeting."),
    title: str | None = typer.Option(None),
    format_: MeetingFormat | None = typer.Option(None, "--format"),
    starts: str | None = typer.Option(None, help="YYYY-MM-DD"),
    ends: str | None = typer.Option(None, help="YYYY-MM-DD"),
    venue: str | None = typer.Option(None),
    agenda: str | None = typer.Option(None),
    outcome: str | None = typer.Option(None),
) -> None:
    """Change the given fields of a meeting."""
    data = {k: v for k, v in {"title": title, "format": format_.value if format_ else None,
                              "starts_on": starts, "ends_on": ends, "venue": venue,
                              "agenda": agenda, "outcome": outcome}.items() if v is not None}
    with transaction() as session:
        talks.change_meeting(session, principal=principal(session), slug=slug, data=data)
    typer.echo(f"changed meeting {slug}: {', '.join(sorted(data))}")


@app.command("document")
def document(
    slug: str = typer.Argument(..., help="The meeting."),
    kind: DocumentKind = typer.Option(..., help="final_statement, agreement, communique, other."),
    title: str = typer.Option(...),
    summary: str = typer.Option(""),
    adopted: str | None = typer.Option(None, help="YYYY-MM-DD"),
    source: str = SOURCE,
    quote: str = QUOTE,
) -> None:
    """Record a document the meeting produced."""
    with transaction() as session:
        row = talks.add_document(session, principal=principal(session), slug=slug, data={
            "kind": kind.value, "title": title, "summary": summary, "adopted_on": adopted,
            "source": source, "quote": quote})
        typer.echo(f"recorded document {row.id} of {slug}")


@app.command("invite")
def invite(
    slug: str = typer.Argument(..., help="The meeting."),
    capacity: Capacity = typer.Option(..., help="organisation, personal, representative or "
                                                "class."),
    to: str | None = typer.Option(None, "--to", help="The organisation or person invited."),
    represents: str | None = typer.Option(None, help="For a representative: the organisation."),
    class_: str = typer.Option("", "--class", help="For a class: who, in words."),
    class_type: str | None = typer.Option(None, help="For a class: organisations of this type."),
    class_member_of: str | None = typer.Option(None, help="For a class: members of this "
                                                          "organisation."),
    sent_by: str | None = typer.Option(None, help="Who sent it."),
    via: str | None = typer.Option(None, help="Through whom."),
    sent_on: str | None = typer.Option(None, help="YYYY-MM-DD (leave out if not reported)."),
    note: str = typer.Option(""),
    source: str = SOURCE,
    quote: str = QUOTE,
) -> None:
    """Record an invitation to an organisation, a person or a class of actors."""
    with transaction() as session:
        row = talks.invite(session, principal=principal(session), meeting=slug, data={
            "capacity": capacity.value, "invitee": to, "represents": represents,
            "class_description": class_, "class_organisation_type": class_type,
            "class_member_of": class_member_of, "sent_by": sent_by, "via": via,
            "sent_on": sent_on, "note": note, "source": source, "quote": quote})
        typer.echo(f"recorded invitation {row.id} to {talks.invitation_view(row)['to']}")


@app.command("reply")
def reply(
    invitation: int = typer.Argument(..., help="The invitation's id."),
    status: ReplyStatus = typer.Option(..., help="accepted, declined, no_answer or withdrawn."),
    on: str = typer.Option(..., help="Date of the reply, YYYY-MM-DD."),
    reason: str = typer.Option("", help="The reason given."),
    by: str | None = typer.Option(None, help="Who replied (the invitee or its organisation)."),
    reported_by: str | None = typer.Option(None, help="Who reported it (a spokesman)."),
    source: str = SOURCE,
    quote: str = QUOTE,
) -> None:
    """Record a reply to an invitation."""
    with transaction() as session:
        row = talks.reply(session, principal=principal(session), invitation_id=invitation, data={
            "status": status.value, "replied_on": on, "reason": reason, "replied_by": by,
            "reported_by": reported_by, "source": source, "quote": quote})
        typer.echo(f"invitation {invitation}: {row.status} on {row.replied_on.isoformat()}")


@app.command("attend")
def attend(
    slug: str = typer.Argument(..., help="The meeting."),
    attendee: str = typer.Argument(..., help="The organisation or person who came."),
    represents: str | None = typer.Option(None, help="The organisation a person represented."),
    role: str = typer.Option("", help="Head of delegation, member, observer …"),
    invitation: int | None = typer.Option(None, help="The invitation it answers."),
    source: str = SOURCE,
    quote: str = QUOTE,
) -> None:
    """Record who attended a meeting and whom they represented."""
    with transaction() as session:
        row = talks.record_attendance(session, principal=principal(session), meeting=slug, data={
            "attendee": attendee, "represents": represents, "role": role,
            "invitation": invitation, "source": source, "quote": quote})
        typer.echo(f"{row.actor.slug} attended {slug}")


@app.command("publish")
def publish(slug: str = typer.Argument(..., help="The meeting.")) -> None:
    """Make a meeting and all that is recorded about it public."""
    with transaction() as session:
        talks.publish_meeting(session, principal=principal(session), slug=slug)
    typer.echo(f"published meeting {slug}")


@app.command("show")
def show(slug: str = typer.Argument(..., help="The meeting."), as_json: bool = AS_JSON) -> None:
    """A meeting with its documents, invitations and replies, and attendance."""
    with transaction() as session:
        view = talks.meeting_view(session, talks.get_meeting(session, slug,
                                                             principal=principal(session)))
    if as_json:
        print_json(view)
        return
    typer.echo(f"{view['slug']}: {view['title']} ({view['format']}, {view['venue']}, "
               f"{_span(view)})")
    typer.echo(f"  convened by {', '.join(c['name'] for c in view['convenors'])}")
    for inv in view["invitations"]:
        typer.echo(f"  invitation {inv['id']} to {inv['to']}: {inv['status']}"
                   + (f" (sent {inv['sent_on']})" if inv["sent_on"] else ""))
        for r in inv["replies"]:
            typer.echo(f"      {r['replied_on']} {r['status']}"
                       + (f" by {r['replied_by']}" if r["replied_by"] else "")
                       + (f", reported by {r['reported_by']}" if r["reported_by"] else ""))
    for a in view["attendance"]:
        typer.echo(f"  attended: {a['attendee']}" + (f" for {a['represents']}"
                                                      if a["represents"] else ""))
    for d in view["documents"]:
        typer.echo(f"  document: {d['kind']} {d['title']}")


def _people(items: list[dict[str, Any]], key: str = "person") -> str:
    return "; ".join(f"{_short(i.get(key) or i['to'])} ({i['status']})" for i in items) or "-"


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


@app.command("matrix")
def matrix(slug: str = typer.Argument(..., help="The meeting."), as_json: bool = AS_JSON) -> None:
    """Per organisation: invited as a body, through representatives or members, or as one of a
    class; replied; attended."""
    with transaction() as session:
        view = talks.participation_matrix(session, principal=principal(session), meeting=slug)
    if as_json:
        print_json(view)
        return
    print_table(["organisation", "as a body", "representatives", "members personally",
                 "as one of a class", "replied", "attended"],
                [[r["organisation"], _people(r["invited_as_body"], "to")
                  if r["invited_as_body"] else "not invited",
                  _people(r["representatives_invited"]),
                  _people(r["members_invited_personally"]),
                  _people(r["covered_by_class"], "to"), r["replied"] or "-",
                  "yes" if r["attended"] else "no"] for r in view["organisations"]])


@app.command("history")
def history(actor: str = typer.Argument(..., help="An organisation or person."),
            as_json: bool = AS_JSON) -> None:
    """An actor's invitations, replies and attendance across meetings."""
    with transaction() as session:
        view = talks.actor_history(session, principal=principal(session), actor=actor)
    if as_json:
        print_json(view)
        return
    typer.echo(f"{view['name']} ({view['actor']})")
    for m in view["meetings"]:
        typer.echo(f"  {m['starts_on']} {m['meeting']}: {m['title']}")
        for i in m["invitations"]:
            typer.echo(f"      invited {i['how']}: {i['to']} -> {i['status']}")
        for a in m["attended"]:
            typer.echo(f"      attended: {a['attendee']}")


@app.command("timeline")
def timeline(truce: str | None = typer.Option(None, help="Only talks on this truce."),
             as_json: bool = AS_JSON) -> None:
    """The process in date order: meetings, invitations, replies, documents."""
    with transaction() as session:
        events = talks.timeline(session, principal=principal(session), truce=truce)
    if as_json:
        print_json(events)
        return
    print_table(["date", "what", "meeting", ""],
                [[e["date"], e["kind"], e["meeting"], e["text"]] for e in events])
