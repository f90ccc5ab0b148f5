-- Issue 20 parts 3 and 5: business hours per workspace, the e-mail address a visitor leaves outside them, and
-- attachments (images and PDFs) stored in PostgreSQL.

-- A workspace without a row is always open. weekly: "mon 09:00-17:00" entries in the workspace's time zone (24:00
-- ends a day); holidays: ISO dates closed all day; expected_reply_minutes: shown in the widget (null: computed from
-- recent first responses). Validated by the workspace room before it is written.
create table business_hours (
    workspace_id           uuid primary key references workspaces (id) on delete cascade,
    time_zone              text not null,
    weekly                 text[] not null,
    holidays               text[] not null,
    expected_reply_minutes integer check (expected_reply_minutes between 1 and 10080),
    updated_at             timestamptz not null
);

-- Left by the visitor, typically outside business hours, so an agent can reply by e-mail; the visitor's own claim.
alter table conversations add column contact_email text;

-- A handoff outside business hours says so.
alter table conversations drop constraint conversations_handoff_reason_check;
alter table conversations add constraint conversations_handoff_reason_check check (handoff_reason in (
    'customer_request', 'missing_knowledge', 'low_confidence', 'inference_unavailable', 'policy',
    'outside_business_hours'));

-- One file per message. content_type is what the bytes are (sniffed), never what the client said; thumbnail: a
-- small PNG of an image, null when none could be made (WebP, which the JDK cannot decode, and PDFs).
create table attachments (
    id             uuid primary key,
    conversation_id uuid not null references conversations (id) on delete cascade,
    message_id     uuid not null references messages (id) on delete cascade,
    content_type   text not null check (content_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp',
                                                         'application/pdf')),
    filename       text not null,
    size_bytes     integer not null check (size_bytes > 0),
    width          integer,
    height         integer,
    data           bytea not null,
    thumbnail      bytea,
    created_at     timestamptz not null
);
create index attachments_conversation on attachments (conversation_id);
create index attachments_message on attachments (message_id);
