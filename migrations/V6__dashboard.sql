-- The agent dashboard: agents with bcrypt password hashes, their workspaces, server-side sessions, what each agent
-- has read, canned responses, and per-answer figures of the model (for the analytics page).

create table agents (
    id            uuid primary key,
    email         text not null unique check (email = lower(email) and length(email) between 3 and 200),
    display_name  text not null check (length(display_name) between 1 and 100),
    -- bcrypt (Modular Crypt Format, "$2a$..."), never the password itself.
    password_hash text not null,
    role          text not null check (role in ('admin', 'agent')),
    created_at    timestamptz not null
);

create table agent_workspaces (
    agent_id     uuid not null references agents (id) on delete cascade,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    primary key (agent_id, workspace_id)
);
create index agent_workspaces_workspace on agent_workspaces (workspace_id);

-- Only the SHA-256 of the 256-bit random session cookie is stored; the CSRF token is per session.
create table agent_sessions (
    token_hash   text primary key,
    agent_id     uuid not null references agents (id) on delete cascade,
    csrf_token   text not null,
    created_at   timestamptz not null,
    last_seen_at timestamptz not null
);
create index agent_sessions_agent on agent_sessions (agent_id);

-- Unread counts: messages of a conversation after the last one this agent has seen.
create table conversation_reads (
    agent_id        uuid not null references agents (id) on delete cascade,
    conversation_id uuid not null references conversations (id) on delete cascade,
    last_read_seq   bigint not null,
    primary key (agent_id, conversation_id)
);

create table canned_responses (
    id           uuid primary key,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    title        text not null check (length(title) between 1 and 100),
    content      text not null check (length(content) between 1 and 4000),
    created_at   timestamptz not null
);
create index canned_responses_workspace on canned_responses (workspace_id, title);

-- One row per model generation the bot streamed (answered or turned into a handoff): the engine's figures.
create table model_answers (
    id                bigserial primary key,
    conversation_id   uuid not null references conversations (id) on delete cascade,
    model             text not null,
    outcome           text not null check (outcome in ('answered', 'handoff', 'abandoned')),
    ttft_ms           double precision,
    duration_ms       double precision not null,
    completion_tokens integer,
    acceptance_length double precision,
    created_at        timestamptz not null
);
create index model_answers_conversation on model_answers (conversation_id);
create index model_answers_created on model_answers (created_at);
