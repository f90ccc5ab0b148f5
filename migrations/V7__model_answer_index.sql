-- Suffix drafting reads a workspace's latest model answers for every model answer (bot/DraftCorpus): only bot
-- messages written by a model, per conversation of the workspace, newest first.
create index messages_model_answers on messages (conversation_id, created_at desc) where source_model is not null;
