-- Installation owners apart from workspace admins (issue 17).
alter table agents drop constraint agents_role_check;
alter table agents add constraint agents_role_check check (role in ('owner', 'admin', 'agent'));

-- Idempotency-Key on message and reply posts: the first response per (workspace, scope, key) is kept for 24 h and
-- replayed to retries; status 0 marks a request still in progress.
create table idempotency_keys (
    workspace_id uuid not null references workspaces (id) on delete cascade,
    scope        text not null,
    key          text not null check (length(key) between 1 and 255),
    request_hash text not null,
    status       integer not null,
    location     text,
    body         text,
    created_at   timestamptz not null,
    primary key (workspace_id, scope, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
