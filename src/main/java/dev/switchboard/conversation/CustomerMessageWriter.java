package dev.switchboard.conversation;

import dev.switchboard.common.db.NumberedSql;
import dev.switchboard.webhook.WebhookEvents;
import dev.switchboard.webhook.WebhookOutbox;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Group commit for customer messages: the messages posted meanwhile are written by one statement in autocommit, so
 * PostgreSQL pays a statement, a plan and a commit per batch instead of per message (pgbench on this schema, 16
 * clients: 3.4–3.7 times the messages per second of single appends with batches of 16). Each caller blocks until its
 * batch has committed, so an acknowledged message is in PostgreSQL before the ack. Without concurrency a batch holds
 * one message and waits for nothing: a writer takes whatever is queued the moment it is free.
 *
 * <p>A conversation always goes to the same lane (writer thread), so two batches never lock the same conversation. A
 * batch holds at most one message per conversation, because one statement updates a row once; a later message waits
 * for the next batch, behind the earlier one. A writer never waits for another transaction: a
 * conversation whose row is locked (an agent's action, the bot's answer being stored) is skipped, and that message's
 * caller writes it alone on its own thread, so one busy conversation delays no other's messages. A batch whose
 * statement fails is rolled back as a whole and each caller writes its message alone, so a failure is only its
 * message's.
 */
@ApplicationScoped
public class CustomerMessageWriter {

    private static final Logger LOG = Logger.getLogger(CustomerMessageWriter.class);

    /**
     * The write of a batch: it locks the conversations' rows, setting their last activity, then inserts the messages
     * and their message.created events (whose ids are drawn after the locks, so each conversation's events stay in
     * commit order) and a webhook delivery per subscribed webhook (what {@link WebhookOutbox#record} writes, without
     * its own select). Only conversations the caller may access that are not resolved are written; the others'
     * messages get no row back. A conversation whose row another transaction holds is skipped (its message comes back with a null
     * status), so the writer never waits for someone else's lock: that message's caller writes it alone, with
     * {@link #APPEND_WAITING}, and only it waits. Parameters: arrays (one element per message) of message ids,
     * conversations, workspaces, whether via API key, visitor token hashes, times, contents, event payloads, webhook
     * envelopes and their delivery times; then the event type and the webhook event type.
     */
    public static final String APPEND = append(" skip locked");

    /** {@link #APPEND} that waits for the rows' locks instead of skipping them: for a message written alone. */
    static final String APPEND_WAITING = append("");

    private static String append(String lockWait) {
        return """
            with appended as (
              select * from unnest(?1::uuid[], ?2::uuid[], ?3::uuid[], ?4::boolean[], ?5::text[], ?6::timestamptz[],
                                   ?7::text[], ?8::text[], ?9::text[], ?10::timestamptz[])
                as t(message_id, conversation_id, workspace_id, via_api_key, token_hash, created_at, content,
                     event_payload, envelope, delivery_time)),
            locked as (
              select id from conversations where id = any(?2::uuid[]) for update%s),
            touched as (
              update conversations c set last_activity_at = appended.created_at
                from appended join locked on locked.id = appended.conversation_id
               where c.id = appended.conversation_id and c.status <> 'resolved'
                 and c.workspace_id = appended.workspace_id
                 and (appended.via_api_key or c.visitor_token_hash = appended.token_hash)
              returning c.id as conversation_id, c.status, c.assignee_agent_id, c.assignee_team_id,
                        appended.message_id, appended.workspace_id, appended.created_at, appended.content,
                        appended.event_payload, appended.envelope, appended.delivery_time),
            message as (
              insert into messages (id, conversation_id, role, content, created_at)
              select message_id, conversation_id, 'customer', content, created_at from touched
              returning id, seq),
            event as (
              insert into conversation_events (conversation_id, type, payload, created_at)
              select conversation_id, ?11, event_payload, created_at from touched
              returning id),
            """.formatted(lockWait)
                + WebhookOutbox.deliveries("touched", "touched.workspace_id", "?12", "touched.envelope",
                        "touched.delivery_time")
                + """
            select message.id, touched.status, message.seq, touched.assignee_agent_id, touched.assignee_team_id
              from touched join message on message.id = touched.message_id
            union all
            select message_id, null, null, null, null from appended
             where conversation_id not in (select id from locked)""";
    }

