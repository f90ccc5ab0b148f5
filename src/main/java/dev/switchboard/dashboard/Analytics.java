package dev.switchboard.dashboard;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.HandoffReason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The figures of a workspace's analytics page over the last {@code days} days (UTC), straight from the stored
 * conversations, messages, events and model answers: nothing is counted twice or kept in memory.
 */
@ApplicationScoped
public class Analytics {

    static final int MAX_DAYS = 90;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd");

    /**
     * @param deflection conversations by who answered them: human (an agent wrote), model, faq (only the FAQ
     *                   answered), unanswered
     * @param cacheHitRate share of model-sourced answers that came from the answer cache; null without any
     * @param csatAverage average rating 1-5; null without ratings or without the rating column
     * @param acceptanceLength average speculative acceptance length; null where the model does not report it
     */
    public record Report(int days, long conversations, BarChart perDay, BarChart deflection,
            Map<String, Long> deflectionCounts, BarChart handoffs, BarChart firstResponse, Double medianFirstResponseS,
            Double medianHumanFirstResponseS, BarChart answers, long faqAnswers, long cachedAnswers,
            long modelAnswers, Double cacheHitRate, boolean csatAvailable, BarChart csat, Double csatAverage,
            long csatCount, long generations, Double tokensPerSecond, Double medianTtftMs, Double acceptanceLength,
            BarChart ttftPerDay, BarChart tokensPerSecondPerDay) {

        public String percent(Double share) {
            return share == null ? "–" : Math.round(share * 100) + " %";
        }

        /** The value with one decimal at most, and its unit; a dash when there is no value. */
        public String fixed(Double value, String unit) {
            return value == null ? "–" : BarChart.number(Math.round(value * 10) / 10.0) + unit;
        }
    }

    /** First-response buckets, upper bounds in seconds. */
    private static final double[] BUCKETS = {10, 60, 300, 1800};
    private static final String[] BUCKET_LABELS = {"< 10 s", "< 1 min", "< 5 min", "< 30 min", "≥ 30 min"};

    private volatile Clock clock = Clock.systemUTC();

    void useClock(Clock clock) {
        this.clock = clock;
    }

    @Transactional
    public Report report(UUID workspaceId, int days) {
        EntityManager em = Conversation.getEntityManager();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = today.minusDays(days - 1L);
        Instant since = first.atStartOfDay(ZoneOffset.UTC).toInstant();

        Map<LocalDate, Long> perDay = new HashMap<>();
        rows(em, """
                select (c.created_at at time zone 'UTC')::date, count(*) from conversations c
                 where c.workspace_id = ?1 and c.created_at >= ?2 group by 1""", workspaceId, since)
                .forEach(r -> perDay.put(day(r[0]), num(r[1])));
        List<BarChart.Point> dayPoints = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            dayPoints.add(new BarChart.Point(DAY.format(d), perDay.getOrDefault(d, 0L)));
        }
        long conversations = perDay.values().stream().mapToLong(Long::longValue).sum();

        Map<String, Long> deflection = new LinkedHashMap<>();
        for (String k : List.of("faq", "model", "human", "unanswered")) {
            deflection.put(k, 0L);
        }
        rows(em, """
                select case when exists (select 1 from messages m where m.conversation_id = c.id and m.role = 'agent')
                              then 'human'
                            when exists (select 1 from messages m where m.conversation_id = c.id
                                          and m.source_model is not null) then 'model'
                            when exists (select 1 from messages m where m.conversation_id = c.id
                                          and m.source_faq_id is not null) then 'faq'
                            else 'unanswered' end, count(*)
                  from conversations c where c.workspace_id = ?1 and c.created_at >= ?2 group by 1""",
                workspaceId, since).forEach(r -> deflection.put((String) r[0], num(r[1])));

        Map<String, Long> reasons = new LinkedHashMap<>();
        Arrays.stream(HandoffReason.values()).forEach(r -> reasons.put(r.code(), 0L));
        rows(em, """
                select e.payload::jsonb ->> 'handoffReason', count(*) from conversation_events e
                  join conversations c on c.id = e.conversation_id
                 where c.workspace_id = ?1 and e.created_at >= ?2 and e.type = 'conversation.status_changed'
                   and e.payload::jsonb ->> 'status' = 'pending' group by 1""", workspaceId, since)
                .forEach(r -> reasons.put(r[0] == null ? "unknown" : (String) r[0], num(r[1])));

        // From each conversation's first customer message to the first bot or agent reply after it.
        List<Object[]> firstResponses = rows(em, """
                select c.id, extract(epoch from (
                         select min(m2.created_at) from messages m2 where m2.conversation_id = c.id
                            and m2.role in ('bot', 'agent') and m2.seq > f.seq) - f.created_at)
                  from conversations c
                  join lateral (select m.seq, m.created_at from messages m where m.conversation_id = c.id
                                   and m.role = 'customer' order by m.seq limit 1) f on true
                 where c.workspace_id = ?1 and c.created_at >= ?2""", workspaceId, since);
        List<Double> seconds = firstResponses.stream().map(r -> r[1]).filter(v -> v != null)
                .map(v -> ((Number) v).doubleValue()).sorted().toList();
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
        // From the handoff to the first agent message after it: how long customers wait for a person.
        Double humanMedian = doubleOrNull(single(em, """
                select percentile_cont(0.5) within group (order by extract(epoch from (
                         select min(m.created_at) from messages m where m.conversation_id = h.conversation_id
                            and m.role = 'agent' and m.created_at >= h.at) - h.at))
                  from (select e.conversation_id, min(e.created_at) as at from conversation_events e
                          join conversations c on c.id = e.conversation_id
                         where c.workspace_id = ?1 and e.created_at >= ?2
                           and e.type = 'conversation.status_changed' and e.payload::jsonb ->> 'status' = 'pending'
                         group by e.conversation_id) h""", workspaceId, since));

