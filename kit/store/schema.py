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
    Migration(
        "0004_phase_timers",
        """
CREATE TABLE phase_timers (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 180),
    started_at TEXT NOT NULL,
    ends_at TEXT NOT NULL
);
""",
    ),
    Migration(
        "0005_map_sealed",
        """
-- The 支え合いマップ sealed at rest (issue 13). Every personal field of a node (label, note,
-- flags, area, kind, opening days, position), of a line (kind, strength), of an undo step and
-- the background image is one AES-GCM blob (``sealed``) under a key derived from the
-- district's passphrase (合言葉), which is never stored. Plain columns are ids, the node type,
-- timestamps and counts. The old plain tables (map_nodes …) stay until the passphrase is set,
-- then their rows move here, sealed, and the tables are dropped (kit.supportmap.migrate).
CREATE TABLE map_keyring (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kdf TEXT NOT NULL,
    salt BLOB NOT NULL,
    n INTEGER NOT NULL,
    r INTEGER NOT NULL,
    p INTEGER NOT NULL,
    check_value BLOB NOT NULL,
    generation INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE map_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id TEXT NOT NULL REFERENCES districts(id),
    node_type TEXT NOT NULL CHECK (node_type IN ('person', 'place')),
    sealed BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX map_items_by_district ON map_items(district_id);

CREATE TABLE map_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id TEXT NOT NULL REFERENCES districts(id),
    source_id INTEGER NOT NULL REFERENCES map_items(id) ON DELETE CASCADE,
    target_id INTEGER NOT NULL REFERENCES map_items(id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (source_id <> target_id)
);
CREATE INDEX map_lines_by_district ON map_lines(district_id);
CREATE INDEX map_lines_by_source ON map_lines(source_id);
CREATE INDEX map_lines_by_target ON map_lines(target_id);

CREATE TABLE map_baselines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id TEXT NOT NULL REFERENCES districts(id),
    meeting_id INTEGER REFERENCES meetings(id),
    taken_at TEXT NOT NULL,
    counts_json TEXT
);
CREATE INDEX map_baselines_by_meeting ON map_baselines(meeting_id);

CREATE TABLE map_baseline_items (
    baseline_id INTEGER NOT NULL REFERENCES map_baselines(id) ON DELETE CASCADE,
    node_id INTEGER NOT NULL,
    node_type TEXT NOT NULL,
    sealed BLOB,
    PRIMARY KEY (baseline_id, node_id)
);
CREATE INDEX map_baseline_items_by_node ON map_baseline_items(node_id);

CREATE TABLE map_baseline_lines (
    baseline_id INTEGER NOT NULL REFERENCES map_baselines(id) ON DELETE CASCADE,
    link_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (baseline_id, link_id)
);
CREATE INDEX map_baseline_lines_by_source ON map_baseline_lines(source_id);
CREATE INDEX map_baseline_lines_by_target ON map_baseline_lines(target_id);

CREATE TABLE map_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id TEXT NOT NULL REFERENCES districts(id),
    refs TEXT NOT NULL DEFAULT ',',
    sealed BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX map_history_by_district ON map_history(district_id, id);

CREATE TABLE map_images (
    district_id TEXT PRIMARY KEY REFERENCES districts(id),
    sealed BLOB NOT NULL,
    uploaded_at TEXT NOT NULL
);

-- Counts by category only (persons, flag:alone, change:new_link …): what the office may
-- see, stored at every save so the hand-over needs no passphrase. meeting_id 0 = the map now.
CREATE TABLE map_count_sets (
    district_id TEXT NOT NULL REFERENCES districts(id),
    meeting_id INTEGER NOT NULL,
    counts_json TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (district_id, meeting_id)
);
""",
    ),
)
