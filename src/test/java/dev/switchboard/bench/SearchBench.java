package dev.switchboard.bench;

import static dev.switchboard.bench.BenchClient.field;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Search latency on a large workspace: seeds {@code --conversations} conversations (default 100,000) of 3 to 7
 * messages each (customer, bot and agent text from templates: products, order numbers, some German, French and
 * Spanish) straight into the app's PostgreSQL with COPY, plus a tenth as many in a second workspace (noise the
 * workspace filter must skip), labels a fifth of them, then times GET /api/v1/search through the API, one client
 * at a time, for typical queries with and without filters, and prints p50/p99 per query.
 *
 * <p>Run {@code bench/search.sh}: it packages the app, starts it on a fresh embedded PostgreSQL and runs this main
 * with {@code --url --admin-token --jdbc --db-password [--conversations 100000] [--runs 200]}.
 */
public final class SearchBench {

    private static final String[] PRODUCTS = {"jumper", "trainers", "headphones", "laptop sleeve", "rain jacket",
        "coffee grinder", "desk lamp", "backpack", "yoga mat", "phone case", "kettle", "blender", "sofa cushion",
        "winter boots", "smart watch", "toaster", "bike helmet", "tent", "water bottle", "sunglasses"};
    private static final String[] CUSTOMER = {
        "Hi, my order {o} has not arrived yet, where is my parcel with the {p}?",
        "I would like a refund for the {p}, it arrived damaged. Order number {o}.",
        "Can I exchange the {p} for a bigger size? Order {o}",
        "The {p} I bought stopped working after two days, is it under warranty?",
        "Do you ship the {p} to Norway? How long does delivery take?",
        "I was charged twice for order {o}, please check my invoice",
        "How do I return the {p}? I lost the return label for order {o}",
        "Is the {p} back in stock soon? I want to buy two",
        "My discount code did not work when I ordered the {p}",
        "Can I change the delivery address for order {o}? I moved last week",
        "Hallo, meine Bestellung {o} ist noch nicht angekommen. Wo ist das Paket mit dem {p}?",
        "Bonjour, je voudrais un remboursement pour la commande {o}, le {p} est cassé.",
        "Hola, ¿cuándo llega mi pedido {o}? Compré el {p} hace una semana.",
    };
    private static final String[] BOT = {
        "You can return any item within 30 days for a full refund. Print the return label from your account page.",
        "Standard delivery takes 2 to 4 working days; you get a tracking link by e-mail once the parcel ships.",
        "Our warranty covers manufacturing faults for two years. Please send a photo of the fault.",
        "We ship to all EU countries, Norway, Switzerland and the UK. Delivery abroad takes 4 to 7 days.",
        "Discount codes apply at checkout before payment; each code works once per customer.",
        "You can change the delivery address until the order is packed, from the order page.",
    };
    private static final String[] AGENT = {
        "Sorry about that! I have issued a refund for order {o}, it shows on your statement within 5 days.",
        "I checked with the warehouse: your {p} left yesterday, the tracking number is in your e-mail.",
        "I have sent a replacement {p}, no need to return the damaged one.",
        "The double charge on order {o} was a pre-authorisation, it disappears within 3 days.",
        "I have updated the address on order {o} for you.",
    };
    private static final String[] STATUSES = {"bot", "pending", "open", "resolved", "resolved", "resolved"};

    private final BenchClient client;
    private final String adminToken;
    private final String jdbcUrl;
    private final String dbPassword;
    private final SplittableRandom random = new SplittableRandom(42);

