"""One member, one device, one ballot: who a tablet is, decided on the server.

A member is not a typed name. Each browser holds a device secret (an HttpOnly cookie the
kit's server sets, see :mod:`kit.serving.guard`); the store keeps its hash in
``member_devices``, one row per (meeting, device). So:

- a page (kernel) joins once (:class:`PageMembership`); a device is one member per meeting,
  and cannot join again under another name;
- a reload, a tablet waking from sleep, a closed tab reopened, or a lost kernel replaced by a
  new one (issue 17 builds on this) presents the same cookie, so :func:`resume` finds the
  same member without the join form;
- a name already held by another device can only be claimed with the facilitator's approval
  on the projector (「○○さんとして参加しようとしています。同じ方ですか？」): the member then
  has two devices (a tablet and a phone); a refusal changes nothing;
- a paper voter (紙で参加) belongs to the facilitator: no tablet can become them;
- the facilitator can remove a member: their ballots (and so their turnout) go with them,
  and :func:`removal_preview` says what will go before the facilitator confirms.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import ConflictError, KitError, NotFoundError, ValidationError
from kit.meeting import access
from kit.store import identity as store
from kit.store import meetings as meeting_store
from kit.store import transaction
from kit.store.identity import Claim
from kit.store.meetings import Meeting, Member
from kit.text import name_key as text_name_key

__all__ = [
    "ApprovalNeeded",
    "Claim",
    "PageMembership",
    "RemovalPreview",
    "claim_status",
    "member_exists",
    "recent_joins",
    "approve_claim",
    "deny_claim",
    "join_with_device",
    "pending_claims",
    "remove_member",
    "removal_preview",
    "resume",
]


class ApprovalNeeded(KitError):
    """The name is another device's: the facilitator must confirm it is the same person."""

    def __init__(self, message: str, claim_id: int) -> None:
        super().__init__(message)
        self.claim_id = claim_id


@dataclass(frozen=True)
class RemovalPreview:
    member: Member
    ballots: int
    issues: int
    devices: int


def join_with_device(
    conn: sqlite3.Connection,
    meeting: Meeting,
    display_name: str,
    name_key: str,
    device: str,
) -> Member:
    """Join ``meeting`` from ``device`` (a device hash); one transaction, race-safe.

    Raises :class:`ValidationError` when this device is already another member of the
    meeting, :class:`ConflictError` for a paper voter's name, :class:`ApprovalNeeded` (with
    the claim's id) when another device holds the name.
    """
    with transaction(conn):
        mine = store.device_member_id(conn, meeting.id, device)
        if mine is not None:
            member = meeting_store.get_member(conn, mine)
            if text_name_key(member.display_name) != name_key:
                raise ValidationError(msg.DEVICE_ALREADY_MEMBER.format(name=member.display_name))
            store.touch_member(conn, mine)
            return meeting_store.get_member(conn, mine)
        holder = store.find_member_id_by_name(conn, meeting.id, name_key)
        if holder is None:
            member_id = store.insert_member(conn, meeting.id, display_name, name_key, True)
            store.add_device(conn, meeting.id, member_id, device)
            return meeting_store.get_member(conn, member_id)
        member = meeting_store.get_member(conn, holder)
        if not member.has_tablet:
            raise ConflictError(msg.NAME_IS_PAPER.format(name=member.display_name))
        claim = store.pending_claim_of(conn, meeting.id, device)
        if claim is None or claim.member_id != holder:
            store.withdraw_claims_of(conn, meeting.id, device)
            claim_id = store.insert_claim(conn, meeting.id, holder, device)
        else:
            claim_id = claim.id
    raise ApprovalNeeded(msg.JOIN_WAIT_APPROVAL.format(name=member.display_name), claim_id)


def resume(conn: sqlite3.Connection, device: str | None) -> tuple[Meeting, Member] | None:
    """The member this device already is in an open meeting (newest first), or ``None``."""
    if not device:
        return None
    found = store.latest_open_membership(conn, device)
    if found is None:
        return None
    meeting_id, member_id = found
    return meeting_store.get_meeting(conn, meeting_id), meeting_store.get_member(conn, member_id)


def claim_status(conn: sqlite3.Connection, claim_id: int) -> Claim | None:
    return store.get_claim(conn, claim_id)


def pending_claims(conn: sqlite3.Connection, meeting_id: int) -> list[tuple[Claim, Member]]:
    """Claims the projector asks about, with the member each one wants to be."""
    return [
        (claim, meeting_store.get_member(conn, claim.member_id))
        for claim in store.list_pending_claims(conn, meeting_id)
    ]


