-- The chat widget: identity verification and ratings.
-- The identity secret signs visitor ids (HMAC-SHA256) on the business's server; Switchboard must compute the same
-- HMAC to verify, so the secret is stored encrypted (AES-GCM under the master key, see SecretBox), not hashed.
alter table workspaces add column identity_secret_enc text;

-- A visitor the business vouched for (identify with a valid HMAC): visitor_id is then the business's own user id.
alter table conversations add column visitor_verified boolean not null default false;
alter table conversations add column visitor_name text check (visitor_name is null or length(visitor_name) <= 200);
alter table conversations add column visitor_email text check (visitor_email is null or length(visitor_email) <= 320);

-- The customer's rating of a resolved conversation: a score from 1 to 5 and an optional comment.
alter table conversations add column rating smallint check (rating is null or rating between 1 and 5);
alter table conversations add column rating_comment text
    check (rating_comment is null or (rating is not null and length(rating_comment) <= 2000));
alter table conversations add column rated_at timestamptz;
