package dev.switchboard.conversation;

import static dev.switchboard.common.db.NativeRows.day;
import static dev.switchboard.common.db.NativeRows.doubleOrNull;
import static dev.switchboard.common.db.NativeRows.num;
import static dev.switchboard.common.db.NativeRows.rows;
import static dev.switchboard.common.db.NativeRows.single;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A workspace's conversation figures since an instant, for analytics: each one query on the conversation room's
 * tables, counted where the data is (nothing is kept in memory).
 */
@ApplicationScoped
public class ConversationStats {

    /** Who answered a conversation: an agent wrote (human), else a model, else only the FAQ, else nobody. */
    public static final List<String> ANSWERED_BY = List.of("faq", "model", "human", "unanswered");

    /**
     * Bot answers by source, and the bot's offers of FAQ entries: how many, and how many the customer picked an
     * entry from (the bot's next message answered from an offered entry).
     */
    public record BotAnswers(long faq, long model, long offers, long picked) {}

    /**
     * One label's conversations started since: how many, how many were handed to a person (at least one handoff),
     * and how many the bot resolved alone (resolved, no handoff, no agent message).
     */
    public record LabelFigures(String name, String colour, long conversations, long handoffs, long botResolved) {

        public Double handoffRate() {
            return conversations == 0 ? null : (double) handoffs / conversations;
        }

        public Double botResolvedShare() {
            return conversations == 0 ? null : (double) botResolved / conversations;
        }
    }

    /** Every label of the workspace, the most used first. */
    @Transactional
    public List<LabelFigures> perLabel(UUID workspaceId, Instant since) {
        return rows(em(), """
                select l.name, l.colour, count(c.id),
                       count(c.id) filter (where h.handed_off),
                       count(c.id) filter (where c.status = 'resolved' and not h.handed_off
                                           and not exists (select 1 from messages m where m.conversation_id = c.id
                                                              and m.role = 'agent'))
                  from labels l
                  left join conversation_labels cl on cl.label_id = l.id
                  left join conversations c on c.id = cl.conversation_id and c.created_at >= ?2
                  left join lateral (select exists (select 1 from conversation_events e
                                                     where e.conversation_id = c.id and e.status = 'pending')
                                            as handed_off) h on true
                 where l.workspace_id = ?1
                 group by l.id, l.name, l.colour
                 order by count(c.id) desc, lower(l.name), l.id""", workspaceId, since).stream()
                .map(r -> new LabelFigures((String) r[0], (String) r[1], num(r[2]), num(r[3]), num(r[4]))).toList();
    }

    /** Conversations started per day (UTC); days without any are absent. */
    @Transactional
    public Map<LocalDate, Long> startedPerDay(UUID workspaceId, Instant since) {
        Map<LocalDate, Long> perDay = new HashMap<>();
        rows(em(), """
                select (c.created_at at time zone 'UTC')::date, count(*) from conversations c
                 where c.workspace_id = ?1 and c.created_at >= ?2 group by 1""", workspaceId, since)
                .forEach(r -> perDay.put(day(r[0]), num(r[1])));
        return perDay;
    }

    /**
     * Conversations started since, by {@link #ANSWERED_BY} (every key present). Small talk and offered FAQ entries
     * answer nothing by themselves: a conversation with only those is unanswered.
     */
    @Transactional
    public Map<String, Long> answeredBy(UUID workspaceId, Instant since) {
        Map<String, Long> counts = new LinkedHashMap<>();
        ANSWERED_BY.forEach(k -> counts.put(k, 0L));
        rows(em(), """
                select case when exists (select 1 from messages m where m.conversation_id = c.id and m.role = 'agent')
                              then 'human'
                            when exists (select 1 from messages m where m.conversation_id = c.id
                                          and m.source_model is not null) then 'model'
                            when exists (select 1 from messages m where m.conversation_id = c.id
                                          and m.source_faq_id is not null) then 'faq'
                            else 'unanswered' end, count(*)
                  from conversations c where c.workspace_id = ?1 and c.created_at >= ?2 group by 1""",
                workspaceId, since).forEach(r -> counts.put((String) r[0], num(r[1])));
        return counts;
    }

    /** Handoffs since, by reason (every reason present; a handoff without one under "unknown"). */
    @Transactional
    public Map<String, Long> handoffReasons(UUID workspaceId, Instant since) {
        Map<String, Long> reasons = new LinkedHashMap<>();
        for (HandoffReason r : HandoffReason.values()) {
            reasons.put(r.code(), 0L);
        }
        rows(em(), """
                select e.handoff_reason, count(*) from conversation_events e
                  join conversations c on c.id = e.conversation_id
                 where c.workspace_id = ?1 and e.created_at >= ?2 and e.status = 'pending' group by 1""",
                workspaceId, since).forEach(r -> reasons.put(r[0] == null ? "unknown" : (String) r[0], num(r[1])));
        return reasons;
    }