    private static final NumberedSql BATCH = NumberedSql.of(APPEND);
    private static final NumberedSql ALONE = NumberedSql.of(APPEND_WAITING);

    /**
     * A customer message to write; {@code tokenHash} is empty for an API-key caller, who needs no visitor token;
     * {@code envelope} is the webhook body (a {@link WebhookOutbox#envelope} made at {@code deliveryTime}).
     */
    record Append(UUID messageId, UUID conversationId, UUID workspaceId, boolean viaApiKey, String tokenHash,
            Instant createdAt, String content, String eventPayload, String envelope, Instant deliveryTime) {}

    /** What the write found: the conversation's status and assignees, and the message's sequence number. */
    record Appended(ConversationStatus status, long seq, UUID agentId, UUID teamId) {}

    /**
     * A batch's answer to a message it did not write for a reason of its own (its conversation's row was locked, the
     * statement failed, or the writer stopped): the caller writes the message alone.
     */
    private static final Appended WRITE_ALONE = new Appended(null, 0, null, null);

    /** What a caller waits for: its result, or null when nothing was written (see {@link #append}). */
    private record Pending(Append append, CompletableFuture<Appended> done) {}

    @Inject
    AgroalDataSource dataSource;

    @Inject
    MeterRegistry metrics;

    /**
     * Writer threads: each runs one batch at a time on a connection of its own, so this many batches (and pool
     * connections) at most are in flight. One makes the largest batches: on 2 cores, two lanes stored 1,808–1,874
     * messages/s at 16 clients against one lane's 3,289–4,175, with a p99 of 52–55 ms at 64 clients against
     * 33–36 ms (bench/messages.sh, two alternating pairs of runs).
     */
    @ConfigProperty(name = "switchboard.messages.write-lanes", defaultValue = "1")
    int laneCount;

    /** The most messages one statement writes. */
    @ConfigProperty(name = "switchboard.messages.max-batch", defaultValue = "64")
    int maxBatch;

    private final List<Lane> lanes = new ArrayList<>();
    private DistributionSummary batchSizes;

    @PostConstruct
    void start() {
        if (laneCount < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("switchboard.messages.write-lanes and switchboard.messages.max-batch "
                    + "must be at least 1 (are " + laneCount + " and " + maxBatch + ")");
        }
        batchSizes = DistributionSummary.builder("switchboard.messages.write.batch")
                .description("Customer messages written per statement (group commit)")
                .publishPercentileHistogram().register(metrics);
        Gauge.builder("switchboard.messages.write.queued", lanes,
                        all -> all.stream().mapToInt(l -> l.queue.size()).sum())
                .description("Customer messages waiting for a writer (group commit)").register(metrics);
        for (int i = 0; i < laneCount; i++) {
            Lane lane = new Lane();
            lane.thread = Thread.ofPlatform().name("customer-message-writer-" + i).daemon().start(lane::run);
            lanes.add(lane);
        }
    }

    @PreDestroy
    void stop() {
        for (Lane lane : lanes) {
            lane.thread.interrupt();
        }
    }

