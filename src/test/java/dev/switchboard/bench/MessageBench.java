package dev.switchboard.bench;

import dev.switchboard.common.db.NumberedSql;
import dev.switchboard.conversation.ConversationService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Customer messages per second through the REST API, with the bot answering each from the FAQ meanwhile and with
 * the bot out of the way (conversations handed to a person: messages are only stored), next to plain single-row
 * INSERTs into the same PostgreSQL over JDBC at the same concurrency; and the bot's FAQ answer latency (from
 * receiving the committed message to committing the answer) read from the histogram on /q/metrics.
 *
 * <p>Run {@code bench/messages.sh}: it packages the app, starts it on a fresh embedded PostgreSQL and runs this
 * main with {@code --url --admin-token --jdbc [--clients 1,16,64] [--seconds 10]}.
 */
public final class MessageBench {

    private static final String FAQ_QUESTION = "What is your return policy?";
    private static final String FAQ_ANSWER = "You can return any item within 30 days for a full refund.";
    private static final String FAQ_TIMER = "switchboard_bot_faq_latency_seconds";
    private static final NumberedSql APPEND = NumberedSql.of(ConversationService.APPEND_CUSTOMER_MESSAGE);

    private final URI base;
    private final String adminToken;
    private final String jdbcUrl;
    private final String dbPassword;
    private final BenchClient client;
    private String apiKey;

    private MessageBench(URI base, String adminToken, String jdbcUrl, String dbPassword) {
        this.base = base;
        this.client = new BenchClient(base);
        this.adminToken = adminToken;
        this.jdbcUrl = jdbcUrl;
        this.dbPassword = dbPassword;
    }