        Object[] answers = rows(em, """
                select count(*) filter (where m.source_faq_id is not null),
                       count(*) filter (where m.source_model is not null)
                  from messages m join conversations c on c.id = m.conversation_id
                 where c.workspace_id = ?1 and m.created_at >= ?2 and m.role = 'bot'""", workspaceId, since).getFirst();
        long faqAnswers = num(answers[0]);
        long modelSourced = num(answers[1]);
        Object[] engine = rows(em, """
                select count(*) filter (where a.outcome = 'answered'), count(*),
                       sum(a.completion_tokens) filter (where a.completion_tokens is not null and a.ttft_ms is not null),
                       sum(a.duration_ms - a.ttft_ms) filter (where a.completion_tokens is not null
                                                              and a.ttft_ms is not null),
                       percentile_cont(0.5) within group (order by a.ttft_ms),
                       avg(a.acceptance_length)
                  from model_answers a join conversations c on c.id = a.conversation_id
                 where c.workspace_id = ?1 and a.created_at >= ?2""", workspaceId, since).getFirst();
        long generatedAnswers = num(engine[0]);
        long cached = Math.max(0, modelSourced - generatedAnswers);
        Double tokensPerSecond = engine[2] == null || engine[3] == null || ((Number) engine[3]).doubleValue() <= 0
                ? null : num(engine[2]) / (((Number) engine[3]).doubleValue() / 1000);

        Map<LocalDate, double[]> enginePerDay = new HashMap<>();
        rows(em, """
                select (a.created_at at time zone 'UTC')::date, avg(a.ttft_ms),
                       sum(a.completion_tokens) / nullif(sum(a.duration_ms - a.ttft_ms) / 1000, 0)
                  from model_answers a join conversations c on c.id = a.conversation_id
                 where c.workspace_id = ?1 and a.created_at >= ?2 and a.ttft_ms is not null group by 1""",
                workspaceId, since).forEach(r -> enginePerDay.put(day(r[0]),
                new double[] {r[1] == null ? 0 : ((Number) r[1]).doubleValue(),
                        r[2] == null ? 0 : ((Number) r[2]).doubleValue()}));
        List<BarChart.Point> ttftPoints = new ArrayList<>();
        List<BarChart.Point> tpsPoints = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            double[] v = enginePerDay.getOrDefault(d, new double[2]);
            ttftPoints.add(new BarChart.Point(DAY.format(d), v[0]));
            tpsPoints.add(new BarChart.Point(DAY.format(d), v[1]));
        }

        boolean csatAvailable = num(single(em, """
                select count(*) from information_schema.columns
                 where table_name = 'conversations' and column_name = 'rating'""")) > 0;
        long[] ratings = new long[5];
        Double csatAverage = null;
        if (csatAvailable) {
            rows(em, """
                    select c.rating, count(*) from conversations c
                     where c.workspace_id = ?1 and c.created_at >= ?2 and c.rating between 1 and 5 group by 1""",
                    workspaceId, since).forEach(r -> ratings[((Number) r[0]).intValue() - 1] = num(r[1]));
            long n = Arrays.stream(ratings).sum();
            long sum = 0;
            for (int i = 0; i < 5; i++) {
                sum += (i + 1) * ratings[i];
            }
            csatAverage = n == 0 ? null : (double) sum / n;
        }
        List<BarChart.Point> csatPoints = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            csatPoints.add(new BarChart.Point("★" + (i + 1), ratings[i]));
        }

        return new Report(days, conversations, BarChart.of("Conversations per day", null, dayPoints),
                BarChart.of("Who answered (deflection)", "conversations", points(deflection)), deflection,
                BarChart.of("Handoff reasons", "handoffs", points(reasons)),
                BarChart.of("First response time", "conversations", bucketPoints), median(seconds), humanMedian,
                BarChart.of("Bot answers by source", "answers", List.of(new BarChart.Point("FAQ", faqAnswers),
                        new BarChart.Point("cache", cached), new BarChart.Point("model", generatedAnswers))),
                faqAnswers, cached, generatedAnswers, modelSourced == 0 ? null : (double) cached / modelSourced,
                csatAvailable, BarChart.of("Customer satisfaction", "ratings", csatPoints), csatAverage,
                Arrays.stream(ratings).sum(), num(engine[1]), tokensPerSecond, doubleOrNull(engine[4]),
                doubleOrNull(engine[5]), BarChart.of("Time to first token", "ms, average", ttftPoints),
                BarChart.of("Decode speed", "tokens/s", tpsPoints));
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

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(EntityManager em, String sql, Object... params) {
        return query(em, sql, params).getResultList();
    }

    private static Object single(EntityManager em, String sql, Object... params) {
        return query(em, sql, params).getSingleResult();
    }

    private static Query query(EntityManager em, String sql, Object... params) {
        Query query = em.createNativeQuery(sql);
        for (int i = 0; i < params.length; i++) {
            query.setParameter(i + 1, params[i]);
        }
        return query;
    }

    private static LocalDate day(Object value) {
        return value instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) value;
    }

    private static long num(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static Double doubleOrNull(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }
}
