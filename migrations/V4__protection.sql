-- Protection and data rights: per-workspace limits and retention, shared rate-limit windows, signed webhooks fed
-- by a transactional outbox.

-- Per-workspace overrides; a null column means the configured default (switchboard.rate-limit.*, no retention).
create table workspace_policies (
    workspace_id                  uuid primary key references workspaces (id) on delete cascade,
    conversations_per_ip_hour     integer check (conversations_per_ip_hour > 0),
    messages_per_ip_minute        integer check (messages_per_ip_minute > 0),
    conversations_per_site_hour   integer check (conversations_per_site_hour > 0),
    messages_per_site_minute      integer check (messages_per_site_minute > 0),
    api_requests_per_key_minute   integer check (api_requests_per_key_minute > 0),
    retention_days                integer check (retention_days > 0)
);

-- Fixed-window counters shared by all replicas, one row per limited key, updated by one upsert per request.
-- Unlogged: losing the counters in a database crash only forgives some requests, and it saves the WAL traffic.
create unlogged table rate_limit_windows (
    bucket       text primary key,
    window_start timestamptz not null,
    window_end   timestamptz not null,
    hits         integer not null
);
create index rate_limit_windows_end on rate_limit_windows (window_end);

-- The secret is needed in plain text to sign, so it is stored AES-GCM encrypted (never hashed) under the master key.
create table webhooks (
    id               uuid primary key,
    workspace_id     uuid not null references workspaces (id) on delete cascade,
    url              text not null check (length(url) <= 2000),
    events           text[] not null,
    secret_encrypted text not null,
    created_at       timestamptz not null
);
create index webhooks_workspace on webhooks (workspace_id);

-- The outbox and the delivery log in one: a row per (event, webhook), inserted in the transaction that made the
-- change; its id is the delivery id receivers dedupe by. Erasing a conversation erases its deliveries.
create table webhook_deliveries (
    id               uuid primary key,
    webhook_id       uuid not null references webhooks (id) on delete cascade,
    conversation_id  uuid references conversations (id) on delete cascade,
    event_type       text not null,
    payload          text not null,
    status           text not null check (status in ('pending', 'delivered', 'failed')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz not null
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc);
create index webhook_deliveries_conversation on webhook_deliveries (conversation_id);