    /**
     * Per conversation started since, from its first customer message to the first bot or agent reply after it, in
     * seconds, ascending; conversations without both are left out.
     */
    @Transactional
    public List<Double> firstResponseSeconds(UUID workspaceId, Instant since) {
        return rows(em(), """
                select extract(epoch from (
                         select min(m2.created_at) from messages m2 where m2.conversation_id = c.id
                            and m2.role in ('bot', 'agent') and m2.seq > f.seq) - f.created_at), c.id
                  from conversations c
                  join lateral (select m.seq, m.created_at from messages m where m.conversation_id = c.id
                                   and m.role = 'customer' order by m.seq limit 1) f on true
                 where c.workspace_id = ?1 and c.created_at >= ?2""", workspaceId, since).stream()
                .map(r -> r[0]).filter(v -> v != null).map(v -> ((Number) v).doubleValue()).sorted().toList();
    }

    /** The median time from a conversation's first handoff to the first agent message after it; null without any. */
    @Transactional
    public Double medianHumanFirstResponseSeconds(UUID workspaceId, Instant since) {
        return doubleOrNull(single(em(), """
                select percentile_cont(0.5) within group (order by extract(epoch from (
                         select min(m.created_at) from messages m where m.conversation_id = h.conversation_id
                            and m.role = 'agent' and m.created_at >= h.at) - h.at))
                  from (select e.conversation_id, min(e.created_at) as at from conversation_events e
                          join conversations c on c.id = e.conversation_id
                         where c.workspace_id = ?1 and e.created_at >= ?2 and e.status = 'pending'
                         group by e.conversation_id) h""", workspaceId, since));
    }

    /** Bot answers written since, by source (small-talk replies and offers are neither), and offers picked. */
    @Transactional
    public BotAnswers botAnswers(UUID workspaceId, Instant since) {
        Object[] r = rows(em(), """
                select count(*) filter (where m.source_faq_id is not null),
                       count(*) filter (where m.source_model is not null),
                       count(*) filter (where m.offered_faq_ids is not null),
                       count(*) filter (where m.offered_faq_ids is not null and %s = any(m.offered_faq_ids))
                  from messages m join conversations c on c.id = m.conversation_id
                 where c.workspace_id = ?1 and m.created_at >= ?2 and m.role = 'bot'""".formatted(
                        ConversationQueries.pickedEntry("m")), workspaceId, since)
                .getFirst();
        return new BotAnswers(num(r[0]), num(r[1]), num(r[2]), num(r[3]));
    }

    /** Ratings of conversations started since: index 0 counts the 1-star ratings, 4 the 5-star ones. */
    @Transactional
    public long[] ratings(UUID workspaceId, Instant since) {
        long[] ratings = new long[5];
        rows(em(), """
                select c.rating, count(*) from conversations c
                 where c.workspace_id = ?1 and c.created_at >= ?2 and c.rating between 1 and 5 group by 1""",
                workspaceId, since).forEach(r -> ratings[((Number) r[0]).intValue() - 1] = num(r[1]));
        return ratings;
    }

    private static EntityManager em() {
        return Conversation.getEntityManager();
    }

    /**
     * An agent's figures since a time: conversations assigned to them, replies they wrote, and the median seconds from
     * an assignment to their first reply after it (null when they have not replied to any).
     */
    public record AgentFigures(long assigned, long replies, Double medianFirstResponseS) {}

    @Transactional
    public Map<UUID, AgentFigures> perAgent(UUID workspaceId, Instant since) {
        @SuppressWarnings("unchecked")
        List<Object[]> assigned = Conversation.getEntityManager().createNativeQuery("""
                select a.agent_id, count(*),
                       percentile_cont(0.5) within group (order by extract(epoch from f.first_at - a.created_at))
                  from conversation_events a
                  join conversations c on c.id = a.conversation_id
                  left join lateral (select min(m.created_at) as first_at from messages m
                                      where m.conversation_id = a.conversation_id and m.author_agent_id = a.agent_id
                                        and m.created_at >= a.created_at) f on true
                 where c.workspace_id = ?1 and a.type = 'conversation.assigned' and a.agent_id is not null
                   and a.created_at >= ?2
                 group by a.agent_id""").setParameter(1, workspaceId).setParameter(2, since).getResultList();
        @SuppressWarnings("unchecked")
        List<Object[]> replies = Conversation.getEntityManager().createNativeQuery("""
                select m.author_agent_id, count(*) from messages m join conversations c on c.id = m.conversation_id
                 where c.workspace_id = ?1 and m.author_agent_id is not null and m.created_at >= ?2
                 group by m.author_agent_id""").setParameter(1, workspaceId).setParameter(2, since).getResultList();
        Map<UUID, AgentFigures> figures = new HashMap<>();
        assigned.forEach(r -> figures.put((UUID) r[0], new AgentFigures(((Number) r[1]).longValue(), 0,
                r[2] == null ? null : ((Number) r[2]).doubleValue())));
        replies.forEach(r -> figures.merge((UUID) r[0], new AgentFigures(0, ((Number) r[1]).longValue(), null),
                (a, b) -> new AgentFigures(a.assigned(), b.replies(), a.medianFirstResponseS())));
        return figures;
    }
}
