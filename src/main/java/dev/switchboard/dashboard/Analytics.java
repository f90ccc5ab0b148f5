package dev.switchboard.dashboard;

import dev.switchboard.bot.ModelAnswerStats;
import dev.switchboard.conversation.ConversationStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The figures of a workspace's analytics page over the last {@code days} days (UTC), read through the conversation
 * room's {@link ConversationStats} and the bot room's {@link ModelAnswerStats}: nothing is counted twice or kept in
 * memory.
 */
@ApplicationScoped
public class Analytics {

    static final int MAX_DAYS = 90;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd");

    /** The page: one value per section. */
    public record Report(int days, Traffic traffic, Answers answers, Satisfaction satisfaction, Engine engine,
            List<ConversationStats.LabelFigures> labels) {

        public String percent(Double share) {
            return share == null ? "–" : Math.round(share * 100) + " %";
        }

        /** The value with one decimal at most, and its unit; a dash when there is no value. */
        public String fixed(Double value, String unit) {
            return value == null ? "–" : BarChart.number(Math.round(value * 10) / 10.0) + unit;
        }
    }

    /**
     * Conversations, who answered them and how fast.
     *
     * @param deflectionCounts conversations by who answered them: human (an agent wrote), model, faq (only the FAQ
     *                         answered), unanswered
     */
    public record Traffic(long conversations, BarChart perDay, BarChart deflection,
            Map<String, Long> deflectionCounts, BarChart handoffs, BarChart firstResponse,
            Double medianFirstResponseS, Double medianHumanFirstResponseS) {}

    /**
     * Bot answers by source.
     *
     * @param cacheHitRate share of model-sourced answers that came from the answer cache; null without any
     * @param offers how often the bot, unsure and without a model, offered FAQ entries to pick from
     * @param picked how many of those offers the customer picked an entry from
     */
    public record Answers(BarChart chart, long faq, long cached, long model, Double cacheHitRate, long offers,
            long picked) {}

    /** Customer ratings: average 1-5 (null without ratings) and how many. */
    public record Satisfaction(BarChart chart, Double average, long count) {}

    /** The model's generations: totals and per-day charts. */
    public record Engine(ModelAnswerStats.Totals totals, BarChart ttftPerDay, BarChart tokensPerSecondPerDay) {}

    /** First-response buckets, upper bounds in seconds. */
    private static final double[] BUCKETS = {10, 60, 300, 1800};
    private static final String[] BUCKET_LABELS = {"< 10 s", "< 1 min", "< 5 min", "< 30 min", "≥ 30 min"};

    @Inject
    Clock clock;

    @Inject
    ConversationStats conversationStats;

    @Inject
    ModelAnswerStats modelAnswerStats;

    @Inject
    AgentService agents;

    /** One agent's row of the per-agent table (every agent of the workspace, with zeros when idle). */
    public record AgentRow(String name, long assigned, long replies, Double medianFirstResponseS) {}

