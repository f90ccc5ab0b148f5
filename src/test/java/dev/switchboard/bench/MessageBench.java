package dev.switchboard.bench;

import dev.switchboard.common.db.NumberedSql;
import dev.switchboard.conversation.CustomerMessageWriter;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * main with {@code --url --admin-token --jdbc [--clients 1,16,64] [--seconds 10] [--warmup 30]}.
 */
public final class MessageBench {

    private static final String FAQ_QUESTION = "What is your return policy?";
    private static final String FAQ_ANSWER = "You can return any item within 30 days for a full refund.";
    private static final String FAQ_TIMER = "switchboard_bot_faq_latency_seconds";
    private static final NumberedSql APPEND = NumberedSql.of(CustomerMessageWriter.APPEND);

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
                        + "[--clients 1,16,64] [--seconds 10] [--warmup 30])");
            }
        }
        int[] clients = Arrays.stream(opts.getOrDefault("clients", "1,16,64").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        Duration duration = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "10")));
        new MessageBench(URI.create(opts.get("url")), opts.get("admin-token"), opts.get("jdbc"),
                opts.getOrDefault("db-password", ""))
                .run(clients, duration, Duration.ofSeconds(Long.parseLong(opts.getOrDefault("warmup", "30"))));
    }

    private void run(int[] levels, Duration duration, Duration warmup) throws Exception {
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
                + "INSERT autocommit over JDBC into the same PostgreSQL; %d s per run, after %d s of warm-up%n",
                duration.toSeconds(), warmup.toSeconds());
        System.out.printf("%-7s | %-26s | %-26s | %-26s | %-9s | %-17s | %s%n", "", "API, bot answering",
                "API, store only (handed off)", "JDBC single-row INSERT", "store/INS", "bot FAQ answer", "load");
        System.out.printf("%-7s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s | %9s | %8s %8s | %s%n", "clients",
                "msg/s", "p50 ms", "p99 ms", "msg/s", "p50 ms", "p99 ms", "rows/s", "p50 ms", "p99 ms", "rate",
                "p50 ms", "p99 ms", "1 min avg");
        // Warm-up, both ways: on 2 busy cores the JIT needs tens of seconds to compile the app's hot paths, and the
        // levels measure the app as it runs for hours, not its first minute.
        measureApi(Math.max(4, levels[0]), warmup.dividedBy(2), true);
        measureApi(Math.max(4, levels[0]), warmup.dividedBy(2), false);
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
        List<UUID> statementConversations = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            statementConversations.add(UUID.fromString(field(send("POST", "/api/v1/conversations", "Bearer " + apiKey,
                    "{\"visitorId\":\"bench-statements-" + i + "\"}", 201), "id")));
        }
        measureStatements(statementConversations, 1000);
        System.out.println("FAQ p50/p99: upper bounds of the timer's histogram buckets for the answers of that level "
                + "(queueing behind earlier messages of the same conversation included; messages posted while the "
                + "bot is busy with their conversation get one answer, to the latest).");
    }

    /**
     * What the message write costs when PostgreSQL is not shared: the writer's statement over JDBC in autocommit, as
     * the app runs it, with one message and with {@code conversations.size()} (one each), alternating round by round
     * after a warm-up; the mean per statement and per message in microseconds.
     */
    private void measureStatements(List<UUID> conversations, int rounds) throws Exception {
        try (Connection c = connect()) {
            UUID workspace;
            try (PreparedStatement ws = c.prepareStatement("select workspace_id from conversations where id = ?")) {
                ws.setObject(1, conversations.getFirst());
                try (ResultSet rs = ws.executeQuery()) {
                    rs.next();
                    workspace = rs.getObject(1, UUID.class);
                }
            }
            PreparedStatement append = c.prepareStatement(APPEND.jdbc());
            int[] sizes = {1, conversations.size()};
            long[] nanos = new long[sizes.length];
            for (int r = -rounds / 10; r < rounds; r++) {
                for (int k = 0; k < sizes.length; k++) {
                    int size = sizes[(r & 1) == 0 ? k : sizes.length - 1 - k];
                    long t0 = System.nanoTime();
                    appendBatch(c, append, workspace, conversations.subList(0, size));
                    if (r >= 0) {
                        nanos[size == 1 ? 0 : 1] += System.nanoTime() - t0;
                    }
                }
            }
            System.out.printf("The message write's statement, 1 client, in autocommit, mean of %d: %d message: "
                    + "%.0f µs; %d messages: %.0f µs (%.0f µs per message)%n", rounds, sizes[0], nanos[0] / 1e3 / rounds,
                    sizes[1], nanos[1] / 1e3 / rounds, nanos[1] / 1e3 / rounds / sizes[1]);
        }
    }

    /** One message into each conversation, by one statement, with what the app binds (no webhooks subscribed). */
    private static void appendBatch(Connection c, PreparedStatement append, UUID workspace, List<UUID> conversations)
            throws SQLException {
        int n = conversations.size();
        String at = Instant.now().toString();
        String[] times = new String[n];
        Arrays.fill(times, at);
        APPEND.bind(append,
                c.createArrayOf("uuid", conversations.stream().map(x -> UUID.randomUUID()).toArray()),
                c.createArrayOf("uuid", conversations.toArray()),
                c.createArrayOf("uuid", Collections.nCopies(n, workspace).toArray()),
                c.createArrayOf("bool", Collections.nCopies(n, true).toArray()),
                c.createArrayOf("text", Collections.nCopies(n, "").toArray()),
                c.createArrayOf("text", times),
                c.createArrayOf("text", Collections.nCopies(n, FAQ_QUESTION).toArray()),
                c.createArrayOf("text", Collections.nCopies(n, "{\"content\":\"" + FAQ_QUESTION + "\"}")
                        .toArray()),
                c.createArrayOf("text", Collections.nCopies(n, "{\"type\":\"message.created\"}").toArray()),
                c.createArrayOf("text", times), "message.created", "message.created");
        try (ResultSet rows = append.executeQuery()) {
            int written = 0;
            while (rows.next()) {
                written++;
            }
            if (written != n) {
                throw new IllegalStateException("the statement wrote " + written + " of " + n + " messages");
            }
        }
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
        List<KeepAliveConnection> connections = new ArrayList<>();
        Run run;
        try {
            for (int i = 0; i < clients; i++) {
                connections.add(new KeepAliveConnection(base));
            }
            run = measure(clients, duration, i -> () -> connections.get(i).send("POST",
                    "/api/v1/conversations/" + conversations[i] + "/messages", "Bearer " + apiKey, body, 201));
        } finally {
            for (KeepAliveConnection c : connections) {
                c.close();
            }
        }
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
