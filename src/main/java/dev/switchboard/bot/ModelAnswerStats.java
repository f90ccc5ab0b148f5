package dev.switchboard.bot;

import static dev.switchboard.common.db.NativeRows.day;
import static dev.switchboard.common.db.NativeRows.doubleOrNull;
import static dev.switchboard.common.db.NativeRows.num;
import static dev.switchboard.common.db.NativeRows.rows;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A workspace's model-answer figures since an instant, for analytics (the bot room's {@code model_answers}). */
@ApplicationScoped
public class ModelAnswerStats {

    /**
     * @param answered generations whose answer was stored
     * @param generations all generations
     * @param tokensPerSecond decode speed over the generations that report tokens and a first token; null without
     * @param medianTtftMs null without any first token
     * @param acceptanceLength average speculative acceptance length; null where the model does not report it
     */
    public record Totals(long answered, long generations, Double tokensPerSecond, Double medianTtftMs,
            Double acceptanceLength) {}

    /** One day's average time to first token (ms) and decode speed (tokens/s). */
    public record Day(double ttftMs, double tokensPerSecond) {}

    @Transactional
    public Totals totals(UUID workspaceId, Instant since) {
        Object[] r = rows(em(), """
                select count(*) filter (where a.outcome = 'answered'), count(*),
                       sum(a.completion_tokens) filter (where a.completion_tokens is not null and a.ttft_ms is not null),
                       sum(a.duration_ms - a.ttft_ms) filter (where a.completion_tokens is not null
                                                              and a.ttft_ms is not null),
                       percentile_cont(0.5) within group (order by a.ttft_ms),
                       avg(a.acceptance_length)
                  from model_answers a where a.workspace_id = ?1 and a.created_at >= ?2""", workspaceId, since)
                .getFirst();
        Double decodeMillis = doubleOrNull(r[3]);
        Double tokensPerSecond = r[2] == null || decodeMillis == null || decodeMillis <= 0 ? null
                : num(r[2]) / (decodeMillis / 1000);
        return new Totals(num(r[0]), num(r[1]), tokensPerSecond, doubleOrNull(r[4]), doubleOrNull(r[5]));
    }

    /** Per day (UTC) with at least one first token. */
    @Transactional
    public Map<LocalDate, Day> perDay(UUID workspaceId, Instant since) {
        Map<LocalDate, Day> days = new HashMap<>();
        rows(em(), """
                select (a.created_at at time zone 'UTC')::date, avg(a.ttft_ms),
                       sum(a.completion_tokens) / nullif(sum(a.duration_ms - a.ttft_ms) / 1000, 0)
                  from model_answers a
                 where a.workspace_id = ?1 and a.created_at >= ?2 and a.ttft_ms is not null group by 1""",
                workspaceId, since).forEach(r -> days.put(day(r[0]), new Day(
                        r[1] == null ? 0 : ((Number) r[1]).doubleValue(),
                        r[2] == null ? 0 : ((Number) r[2]).doubleValue())));
        return days;
    }

    private static EntityManager em() {
        return ModelAnswer.getEntityManager();
    }
}
