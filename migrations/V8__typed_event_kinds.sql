-- Status changes carry their new status and handoff reason as typed columns, so analytics counts handoffs with an
-- index instead of parsing every event's JSON; null for other event types (codes as in conversations, written from
-- the same enums). Existing rows are filled from the JSON.
alter table conversation_events add column status text, add column handoff_reason text;

update conversation_events
   set status = payload::jsonb ->> 'status',
       handoff_reason = payload::jsonb ->> 'handoffReason'
 where type = 'conversation.status_changed';

create index conversation_events_handoffs on conversation_events (conversation_id, created_at)
    where status = 'pending';

-- Model answers name their workspace, so the bot's figures are read without joining the conversation room's tables.
alter table model_answers add column workspace_id uuid references workspaces (id) on delete cascade;

update model_answers a set workspace_id = c.workspace_id from conversations c where c.id = a.conversation_id;

alter table model_answers alter column workspace_id set not null;
create index model_answers_workspace_created on model_answers (workspace_id, created_at);