def approve_claim(conn: sqlite3.Connection, meeting_id: int, claim_id: int) -> Member:
    """The facilitator: 「同じ方です」 — the device becomes one more device of that member."""
    with transaction(conn):
        claim = store.get_claim(conn, claim_id)
        if claim is None or claim.meeting_id != meeting_id or claim.status != "pending":
            raise NotFoundError(msg.CLAIM_NOT_FOUND)
        if store.device_member_id(conn, meeting_id, claim.device_hash) is not None:
            store.decide_claim(conn, claim_id, "denied")
            raise ConflictError(msg.CLAIM_DEVICE_TAKEN)
        store.decide_claim(conn, claim_id, "approved")
        store.add_device(conn, meeting_id, claim.member_id, claim.device_hash)
        return meeting_store.get_member(conn, claim.member_id)


def deny_claim(conn: sqlite3.Connection, meeting_id: int, claim_id: int) -> None:
    with transaction(conn):
        claim = store.get_claim(conn, claim_id)
        if claim is None or claim.meeting_id != meeting_id or claim.status != "pending":
            raise NotFoundError(msg.CLAIM_NOT_FOUND)
        store.decide_claim(conn, claim_id, "denied")


def removal_preview(conn: sqlite3.Connection, member_id: int) -> RemovalPreview:
    member = meeting_store.get_member(conn, member_id)
    ballots, issues, devices = store.removal_counts(conn, member_id)
    return RemovalPreview(member, ballots, issues, devices)


def remove_member(conn: sqlite3.Connection, meeting_id: int, member_id: int) -> RemovalPreview:
    """The facilitator removes a member: ballots, devices and claims go; their issues stay."""
    with transaction(conn):
        preview = removal_preview(conn, member_id)
        if preview.member.meeting_id != meeting_id:
            raise NotFoundError(msg.MEMBER_NOT_FOUND)
        store.delete_member(conn, member_id)
    return preview


def recent_joins(
    conn: sqlite3.Connection, meeting_id: int, limit: int = 3
) -> list[tuple[str, str]]:
    """(name, joined_at) of the newest members, for the projector's 「新しく参加」 line."""
    return [
        (r["display_name"], r["joined_at"]) for r in store.recent_members(conn, meeting_id, limit)
    ]


def member_exists(conn: sqlite3.Connection, member_id: int | None) -> bool:
    return member_id is not None and store.member_exists(conn, member_id)


class PageMembership:
    """What one page (one kernel) is: not joined, waiting for approval, or a member.

    Kept in the kernel because a page *is* a kernel; everything shared is in the store.
    ``join`` works once: after it, joining again from this page is refused.
    """

    def __init__(self, device: str | None = None, client_address: str = "") -> None:
        self.device = device
        self.client_address = client_address
        self.page_scope = "page:" + uuid.uuid4().hex
        self.meeting_id: int | None = None
        self.member_id: int | None = None
        self.claim_id: int | None = None

    @property
    def scopes(self) -> tuple[str, ...]:
        """Where wrong codes count: this page, and its client address unless it is the laptop
        itself (the facilitator's own browser is not a guessing tablet)."""
        address = (
            "addr:" + self.client_address
            if self.client_address and not access.is_loopback(self.client_address)
            else ""
        )
        return tuple(s for s in (self.page_scope, address) if s)

    @property
    def joined(self) -> bool:
        return self.member_id is not None

    def join(
        self,
        conn: sqlite3.Connection,
        code: object,
        name: object,
        *,
        name_max_chars: int = 20,
    ) -> tuple[Meeting, Member]:
        from kit.meeting import meetings

        if self.joined:
            raise ValidationError(msg.PAGE_ALREADY_JOINED)
        try:
            meeting, member = meetings.join_meeting(
                conn,
                code,
                name,
                name_max_chars=name_max_chars,
                device=self.device,
                attempt_scopes=self.scopes,
            )
        except ApprovalNeeded as exc:
            self.claim_id = exc.claim_id
            raise
        self.claim_id = None
        self.meeting_id, self.member_id = meeting.id, member.id
        return meeting, member

    def take(self, meeting: Meeting, member: Member) -> None:
        """Become ``member`` (resumed by device, or approved by the facilitator)."""
        self.meeting_id, self.member_id, self.claim_id = meeting.id, member.id, None

    def check_claim(self, conn: sqlite3.Connection) -> str | None:
        """'approved' (now a member), 'denied' (back to the form) or None (still waiting)."""
        if self.claim_id is None:
            return None
        claim = store.get_claim(conn, self.claim_id)
        if claim is None or claim.status == "denied":
            self.claim_id = None
            return "denied"
        if claim.status == "approved":
            member = meeting_store.get_member(conn, claim.member_id)
            self.take(meeting_store.get_meeting(conn, claim.meeting_id), member)
            return "approved"
        return None

    def forget(self) -> None:
        """The member was removed by the facilitator: this page may join again."""
        self.meeting_id = self.member_id = self.claim_id = None