    /**
     * Writes the message with whatever others are being posted meanwhile and returns once it is committed; null when
     * the conversation is unknown, not the caller's, or resolved (nothing was written).
     *
     * @throws IllegalStateException when the write failed (nothing of this message was written)
     */
    Appended append(Append append) {
        Pending pending = new Pending(append, new CompletableFuture<>());
        Lane lane = lanes.get(laneOf(append.conversationId()));
        lane.queue.add(pending);
        if (lane.stopped) {
            lane.handBackQueued();
        }
        try {
            Appended appended = pending.done().get();
            return appended == WRITE_ALONE ? alone(append) : appended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while customer message " + append.messageId()
                    + " was being written (it may have been stored)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("storing a customer message in conversation " + append.conversationId()
                    + " failed", e.getCause());
        }
    }

    /** One message by one statement on the caller's thread, waiting for its conversation's lock if need be. */
    private Appended alone(Append append) {
        try (Connection connection = dataSource.getConnection()) {
            Appended appended = execute(connection, ALONE, List.of(append)).get(append.messageId());
            return appended == WRITE_ALONE ? null : appended; // no such conversation
        } catch (SQLException e) {
            throw new IllegalStateException("storing a customer message in conversation " + append.conversationId()
                    + " failed", e);
        }
    }

    /** The lane (writer) that writes the conversation's messages. */
    int laneOf(UUID conversationId) {
        return Math.floorMod(conversationId.hashCode(), lanes.size());
    }

    private final class Lane {
        final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        /** Messages held back because their conversation already had one in the batch being built. */
        final ArrayDeque<Pending> deferred = new ArrayDeque<>();
        Thread thread;
        volatile boolean stopped;

        void run() {
            List<Pending> batch = List.of();
            try {
                while (true) {
                    batch = nextBatch();
                    write(batch);
                }
            } catch (InterruptedException e) {
                // the app is stopping
            } finally {
                // Stopping, or killed by an Error: what is still here, and whatever is posted later, its caller writes.
                stopped = true;
                batch.forEach(p -> p.done().complete(WRITE_ALONE));
                deferred.forEach(p -> p.done().complete(WRITE_ALONE));
                handBackQueued();
            }
        }

        /** Held-back messages first, then what is queued; blocks until there is one. */
        private List<Pending> nextBatch() throws InterruptedException {
            List<Pending> candidates = new ArrayList<>(deferred);
            deferred.clear();
            if (candidates.isEmpty()) {
                candidates.add(queue.take());
            }
            queue.drainTo(candidates, Math.max(0, maxBatch - candidates.size()));
            List<Pending> batch = new ArrayList<>(candidates.size());
            Set<UUID> conversations = new HashSet<>();
            for (Pending p : candidates) {
                if (batch.size() < maxBatch && conversations.add(p.append().conversationId())) {
                    batch.add(p);
                } else {
                    deferred.add(p);
                }
            }
            return batch;
        }

        private void write(List<Pending> batch) {
            batchSizes.record(batch.size());
            Map<UUID, Appended> written;
            try (Connection connection = dataSource.getConnection()) {
                written = execute(connection, BATCH, batch.stream().map(Pending::append).toList());
            } catch (SQLException | RuntimeException e) {
                // Rolled back as a whole: each caller writes its own message, so a failure is only its message's.
                LOG.debugf(e, "a batch of %d customer messages failed; each is written alone", batch.size());
                batch.forEach(p -> p.done().complete(WRITE_ALONE));
                return;
            }
            for (Pending p : batch) {
                p.done().complete(written.get(p.append().messageId()));
            }
        }

        /** After the lane stopped: also called by a caller who queued meanwhile, so none waits forever. */
        void handBackQueued() {
            List<Pending> left = new ArrayList<>();
            queue.drainTo(left);
            left.forEach(p -> p.done().complete(WRITE_ALONE));
        }
    }

    /** The statement's result by message id: absent when not written, {@link #WRITE_ALONE} when skipped. */
    private static Map<UUID, Appended> execute(Connection connection, NumberedSql sql, List<Append> batch)
            throws SQLException {
        try (PreparedStatement statement = sql.prepare(connection,
                array(connection, "uuid", batch, Append::messageId),
                array(connection, "uuid", batch, Append::conversationId),
                array(connection, "uuid", batch, Append::workspaceId),
                array(connection, "bool", batch, Append::viaApiKey),
                array(connection, "text", batch, Append::tokenHash),
                array(connection, "text", batch, a -> a.createdAt().toString()),
                array(connection, "text", batch, Append::content),
                array(connection, "text", batch, Append::eventPayload),
                array(connection, "text", batch, Append::envelope),
                array(connection, "text", batch, a -> a.deliveryTime().toString()),
                EventTypes.MESSAGE_CREATED, WebhookEvents.MESSAGE_CREATED);
                ResultSet rows = statement.executeQuery()) {
            Map<UUID, Appended> written = new HashMap<>();
            while (rows.next()) {
                String status = rows.getString(2);
                written.put(rows.getObject(1, UUID.class), status == null ? WRITE_ALONE : new Appended(
                        ConversationStatus.fromCode(status), rows.getLong(3), rows.getObject(4, UUID.class),
                        rows.getObject(5, UUID.class)));
            }
            return written;
        }
    }

    private static Array array(Connection connection, String type, List<Append> batch,
            Function<Append, Object> column) throws SQLException {
        return connection.createArrayOf(type, batch.stream().map(column).toArray());
    }
}
