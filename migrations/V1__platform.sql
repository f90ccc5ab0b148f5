-- Switchboard platform schema: workspaces and keys, conversations with their messages and durable stream events,
-- the FAQ and the bot's semantic answer cache. Codes are lower-case text with CHECKs (readable in psql, and the
-- Java enums map them by code).

create table workspaces (
    id              uuid primary key,
    name            text not null,
    site_key        text not null unique,
    allowed_origins text[] not null default '{}',
    created_at      timestamptz not null
);

-- Only SHA-256 hashes of the 256-bit random keys are stored.
create table api_keys (
    id           uuid primary key,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    key_hash     text not null unique,
    created_at   timestamptz not null,
    revoked_at   timestamptz
);
create index api_keys_workspace on api_keys (workspace_id);

create table conversations (
    id                 uuid primary key,
    workspace_id       uuid not null references workspaces (id) on delete cascade,
    visitor_id         text not null,
    visitor_token_hash text,
    status             text not null check (status in ('bot', 'pending', 'open', 'resolved')),
    handoff_reason     text check (handoff_reason in ('customer_request', 'missing_knowledge', 'low_confidence',
                                                      'inference_unavailable', 'policy')),
    created_at         timestamptz not null,
    last_activity_at   timestamptz not null
);
create index conversations_workspace_activity on conversations (workspace_id, last_activity_at desc);
create index conversations_status on conversations (status) where status <> 'resolved';

create table messages (
    id              uuid primary key,
    seq             bigint generated always as identity unique,
    conversation_id uuid not null references conversations (id) on delete cascade,
    role            text not null check (role in ('customer', 'bot', 'agent', 'system')),
    content         text not null,
    created_at      timestamptz not null,
    -- No foreign key: an answered message keeps naming its FAQ entry after the entry is deleted.
    source_faq_id   uuid,
    source_model    text,
    check (source_faq_id is null or source_model is null),
    check (role = 'bot' or (source_faq_id is null and source_model is null))
);
create index messages_conversation_seq on messages (conversation_id, seq);

-- Durable events of the per-conversation SSE stream; the id is the SSE event id (resume with Last-Event-ID).
create table conversation_events (
    id              bigserial primary key,
    conversation_id uuid not null references conversations (id) on delete cascade,
    type            text not null,
    payload         text not null,
    created_at      timestamptz not null
);
create index conversation_events_conversation on conversation_events (conversation_id, id);

create table faq_entries (
    id              uuid primary key,
    workspace_id    uuid not null references workspaces (id) on delete cascade,
    question        text not null check (length(question) <= 500),
    answer          text not null check (length(answer) <= 4000),
    embedding       real[],
    embedding_model text,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    hit_count       bigint not null default 0
);
create index faq_entries_workspace on faq_entries (workspace_id);

-- The bot's per-workspace semantic cache of model answers; cleared for a workspace whenever its FAQ changes.
create table cached_answers (
    id              uuid primary key,
    workspace_id    uuid not null references workspaces (id) on delete cascade,
    question        text not null,
    embedding       real[] not null,
    embedding_model text not null,
    answer          text not null,
    model           text not null,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    hit_count       bigint not null default 0
);
create index cached_answers_workspace on cached_answers (workspace_id, expires_at);
