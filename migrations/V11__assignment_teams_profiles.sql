-- Issue 20, parts 1 and 6: teams of agents, assignment of conversations, agents' presence for auto-assignment, and
-- visitor profiles from the widget's identify().

-- Workspace-scoped teams (the dashboard room's): a conversation can be assigned to a team, and auto-assignment picks
-- among the online members of the conversation's team.
create table teams (
    id           uuid primary key,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    name         text not null check (length(name) between 1 and 100),
    created_at   timestamptz not null,
    unique (workspace_id, name)
);

create table team_members (
    team_id  uuid not null references teams (id) on delete cascade,
    agent_id uuid not null references agents (id) on delete cascade,
    primary key (team_id, agent_id)
);
create index team_members_agent on team_members (agent_id);

-- Presence: the dashboard page's heartbeat; an agent is online while last_seen_at is within the configured timeout.
-- last_assigned_at orders the round robin (the least recently auto-assigned online agent goes first).
create table agent_presence (
    agent_id         uuid primary key references agents (id) on delete cascade,
    last_seen_at     timestamptz,
    last_assigned_at timestamptz
);

-- The conversation's assignee: an agent, a team, or both (an agent of the team). Conversation data, owned by the
-- conversation room; a deleted agent or team leaves the conversation unassigned.
alter table conversations add column assignee_agent_id uuid references agents (id) on delete set null;
alter table conversations add column assignee_team_id uuid references teams (id) on delete set null;
alter table conversations add column assigned_at timestamptz;
create index conversations_assignee_agent on conversations (assignee_agent_id) where assignee_agent_id is not null;
create index conversations_assignee_team on conversations (assignee_team_id) where assignee_team_id is not null;

-- Assignment events carry their agent as a typed column, so per-agent analytics count them with an index; no foreign
-- key, as an event stays history after its agent is deleted.
alter table conversation_events add column agent_id uuid;
create index conversation_events_assigned on conversation_events (agent_id, created_at)
    where type = 'conversation.assigned';

-- Which agent wrote an agent message (author_name is only the name the customer saw); null for API replies.
alter table messages add column author_agent_id uuid references agents (id) on delete set null;
create index messages_author_agent on messages (author_agent_id, created_at) where author_agent_id is not null;

-- What the business said about a visitor through identify(): kept per visitor id across conversations, shown beside
-- the conversation, exported and erased with the visitor's data.
create table visitor_profiles (
    workspace_id  uuid not null references workspaces (id) on delete cascade,
    visitor_id    text not null,
    name          text check (name is null or length(name) <= 200),
    email         text check (email is null or length(email) <= 320),
    verified      boolean not null,
    -- A flat JSON object of the business's own attributes (plan, order count...), at most 50 keys.
    attributes    jsonb not null default '{}',
    first_seen_at timestamptz not null,
    updated_at    timestamptz not null,
    primary key (workspace_id, visitor_id)
);