    private SearchBench(URI base, String adminToken, String jdbcUrl, String dbPassword) {
        this.client = new BenchClient(base);
        this.adminToken = adminToken;
        this.jdbcUrl = jdbcUrl;
        this.dbPassword = dbPassword;
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
                throw new IllegalArgumentException("missing --" + required + " (usage: --url http://localhost:8080 "
                        + "--admin-token T --jdbc jdbc:postgresql://... --db-password P [--conversations 100000] "
                        + "[--runs 200])");
            }
        }
        new SearchBench(URI.create(opts.get("url")), opts.get("admin-token"), opts.get("jdbc"),
                opts.getOrDefault("db-password", ""))
                .run(Integer.parseInt(opts.getOrDefault("conversations", "100000")),
                        Integer.parseInt(opts.getOrDefault("runs", "200")));
    }

    private record Workspace(String id, String apiKey) {}

    private void run(int conversations, int runs) throws Exception {
        Workspace shop = workspace();
        Workspace noise = workspace();
        List<String> labels = new ArrayList<>();
        for (String name : List.of("refund", "vip", "shipping", "warranty", "billing")) {
            labels.add(field(client.send("POST", "/api/v1/labels", "Bearer " + shop.apiKey(),
                    "{\"name\":\"" + name + "\"}", 201), "id"));
        }
        long t0 = System.nanoTime();
        long messages;
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", dbPassword)) {
            messages = seed(db, shop.id(), conversations, labels) + seed(db, noise.id(), conversations / 10, List.of());
            try (Statement s = db.createStatement()) {
                s.execute("analyze conversations; analyze messages; analyze conversation_labels");
            }
        }
        System.out.printf("seeded %,d + %,d conversations, %,d messages in %.1f s (COPY, then ANALYZE)%n",
                conversations, conversations / 10, messages, (System.nanoTime() - t0) / 1e9);

        String order;
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", dbPassword);
                Statement s = db.createStatement();
                ResultSet r = s.executeQuery("select (regexp_match(m.content, '[0-9]{5}'))[1] from messages m"
                        + " join conversations c on c.id = m.conversation_id where c.workspace_id = '" + shop.id()
                        + "' and m.content ~ '[0-9]{5}' limit 1")) {
            r.next();
            order = r.getString(1); // an order number one conversation names
        }
        String since = LocalDate.now(ZoneOffset.UTC).minusDays(7).toString();
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("order number (rare)", "q=" + order);
        queries.put("refund (common)", "q=refund");
        queries.put("parcel damaged (2 words)", "q=" + enc("parcel damaged"));
        queries.put("deliv (prefix)", "q=deliv");
        queries.put("refund, status resolved", "q=refund&status=resolved");
        queries.put("warranty, label", "q=warranty&label=" + labels.get(3));
        queries.put("invoice, last 7 days", "q=invoice&from=" + since);
        queries.put("bestellung (German)", "q=bestellung");
        queries.put("headphones, open, label", "q=headphones&status=open&label=" + labels.get(1));
        String firstPage = client.send("GET", "/api/v1/search?q=refund", "Bearer " + shop.apiKey(), "", 200);
        queries.put("refund, page 2 (cursor)", "q=refund&cursor=" + field(firstPage, "nextCursor"));

        for (String q : queries.values()) { // warm-up: JIT, plans, caches
            for (int i = 0; i < 10; i++) {
                search(shop, q);
            }
        }
        System.out.printf("GET /api/v1/search (limit 20), one client, %d runs per query, after 10 warm-up runs%n",
                runs);
        System.out.printf("%-28s | %6s | %8s %8s%n", "query", "hits", "p50 ms", "p99 ms");
        List<Long> all = new ArrayList<>();
        for (Map.Entry<String, String> e : queries.entrySet()) {
            long[] nanos = new long[runs];
            int hits = 0;
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                String body = search(shop, e.getValue());
                nanos[i] = System.nanoTime() - start;
                hits = body.split("\"conversationId\"", -1).length - 1;
            }
            Arrays.sort(nanos);
            Arrays.stream(nanos).forEach(all::add);
            System.out.printf("%-28s | %6d | %8.1f %8.1f%n", e.getKey(), hits, pct(nanos, 0.5), pct(nanos, 0.99));
        }
        long[] overall = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-28s | %6s | %8.1f %8.1f%n", "all queries", "", pct(overall, 0.5), pct(overall, 0.99));
        System.out.printf("load average (1 min): %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private Workspace workspace() throws Exception {
        String created = client.send("POST", "/api/v1/workspaces", "Bearer " + adminToken,
                "{\"name\":\"Search bench " + UUID.randomUUID() + "\",\"allowedOrigins\":[]}", 201);
        String id = field(created, "id");
        // The bench measures search latency, not the API key's rate limit.
        client.send("PUT", "/api/v1/workspaces/" + id + "/policy", "Bearer " + adminToken,
                "{\"apiRequestsPerKeyMinute\":1000000}", 200);
        return new Workspace(id, field(created, "apiKey"));
    }

    private String search(Workspace w, String query) throws Exception {
        return client.send("GET", "/api/v1/search?" + query, "Bearer " + w.apiKey(), "", 200);
    }

    /** COPYs the conversations, their messages and labels in batches of 10,000; returns the messages written. */
    private long seed(Connection db, String workspaceId, int conversations, List<String> labels) throws Exception {
        CopyManager copy = new CopyManager(db.unwrap(BaseConnection.class));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long messages = 0;
        for (int from = 0; from < conversations; from += 10_000) {
            StringBuilder cs = new StringBuilder();
            StringBuilder ms = new StringBuilder();
            StringBuilder ls = new StringBuilder();
            for (int i = from; i < Math.min(conversations, from + 10_000); i++) {
                UUID id = UUID.randomUUID();
                Instant created = now.minusSeconds(random.nextLong(90L * 24 * 3600));
                String status = STATUSES[random.nextInt(STATUSES.length)];
                int order = 10000 + random.nextInt(90000);
                String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
                int count = 3 + random.nextInt(5);
                Instant at = created;
                for (int m = 0; m < count; m++) {
                    at = at.plusSeconds(5 + random.nextInt(600));
                    String role = m % 2 == 0 ? "customer" : status.equals("bot") || m == 1 ? "bot" : "agent";
                    String text = switch (role) {
                        case "customer" -> CUSTOMER[random.nextInt(CUSTOMER.length)];
                        case "bot" -> BOT[random.nextInt(BOT.length)];
                        default -> AGENT[random.nextInt(AGENT.length)];
                    };
                    text = text.replace("{o}", Integer.toString(order)).replace("{p}", product);
                    ms.append(UUID.randomUUID()).append(',').append(id).append(',').append(role).append(",\"")
                            .append(text.replace("\"", "\"\"")).append("\",").append(at).append('\n');
                }
                messages += count;
                cs.append(id).append(',').append(workspaceId).append(",visitor-").append(i).append(',')
                        .append(status).append(',').append(status.equals("bot") ? "" : "customer_request")
                        .append(',').append(created).append(',').append(at).append('\n');
                if (!labels.isEmpty() && random.nextInt(5) == 0) {
                    ls.append(id).append(',').append(labels.get(random.nextInt(labels.size()))).append(',')
                            .append(at).append('\n');
                }
            }
            copy.copyIn("copy conversations (id, workspace_id, visitor_id, status, handoff_reason, created_at, "
                    + "last_activity_at) from stdin (format csv)", new StringReader(cs.toString()));
            copy.copyIn("copy messages (id, conversation_id, role, content, created_at) from stdin (format csv)",
                    new StringReader(ms.toString()));
            if (!ls.isEmpty()) {
                copy.copyIn("copy conversation_labels (conversation_id, label_id, created_at) from stdin "
                        + "(format csv)", new StringReader(ls.toString()));
            }
        }
        return messages;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

}
