-- A bot message may offer the customer FAQ entries to choose from ("Is your question one of these?") when the
-- matcher came close but is not sure and no model is configured. The entries' ids and their questions as shown,
-- in order: the message is immutable, so a later edit or deletion of an entry does not change what was offered.
alter table messages
    add column offered_faq_ids   uuid[],
    add column offered_questions text[],
    add constraint messages_offers_paired
        check (cardinality(offered_faq_ids) = cardinality(offered_questions));

-- The FAQ page lists what customers wrote before picking an offered entry: offers are few among the messages.
create index messages_offers on messages (conversation_id, seq) where offered_faq_ids is not null;

-- Bot replies written by no model (the workspace's small-talk lines, the offer above) have a source of their own:
-- they were stored under a model name, so statistics of model answers had to leave those names out by hand.
alter table messages
    add column source_kind text check (source_kind in ('small-talk', 'faq-offer'));
update messages set source_kind = 'small-talk', source_model = null where source_model = 'small-talk';
