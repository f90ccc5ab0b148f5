-- Suggested FAQ entries (faq/FaqSuggestions) are computed from questions agents answered by hand; this remembers
-- which of those questions a suggestion was already accepted or dismissed with, so it is not suggested again.
create table faq_suggestion_decisions (
    workspace_id uuid not null references workspaces (id) on delete cascade,
    -- No foreign key: the decision outlives the message (a visitor's erasure must not bring a suggestion back).
    message_id   uuid not null,
    decision     text not null check (decision in ('accepted', 'dismissed')),
    decided_at   timestamptz not null,
    primary key (workspace_id, message_id)
);