    /** As the app's superuser: the embedded server wants the password it generated (beside its data directory). */
    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", dbPassword);
    }

    /** One client's operation; returns when it is done. */
    private interface Op {
        void run() throws Exception;
    }

    private record Run(long count, double seconds, long[] sortedNanos) {
        double perSecond() {
            return count / seconds;
        }

        double percentileMs(double p) {
            return sortedNanos.length == 0 ? Double.NaN
                    : sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(p * sortedNanos.length))] / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("url", "admin-token", "jdbc")) {
            if (!opts.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required
                        + " (usage: --url http://localhost:8080 --admin-token T --jdbc jdbc:postgresql://... "
                        + "[--clients 1,16,64] [--seconds 10])");
            }
        }
        int[] clients = Arrays.stream(opts.getOrDefault("clients", "1,16,64").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        Duration duration = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "10")));
        new MessageBench(URI.create(opts.get("url")), opts.get("admin-token"), opts.get("jdbc"),
                opts.getOrDefault("db-password", ""))
                .run(clients, duration);
    }

    private void run(int[] levels, Duration duration) throws Exception {
        String created = send("POST", "/api/v1/workspaces", "Bearer " + adminToken,
                "{\"name\":\"Bench " + UUID.randomUUID() + "\",\"allowedOrigins\":[]}", 201);
        apiKey = field(created, "apiKey");
        // The bench measures throughput, not the API key's rate limit.
        send("PUT", "/api/v1/workspaces/" + field(created, "id") + "/policy", "Bearer " + adminToken,
                "{\"apiRequestsPerKeyMinute\":1000000}", 200);
        send("POST", "/api/v1/faqs", "Bearer " + apiKey,
                "{\"question\":\"" + FAQ_QUESTION + "\",\"answer\":\"" + FAQ_ANSWER + "\"}", 201);
        try (Connection setup = connect()) {
            try (Statement s = setup.createStatement()) {
                s.execute("create table if not exists bench_inserts (id bigserial primary key, "
                        + "conversation_id uuid not null, content text not null, created_at timestamptz not null)");
            }
        }
        System.out.printf("POST /api/v1/conversations/{id}/messages, one conversation per client, vs single-row "
                + "INSERT autocommit over JDBC into the same PostgreSQL; %d s per run%n", duration.toSeconds());
        System.out.printf("%-7s | %-26s | %-26s | %-26s | %-9s | %-17s | %s%n", "", "API, bot answering",
                "API, store only (handed off)", "JDBC single-row INSERT", "store/INS", "bot FAQ answer", "load");
        System.out.printf("%-7s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s | %9s | %8s %8s | %s%n", "clients",
                "msg/s", "p50 ms", "p99 ms", "msg/s", "p50 ms", "p99 ms", "rows/s", "p50 ms", "p99 ms", "rate",
                "p50 ms", "p99 ms", "1 min avg");
        measureApi(Math.max(4, levels[0]), Duration.ofSeconds(3), true); // warm-up: JIT, connection pools
        for (int level : levels) {
            Map<Double, Double> before = faqBuckets();
            Run api = measureApi(level, duration, true);
            double[] faq = percentilesMs(before, faqBuckets(), 0.5, 0.99);
            Run stored = measureApi(level, duration, false);
            Run insert = measureInserts(level, duration);
            // The ratio the write path is judged by: stored messages per INSERT of the same run and machine.
            System.out.printf("%-7d | %8.0f %8.2f %8.2f | %8.0f %8.2f %8.2f | %8.0f %8.2f %8.2f | %8.0f%% | %8s %8s | "
                            + "%.2f%n", level,
                    api.perSecond(), api.percentileMs(0.5), api.percentileMs(0.99),
                    stored.perSecond(), stored.percentileMs(0.5), stored.percentileMs(0.99),
                    insert.perSecond(), insert.percentileMs(0.5), insert.percentileMs(0.99),
                    100 * stored.perSecond() / insert.perSecond(), bucketMs(faq[0]), bucketMs(faq[1]),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        measureStatements(field(send("POST", "/api/v1/conversations", "Bearer " + apiKey,
                "{\"visitorId\":\"bench-statements\"}", 201), "id"), 2000);
        System.out.println("FAQ p50/p99: upper bounds of the timer's histogram buckets for the answers of that level "
                + "(queueing behind earlier messages of the same conversation included; messages posted while the "
                + "bot is busy with their conversation get one answer, to the latest).");
    }

    /**
     * What each statement of the message write costs, issued over JDBC into a conversation of the bench's workspace
     * and timed one by one (the mean in microseconds per statement): the one statement the store-only path runs now
     * (webhook deliveries included, in autocommit: it commits before it answers), and, for comparison, the ones it
     * ran in a transaction before (lock, message, event, last activity, webhook subscriptions, commit).
     */
    private void measureStatements(String conversationId, int rounds) throws Exception {
        UUID conversation = UUID.fromString(conversationId);
        try (Connection c = connect(); Connection auto = connect()) {
            c.setAutoCommit(false);
            UUID workspace;
            try (PreparedStatement ws = c.prepareStatement("select workspace_id from conversations where id = ?")) {
                ws.setObject(1, conversation);
                try (ResultSet rs = ws.executeQuery()) {
                    rs.next();
                    workspace = rs.getObject(1, UUID.class);
                }
            }
            c.rollback();
            // The app's statement as the app runs it: alone, in autocommit, on a connection of its own.
            PreparedStatement append = auto.prepareStatement(APPEND.jdbc());
            String[] nowNames = {"append in autocommit (one round trip)"};
            Op[] now = {() -> {
                Object at = OffsetDateTime.now();
                APPEND.bind(append, at, conversation, workspace, true, "", UUID.randomUUID(), FAQ_QUESTION,
                        "message.created", "{\"content\":\"" + FAQ_QUESTION + "\"}", at, "message.created",
                        "{\"type\":\"message.created\"}", at);
                append.executeQuery().close();
            }};
            PreparedStatement webhooks = c.prepareStatement(
                    "select * from webhooks where workspace_id = ? and ? = any(events)");
            webhooks.setObject(1, workspace);
            webhooks.setString(2, "message.created");
            PreparedStatement lock = c.prepareStatement(
                    "select workspace_id, status, visitor_token_hash from conversations where id = ? for update");
            lock.setObject(1, conversation);
            PreparedStatement message = c.prepareStatement("insert into messages (id, conversation_id, role, content,"
                    + " created_at) values (?, ?, 'customer', ?, now())");
            message.setObject(2, conversation);
            message.setString(3, FAQ_QUESTION);
            PreparedStatement event = c.prepareStatement("insert into conversation_events (conversation_id, type,"
                    + " payload, created_at) values (?, 'message.created', ?, now()) returning id");
            event.setObject(1, conversation);
            event.setString(2, "{\"content\":\"" + FAQ_QUESTION + "\"}");
            PreparedStatement touch = c.prepareStatement(
                    "update conversations set last_activity_at = now() where id = ?");
            touch.setObject(1, conversation);
            String[] beforeNames = {"select ... for update", "insert message", "insert event", "update last activity",
                "select webhooks", "commit"};
            Op[] before = {() -> lock.executeQuery().close(),
                () -> {
                    message.setObject(1, UUID.randomUUID());
                    message.executeUpdate();
                },
                () -> event.executeQuery().close(), touch::executeUpdate, () -> webhooks.executeQuery().close(),
                c::commit};
            // Warmed up, then alternating round by round (and which goes first), so both see the same JIT state, the
            // same load, and the same share of rounds that start right after the other's commit.
            long[] nowNanos = new long[now.length];
            long[] beforeNanos = new long[before.length];
            for (int r = 0; r < rounds / 10; r++) {
                timeRound(now, new long[now.length]);
                timeRound(before, new long[before.length]);
            }
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    timeRound(now, nowNanos);
                    timeRound(before, beforeNanos);
                } else {
                    timeRound(before, beforeNanos);
                    timeRound(now, nowNanos);
                }
            }
            printCosts("now", rounds, nowNames, nowNanos);
            printCosts("before", rounds, beforeNames, beforeNanos);
        }
    }

    private static void timeRound(Op[] statements, long[] nanos) throws Exception {
        long t = System.nanoTime();
        for (int i = 0; i < statements.length; i++) {
            statements[i].run();
            t = lap(nanos, i, t);
        }
    }

    private static void printCosts(String which, int rounds, String[] names, long[] nanos) {
        long total = 0;
        StringBuilder line = new StringBuilder("Statement costs of the message write (" + which + "), 1 client, mean of "
                + rounds + " (µs):");
        for (int i = 0; i < names.length; i++) {
            line.append(String.format(" %s %.0f;", names[i], nanos[i] / 1e3 / rounds));
            total += nanos[i];
        }
        System.out.println(line.append(String.format(" total %.0f", total / 1e3 / rounds)));
    }

    private static long lap(long[] nanos, int i, long since) {
        long now = System.nanoTime();
        nanos[i] += now - since;
        return now;
    }

    /**
     * Posts FAQ questions, each client into its own conversation. With the bot: it answers meanwhile, and the run
     * ends when it has caught up. Without: the conversations were handed to a person first, so messages are only
     * stored (the platform's write path alone).
     */
    private Run measureApi(int clients, Duration duration, boolean withBot) throws Exception {
        String[] conversations = new String[clients];
        for (int i = 0; i < clients; i++) {
            conversations[i] = field(send("POST", "/api/v1/conversations", "Bearer " + apiKey,
                    "{\"visitorId\":\"bench-" + i + "\"}", 201), "id");
            if (!withBot) {
                send("POST", "/api/v1/conversations/" + conversations[i] + "/messages", "Bearer " + apiKey,
                        "{\"content\":\"I want to talk to a human\"}", 201);
            }
        }
        if (!withBot) {
            awaitStatus(conversations, "pending");
        }
        String body = "{\"content\":\"" + FAQ_QUESTION + "\"}";
        Run run = measure(clients, duration, i -> () -> send("POST",
                "/api/v1/conversations/" + conversations[i] + "/messages", "Bearer " + apiKey, body, 201));
        if (withBot) {
            awaitBotDrained(conversations);
        }
        return run;
    }

    private void awaitStatus(String[] conversations, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (String conversation : conversations) {
            while (!field(send("GET", "/api/v1/conversations/" + conversation, "Bearer " + apiKey, "", 200),
                    "status").equals(status)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("conversation " + conversation + " never became " + status);
                }
                Thread.sleep(50);
            }
        }
    }

    private Run measureInserts(int clients, Duration duration) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                connections.add(connect());
            }
            return measure(clients, duration, i -> {
                PreparedStatement insert = prepare(connections.get(i));
                UUID conversation = UUID.randomUUID();
                return () -> {
                    insert.setObject(1, conversation);
                    insert.setString(2, FAQ_QUESTION);
                    insert.executeUpdate();
                };
            });
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    private static PreparedStatement prepare(Connection c) {
        try {
            return c.prepareStatement(
                    "insert into bench_inserts (conversation_id, content, created_at) values (?, ?, now())");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface ClientOps {
        Op forClient(int client) throws Exception;
    }

    /** Runs every client in a loop for the duration; each records its operations' latencies. */
    private static Run measure(int clients, Duration duration, ClientOps ops) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Op op = ops.forClient(c);
            long[][] mine = {new long[1024]};
            int[] n = {0};
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        op.run();
                        if (n[0] == mine[0].length) {
                            mine[0] = Arrays.copyOf(mine[0], n[0] * 2);
                        }
                        mine[0][n[0]++] = System.nanoTime() - t0;
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
                synchronized (latencies) {
                    latencies.add(Arrays.copyOf(mine[0], n[0]));
                }
            }));
        }
        Thread.sleep(duration);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " client(s) failed", failures.getFirst());
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Run(all.length, seconds, all);
    }

    /**
     * Waits until the bot has caught up: every conversation's last message is its answer. (Messages posted while
     * the bot is busy with the conversation are answered together, with one answer to the latest.)
     */
    private void awaitBotDrained(String[] conversations) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        for (String conversation : conversations) {
            while (!send("GET", "/api/v1/conversations/" + conversation + "/messages", "Bearer " + apiKey, "", 200)
                    .replaceAll("(?s).*\"role\":\"([a-z]+)\".*", "$1").equals("bot")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the bot did not catch up within 5 minutes");
                }
                Thread.sleep(100);
            }
        }
    }

    /** The FAQ timer's cumulative bucket counts, by upper bound in seconds. */
    private Map<Double, Double> faqBuckets() throws Exception {
        Map<Double, Double> buckets = new TreeMap<>();
        Matcher m = Pattern.compile("^" + FAQ_TIMER + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} (\\S+)$",
                Pattern.MULTILINE).matcher(metrics());
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.merge(le, Double.parseDouble(m.group(2)), Double::sum);
        }
        return buckets;
    }

    /** Percentiles of the samples between two snapshots: the upper bound of the bucket holding each. */
    private static double[] percentilesMs(Map<Double, Double> before, Map<Double, Double> after, double... ps) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0)
                - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        double[] result = new double[ps.length];
        Arrays.fill(result, Double.NaN);
        if (total <= 0) {
            return result;
        }
        for (int i = 0; i < ps.length; i++) {
            for (Map.Entry<Double, Double> e : after.entrySet()) {
                if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= ps[i] * total) {
                    result[i] = e.getKey() * 1000;
                    break;
                }
            }
        }
        return result;
    }

    private static String bucketMs(double ms) {
        return Double.isNaN(ms) ? "n/a" : Double.isInfinite(ms) ? "> max" : String.format("<=%.0f", ms);
    }

    private String metrics() throws IOException, InterruptedException {
        return client.send("GET", "/q/metrics", "", "", 200);
    }

    private String send(String method, String path, String authorization, String json, int expected)
            throws IOException, InterruptedException {
        return client.send(method, path, authorization, json, expected);
    }

    private static String field(String json, String name) {
        return BenchClient.field(json, name);
    }
}
