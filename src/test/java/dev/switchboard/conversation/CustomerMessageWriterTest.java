package dev.switchboard.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.switchboard.common.ApiException;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.workspace.Caller;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit of customer messages: what is posted while a writer is busy is written together, by one statement
 * (one transaction: the rows share their {@code xmin}), and each post is acknowledged only after that commit. A
 * writer is held busy here by a lock on the events table, which its statement inserts into.
 */
@QuarkusTest
class CustomerMessageWriterTest {

    @Inject
    ConversationService conversations;

    @Inject
    CustomerMessageWriter writer;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    private final ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void closePosters() {
        posters.close();
    }

    @Test
    void messagesPostedWhileTheWriterIsBusyAreWrittenTogetherOnePerConversation() throws Exception {
        Caller caller = apiCaller();
        List<UUID> lane = conversationsOfOneLane(caller, 6);
        UUID held = lane.getFirst();
        Caller stranger = apiCaller();

        Map<String, Future<Message>> posted = new HashMap<>();
        try (Connection lock = db.getConnection()) {
            lockEvents(lock);
            posted.put("first", post(caller, held, "first"));
            awaitBlockedWriter();
            // One by one, so they queue in this order.
            int queued = 0;
            for (int i = 1; i <= 4; i++) {
                posted.put("b" + i, post(caller, lane.get(i), "b" + i));
                awaitQueued(++queued);
            }
            posted.put("again 1", post(caller, held, "again 1"));
            awaitQueued(++queued);
            posted.put("again 2", post(caller, held, "again 2"));
            awaitQueued(++queued);
            posted.put("stranger", post(stranger, lane.get(5), "not yours"));
            awaitQueued(++queued);
            lock.rollback();
            lock.setAutoCommit(true);
        }

        Map<String, String> xmin = new HashMap<>();
        for (var e : posted.entrySet()) {
            if (!e.getKey().equals("stranger")) {
                xmin.put(e.getKey(), xminOf(e.getValue().get().id));
            }
        }
        // What queued behind the first message went in one statement, with one more message of its conversation.
        String batch = xmin.get("b1");
        assertEquals(List.of(batch, batch, batch, batch, batch),
                List.of(xmin.get("b1"), xmin.get("b2"), xmin.get("b3"), xmin.get("b4"), xmin.get("again 1")));
        assertNotEquals(xmin.get("first"), batch);
        assertNotEquals(batch, xmin.get("again 2"), "a second message of a conversation waits for the next batch");
        ExecutionException refused = assertThrows(ExecutionException.class, () -> posted.get("stranger").get());
        assertEquals(404, assertInstanceOf(ApiException.class, refused.getCause()).status());

        assertEquals(List.of("first", "again 1", "again 2"),
                conversations.messages(held).stream().map(m -> m.content).toList());
        for (int i = 1; i <= 4; i++) {
            assertEquals(List.of("b" + i), conversations.messages(lane.get(i)).stream().map(m -> m.content).toList());
        }
        assertEquals(List.of(), conversations.messages(lane.get(5)));
        for (UUID conversation : lane) {
            assertEquals(conversations.messages(conversation).size(), countEvents(conversation),
                    "one message.created event per message");
        }
    }

    @Test
    void aBatchWhoseStatementFailsIsWrittenMessageByMessageSoOnlyTheFailingMessageFails() throws Exception {
        Caller caller = apiCaller();
        List<UUID> lane = conversationsOfOneLane(caller, 4);
        String poison = "poison " + UUID.randomUUID();
        try (Connection ddl = db.getConnection(); Statement s = ddl.createStatement()) {
            // What a user never sees, so the test makes it: a row PostgreSQL refuses, failing the whole statement.
            s.execute("create or replace function refuse_poison() returns trigger language plpgsql as "
                    + "$$ begin raise exception 'refused'; end $$");
            s.execute("create trigger refuse_poison before insert on messages for each row when (new.content = '"
                    + poison + "') execute function refuse_poison()");
        }
        try {
            Future<Message> first;
            List<Future<Message>> batch = new ArrayList<>();
            Future<Message> poisoned;
            try (Connection lock = db.getConnection()) {
                lockEvents(lock);
                first = post(caller, lane.getFirst(), "first");
                awaitBlockedWriter();
                batch.add(post(caller, lane.get(1), "fine 1"));
                awaitQueued(1);
                poisoned = post(caller, lane.get(2), poison);
                awaitQueued(2);
                batch.add(post(caller, lane.get(3), "fine 3"));
                awaitQueued(3);
                lock.rollback();
                lock.setAutoCommit(true);
            }
            first.get();
            ExecutionException failed = assertThrows(ExecutionException.class, poisoned::get);
            assertInstanceOf(IllegalStateException.class, failed.getCause());
            assertNotEquals(xminOf(batch.get(0).get().id), xminOf(batch.get(1).get().id), "written one by one");
            assertEquals(List.of(), conversations.messages(lane.get(2)));
            assertEquals(0, countEvents(lane.get(2)));
            assertEquals(List.of("fine 3"), conversations.messages(lane.get(3)).stream().map(m -> m.content).toList());
        } finally {
            try (Connection ddl = db.getConnection(); Statement s = ddl.createStatement()) {
                s.execute("drop trigger refuse_poison on messages");
                s.execute("drop function refuse_poison()");
            }
        }
    }

