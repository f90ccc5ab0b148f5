-- Labels: a workspace's own tags (name and colour) that agents put on conversations, and full-text search over
-- messages. Both belong to the conversation room.
create table labels (
    id           uuid primary key,
    workspace_id uuid not null references workspaces (id) on delete cascade,
    name         text not null check (length(name) between 1 and 50),
    colour       text not null check (colour ~ '^#[0-9a-f]{6}$'),
    created_at   timestamptz not null
);
-- "Refund" and "refund" are one label: agents pick by name.
create unique index labels_workspace_name on labels (workspace_id, lower(name));

create table conversation_labels (
    conversation_id uuid not null references conversations (id) on delete cascade,
    label_id        uuid not null references labels (id) on delete cascade,
    created_at      timestamptz not null,
    primary key (conversation_id, label_id)
);
-- The inbox and search filter by label: from the label to its conversations.
create index conversation_labels_label on conversation_labels (label_id, conversation_id);

-- The 'simple' configuration (lower-cased words, no stemming, no stop words): a workspace's customers write in many
-- languages, often several in one conversation, and a per-language stemmer applied to the wrong language mangles
-- words while dropping that language's stop words loses terms; search matches word prefixes instead (refund:*
-- finds refunds, refunded), which works the same in every language that separates words with spaces.
-- A stored column rather than an expression index: ranking reads the vector of every matching row, which an
-- expression index would make PostgreSQL parse again from the text on every search.
alter table messages add column search_vector tsvector generated always as (to_tsvector('simple', content)) stored;
create index messages_search on messages using gin (search_vector);
