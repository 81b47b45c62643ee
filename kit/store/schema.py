"""Named, ordered migrations of the meeting database (地区社協の会議). Append only."""

from __future__ import annotations

from kit.store.db import Migration

MEETING_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        """
CREATE TABLE app_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE districts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    agenda TEXT NOT NULL DEFAULT '',
    join_code TEXT NOT NULL UNIQUE,
    phase TEXT NOT NULL DEFAULT 'setup'
        CHECK (phase IN ('setup', 'issues', 'map', 'vote', 'wrapup', 'closed')),
    plan_id TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_by_district ON meetings(district_id, held_on);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    has_tablet INTEGER NOT NULL DEFAULT 1,
    joined_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    UNIQUE (meeting_id, name_key)
);

CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id),
    text TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    seriousness INTEGER NOT NULL CHECK (seriousness BETWEEN 1 AND 5),
    reach INTEGER NOT NULL CHECK (reach BETWEEN 1 AND 5),
    place TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'hidden', 'merged', 'withdrawn')),
    merged_into INTEGER REFERENCES issues(id),
    raised_count INTEGER NOT NULL DEFAULT 1 CHECK (raised_count >= 1),
    spoken INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX issues_by_meeting ON issues(meeting_id, status);

CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('dots', 'approval', 'ranking')),
    settings_json TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    show_partial INTEGER NOT NULL DEFAULT 0,
    opened_at TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE vote_items (
    id INTEGER PRIMARY KEY,
    vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    issue_id INTEGER REFERENCES issues(id),
    label TEXT NOT NULL,
    goal_id TEXT,
    UNIQUE (vote_id, position)
);

CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id),
    is_paper INTEGER NOT NULL DEFAULT 0,
    choices_json TEXT NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    cast_at TEXT NOT NULL,
    UNIQUE (vote_id, member_id)
);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    district_id TEXT NOT NULL REFERENCES districts(id),
    title TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    policy_id TEXT NOT NULL,
    source_issue_id INTEGER REFERENCES issues(id),
    source_vote_item_id INTEGER REFERENCES vote_items(id),
    status TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'in_progress', 'done')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE map_nodes (
    id INTEGER PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    node_type TEXT NOT NULL CHECK (node_type IN ('person', 'place')),
    label TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    flags_json TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    opening_days TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    x REAL NOT NULL,
    y REAL NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX map_nodes_by_district ON map_nodes(district_id, deleted);

CREATE TABLE map_links (
    id INTEGER PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    source_id INTEGER NOT NULL REFERENCES map_nodes(id),
    target_id INTEGER NOT NULL REFERENCES map_nodes(id),
    kind TEXT NOT NULL,
    strength TEXT NOT NULL DEFAULT 'strong' CHECK (strength IN ('strong', 'occasional')),
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    CHECK (source_id <> target_id)
);
CREATE INDEX map_links_by_district ON map_links(district_id, deleted);

CREATE TABLE map_snapshots (
    id INTEGER PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    meeting_id INTEGER REFERENCES meetings(id),
    taken_at TEXT NOT NULL,
    snapshot_json TEXT NOT NULL
);

CREATE TABLE map_undo (
    id INTEGER PRIMARY KEY,
    district_id TEXT NOT NULL REFERENCES districts(id),
    description TEXT NOT NULL,
    undo_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE map_backgrounds (
    district_id TEXT PRIMARY KEY REFERENCES districts(id),
    mime TEXT NOT NULL,
    image BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL
);
""",
    ),
    Migration(
        "0002_access_and_identity",
        """
CREATE TABLE facilitator_sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'once')),
    created_at TEXT NOT NULL,
    expires_at REAL NOT NULL
);

CREATE TABLE page_kernels (
    kernel_id TEXT PRIMARY KEY,
    page TEXT NOT NULL,
    device_hash TEXT NOT NULL,
    session_hash TEXT,
    client_address TEXT NOT NULL,
    opened_at TEXT NOT NULL
);

CREATE TABLE join_attempts (
    scope TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    lockouts INTEGER NOT NULL DEFAULT 0,
    blocked_until REAL NOT NULL DEFAULT 0,
    last_failure REAL NOT NULL DEFAULT 0
);

CREATE TABLE member_devices (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    device_hash TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, device_hash)
);
CREATE INDEX member_devices_by_member ON member_devices(member_id);

CREATE TABLE join_claims (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    device_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    requested_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX join_claims_by_meeting ON join_claims(meeting_id, status);
""",
    ),
    Migration(
        "0003_ballot_drafts",
        """
CREATE TABLE ballot_drafts (
    vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    choices_json TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (vote_id, member_id)
);
""",
    ),
)