    @Test
    void aConversationLockedByAnotherTransactionDelaysOnlyItsOwnMessage() throws Exception {
        Caller caller = apiCaller();
        List<UUID> lane = conversationsOfOneLane(caller, 2);
        Future<Message> busy;
        try (Connection lock = db.getConnection()) {
            lockRow(lock, lane.get(0));
            busy = post(caller, lane.get(0), "waits for the lock");
            awaitBlockedWriter(); // its caller's own statement, once the writer skipped the locked row
            Message other = post(caller, lane.get(1), "not held up").get(10, TimeUnit.SECONDS);
            assertEquals(List.of(other.id), conversations.messages(lane.get(1)).stream().map(m -> m.id).toList());
            assertFalse(busy.isDone());
            lock.rollback();
            lock.setAutoCommit(true);
        }
        assertEquals(List.of(busy.get().id), conversations.messages(lane.get(0)).stream().map(m -> m.id).toList());
        assertEquals(1, countEvents(lane.get(0)));
    }

    @Test
    void aStoppedWriterHandsMessagesBackToTheirCallers() {
        Caller caller = apiCaller();
        UUID conversation = conversationsOfOneLane(caller, 1).getFirst();
        CustomerMessageWriter stopped = new CustomerMessageWriter();
        stopped.dataSource = db;
        stopped.metrics = new SimpleMeterRegistry();
        stopped.laneCount = 1;
        stopped.maxBatch = 64;
        stopped.start();
        stopped.stop();

        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID id = UUID.randomUUID();
        CustomerMessageWriter.Appended appended = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> stopped.append(new CustomerMessageWriter.Append(id, conversation, caller.workspaceId(), true, "",
                        now, "after the stop", "{}", "{}", now)));

        assertEquals(ConversationStatus.BOT, appended.status());
        assertEquals(List.of(id), conversations.messages(conversation).stream().map(m -> m.id).toList());
    }

    private Future<Message> post(Caller caller, UUID conversation, String content) {
        return posters.submit(() -> conversations.postCustomerMessage(caller, conversation, null, content));
    }

    /** An API-key caller of a new workspace, with nobody answering its customers (the test plays the bot). */
    private Caller apiCaller() {
        NoBot.install();
        return new Caller(UUID.fromString(TestWorkspaces.create().id()), true);
    }

    /** New conversations of the caller's workspace whose messages the same writer writes. */
    private List<UUID> conversationsOfOneLane(Caller caller, int count) {
        List<UUID> lane = new ArrayList<>();
        int which = -1;
        while (lane.size() < count) {
            UUID c = conversations.start(caller, "visitor-" + UUID.randomUUID()).conversation().id;
            if (which < 0) {
                which = writer.laneOf(c);
            }
            if (writer.laneOf(c) == which) {
                lane.add(c);
            }
        }
        return lane;
    }

    /** Holds a writer's statement at its event insert until the connection's transaction ends. */
    private static void lockEvents(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("lock table conversation_events in exclusive mode");
        }
    }

    private static void lockRow(Connection connection, UUID conversation) throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement s = connection.prepareStatement("select 1 from conversations where id = ? for update")) {
            s.setObject(1, conversation);
            s.executeQuery().close();
        }
    }

    /** Until a statement storing messages waits for the test's lock. */
    private void awaitBlockedWriter() {
        Await.until("a message's statement waits for the test's lock", () -> {
            try (Connection c = db.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where wait_event_type = "
                            + "'Lock' and query like '%unnest%'")) {
                rs.next();
                return rs.getInt(1) == 1;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void awaitQueued(int count) {
        Await.until(count + " messages queued", () -> metrics.get("switchboard.messages.write.queued").gauge()
                .value() == count);
    }

    private String xminOf(UUID message) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("select xmin::text from messages where id = ?")) {
            s.setObject(1, message);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private long countEvents(UUID conversation) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "select count(*) from conversation_events where conversation_id = ? and type = 'message.created'")) {
            s.setObject(1, conversation);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