    /** Per-agent figures over the last {@code days} days (as {@link #report}), by name. */
    public List<AgentRow> perAgent(UUID workspaceId, int days) {
        Instant since = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days - 1L)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<UUID, ConversationStats.AgentFigures> figures = conversationStats.perAgent(workspaceId, since);
        ConversationStats.AgentFigures none = new ConversationStats.AgentFigures(0, 0, null);
        return agents.members(workspaceId).stream().map(a -> {
            ConversationStats.AgentFigures f = figures.getOrDefault(a.id, none);
            return new AgentRow(a.displayName, f.assigned(), f.replies(), f.medianFirstResponseS());
        }).sorted(java.util.Comparator.comparing(AgentRow::name, String.CASE_INSENSITIVE_ORDER)).toList();
    }

    public Report report(UUID workspaceId, int days) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        Instant since = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        ConversationStats.BotAnswers botAnswers = conversationStats.botAnswers(workspaceId, since);
        ModelAnswerStats.Totals generations = modelAnswerStats.totals(workspaceId, since);
        return new Report(days, traffic(workspaceId, since, first, today), answers(botAnswers, generations),
                satisfaction(conversationStats.ratings(workspaceId, since)),
                engine(generations, modelAnswerStats.perDay(workspaceId, since), first, today),
                conversationStats.perLabel(workspaceId, since));
    }

    private Traffic traffic(UUID workspaceId, Instant since, LocalDate first, LocalDate today) {
        Map<LocalDate, Long> perDay = conversationStats.startedPerDay(workspaceId, since);
        Map<String, Long> deflection = conversationStats.answeredBy(workspaceId, since);
        List<Double> seconds = conversationStats.firstResponseSeconds(workspaceId, since);
        long[] buckets = new long[BUCKET_LABELS.length];
        seconds.forEach(s -> {
            int i = 0;
            while (i < BUCKETS.length && s >= BUCKETS[i]) {
                i++;
            }
            buckets[i]++;
        });
        List<BarChart.Point> bucketPoints = new ArrayList<>();
        for (int i = 0; i < buckets.length; i++) {
            bucketPoints.add(new BarChart.Point(BUCKET_LABELS[i], buckets[i]));
        }
        return new Traffic(perDay.values().stream().mapToLong(Long::longValue).sum(),
                BarChart.of("Conversations per day", null, daily(first, today, d -> perDay.getOrDefault(d, 0L))),
                BarChart.of("Who answered (deflection)", "conversations", points(deflection)), deflection,
                BarChart.of("Handoff reasons", "handoffs",
                        points(conversationStats.handoffReasons(workspaceId, since))),
                BarChart.of("First response time", "conversations", bucketPoints), median(seconds),
                conversationStats.medianHumanFirstResponseSeconds(workspaceId, since));
    }

    /** Model-sourced answers without a generation of their own came from the answer cache. */
    private static Answers answers(ConversationStats.BotAnswers stored, ModelAnswerStats.Totals generations) {
        long generated = generations.answered();
        long cached = Math.max(0, stored.model() - generated);
        return new Answers(BarChart.of("Bot answers by source", "answers", List.of(
                        new BarChart.Point("FAQ", stored.faq()), new BarChart.Point("cache", cached),
                        new BarChart.Point("model", generated))),
                stored.faq(), cached, generated, stored.model() == 0 ? null : (double) cached / stored.model(),
                stored.offers(), stored.picked());
    }

    private static Satisfaction satisfaction(long[] ratings) {
        long n = Arrays.stream(ratings).sum();
        long sum = 0;
        List<BarChart.Point> points = new ArrayList<>();
        for (int i = 0; i < ratings.length; i++) {
            sum += (i + 1) * ratings[i];
            points.add(new BarChart.Point("★" + (i + 1), ratings[i]));
        }
        return new Satisfaction(BarChart.of("Customer satisfaction", "ratings", points),
                n == 0 ? null : (double) sum / n, n);
    }

    private static Engine engine(ModelAnswerStats.Totals totals, Map<LocalDate, ModelAnswerStats.Day> perDay,
            LocalDate first, LocalDate today) {
        ModelAnswerStats.Day none = new ModelAnswerStats.Day(0, 0);
        return new Engine(totals,
                BarChart.of("Time to first token", "ms, average",
                        daily(first, today, d -> perDay.getOrDefault(d, none).ttftMs())),
                BarChart.of("Decode speed", "tokens/s",
                        daily(first, today, d -> perDay.getOrDefault(d, none).tokensPerSecond())));
    }

    private static List<BarChart.Point> daily(LocalDate first, LocalDate today, Function<LocalDate, Number> value) {
        List<BarChart.Point> points = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            points.add(new BarChart.Point(DAY.format(d), value.apply(d).doubleValue()));
        }
        return points;
    }

    private static List<BarChart.Point> points(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> new BarChart.Point(e.getKey().replace('_', ' '), e.getValue()))
                .toList();
    }

    private static Double median(List<Double> sorted) {
        if (sorted.isEmpty()) {
            return null;
        }
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
