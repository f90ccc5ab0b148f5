-- FAQ matching against more than the question (faq/): an entry's language and answer embedding, further phrasings
-- of its question (written by the FAQ's author, or learned when an agent answered a customer with the entry), what
-- agents did with the matcher's best candidates (per-workspace calibration), and per-workspace small-talk replies.
alter table faq_entries add column language text not null default 'en' check (language ~ '^[a-z]{2}$');
alter table faq_entries add column answer_embedding real[];

create table faq_variants (
    id              uuid primary key,
    faq_id          uuid not null references faq_entries (id) on delete cascade,
    workspace_id    uuid not null references workspaces (id) on delete cascade,
    text            text not null check (length(text) <= 500),
    source          text not null check (source in ('author', 'agent')),
    embedding       real[],
    embedding_model text,
    created_at      timestamptz not null,
    unique (faq_id, text)
);
create index faq_variants_workspace on faq_variants (workspace_id);

-- One row per agent decision about a customer message: the matcher's best candidate scored `score`, and the agent
-- sent that entry (right) or another one (not right).
create table faq_outcomes (
    id           uuid primary key,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    score        double precision not null,
    right_entry  boolean not null,
    created_at   timestamptz not null
);
create index faq_outcomes_workspace on faq_outcomes (workspace_id, created_at desc);

create table faq_settings (
    workspace_id   uuid primary key references workspaces (id) on delete cascade,
    greeting_reply text check (length(greeting_reply) <= 500),
    thanks_reply   text check (length(thanks_reply) <= 500)
);
