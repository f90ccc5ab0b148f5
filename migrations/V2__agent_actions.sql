-- Human agents act on conversations through the API and the dashboard: their replies carry the agent's display
-- name (the widget shows who is answering), and a conversation a human took over names that agent.
alter table messages add column author_name text;
alter table messages add constraint messages_author_only_for_agents
    check (author_name is null or (role = 'agent' and length(author_name) between 1 and 100));

alter table conversations add column agent_name text check (agent_name is null or length(agent_name) <= 100);
