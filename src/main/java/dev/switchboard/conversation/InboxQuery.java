package dev.switchboard.conversation;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an agent's inbox lists: conversations by status, newest activity first, with the agent's unread counts. The
 * read markers ({@code conversation_reads}) belong to the conversation room with the messages they count.
 */
@ApplicationScoped
public class InboxQuery {

    public static final int PAGE = 100;
    public static final int PREVIEW = 140;

    /**
     * One conversation in the inbox. unread: messages since this agent last opened it; lastMessage: the latest one
     * written by a person or the bot (a handoff notice says nothing about what the customer wants).
     */
    public record Row(UUID id, String visitorId, String visitorName, ConversationStatus status, String handoffReason,
            String agentName, Instant lastActivityAt, long unread, String lastMessage, UUID assigneeAgentId,
            UUID assigneeTeamId) {

        public String handoffLabel() {
            return handoffReason == null ? null : handoffReason.replace('_', ' ');
        }

        public String visitor() {
            return VisitorNames.of(visitorId, visitorName);
        }
    }

    /** A status tab: how many conversations, and how many of them have unread messages. */
    public record Tab(ConversationStatus status, long count, long unreadConversations) {
        public String code() {
            return status.code();
        }
    }

    /**
     * Which assignments an inbox view shows: every conversation, the agent's own ("Mine"), nobody's ("Unassigned"),
     * or those assigned to one of the agent's teams ("Team"; the dashboard room knows the teams and passes them).
     */
    public record View(Kind kind, List<UUID> teamIds) {

        public enum Kind { ALL, MINE, UNASSIGNED, TEAM }

        public static final View ALL = new View(Kind.ALL, List.of());

        public View {
            teamIds = List.copyOf(teamIds);
        }

        /**
         * The SQL condition on conversations c; ?2 is the agent, and the team ids are parameter {@code teams} (the
         * query's next ordinal: Hibernate wants them without gaps).
         */
        String condition(int teams) {
            return switch (kind) {
                case ALL -> "true";
                case MINE -> "c.assignee_agent_id = ?2";
                case UNASSIGNED -> "c.assignee_agent_id is null and c.assignee_team_id is null";
                // No team, nothing assigned to it: "in ()" is not SQL.
                case TEAM -> teamIds.isEmpty() ? "false" : "c.assignee_team_id in (?" + teams + ")";
            };
        }

        jakarta.persistence.Query bind(jakarta.persistence.Query query, int teams) {
            return kind == Kind.TEAM && !teamIds.isEmpty() ? query.setParameter(teams, teamIds) : query;
        }
    }

    @Transactional
    public List<Row> rows(UUID workspaceId, UUID agentId, ConversationStatus status) {
        return rows(workspaceId, agentId, status, View.ALL, null);
    }

    /**
     * @param view which assignments to show
     * @param labelId only conversations with this label; null for all
     */
    @Transactional
    public List<Row> rows(UUID workspaceId, UUID agentId, ConversationStatus status, View view, UUID labelId) {
        // Ordinals without gaps (Hibernate): the label is ?5 when filtered on, the view's teams come next.
        int teams = labelId == null ? 5 : 6;
        Query query = view.bind(Conversation.getEntityManager().createNativeQuery("""
                select c.id, c.visitor_id, c.visitor_name, c.status, c.handoff_reason, c.agent_name, c.last_activity_at,
                       (select count(*) from messages m
                         where m.conversation_id = c.id and m.seq > coalesce(r.last_read_seq, 0)) as unread,
                       (select m.content from messages m where m.conversation_id = c.id and m.role <> 'system'
                         order by m.seq desc limit 1) as last_message,
                       c.assignee_agent_id, c.assignee_team_id
                  from conversations c
                  left join conversation_reads r on r.conversation_id = c.id and r.agent_id = ?2
                 where c.workspace_id = ?1 and c.status = ?3 and (%s)%s
                 order by c.last_activity_at desc, c.id
                 limit ?4""".formatted(view.condition(teams), labelId == null ? "" : """

                   and exists (select 1 from conversation_labels cl where cl.conversation_id = c.id
                                  and cl.label_id = ?5)""")), teams)
                .setParameter(1, workspaceId).setParameter(2, agentId)
                .setParameter(3, status.code()).setParameter(4, PAGE);
        if (labelId != null) {
            query.setParameter(5, labelId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        return rows.stream().map(r -> new Row((UUID) r[0], (String) r[1], (String) r[2],
                ConversationStatus.fromCode((String) r[3]), (String) r[4], (String) r[5], instant(r[6]),
                ((Number) r[7]).longValue(), preview((String) r[8]), (UUID) r[9], (UUID) r[10])).toList();
    }

    @Transactional
    public List<Tab> tabs(UUID workspaceId, UUID agentId) {
        return tabs(workspaceId, agentId, View.ALL);
    }

    @Transactional
    public List<Tab> tabs(UUID workspaceId, UUID agentId, View view) {
        @SuppressWarnings("unchecked")
        List<Object[]> counts = view.bind(Conversation.getEntityManager().createNativeQuery("""
                select c.status, count(*),
                       count(*) filter (where exists (select 1 from messages m where m.conversation_id = c.id
                                                       and m.seq > coalesce(r.last_read_seq, 0)))
                  from conversations c
                  left join conversation_reads r on r.conversation_id = c.id and r.agent_id = ?2
                 where c.workspace_id = ?1 and (%s)
                 group by c.status""".formatted(view.condition(3))), 3).setParameter(1, workspaceId)
                .setParameter(2, agentId).getResultList();
        Map<ConversationStatus, long[]> byStatus = new EnumMap<>(ConversationStatus.class);
        counts.forEach(r -> byStatus.put(ConversationStatus.fromCode((String) r[0]),
                new long[] {((Number) r[1]).longValue(), ((Number) r[2]).longValue()}));
        return Arrays.stream(ConversationStatus.values()).map(s -> {
            long[] c = byStatus.getOrDefault(s, new long[2]);
            return new Tab(s, c[0], c[1]);
        }).toList();
    }

    /** The agent has seen the conversation up to its latest message. */
    @Transactional
    public void markRead(UUID agentId, UUID conversationId) {
        Conversation.getEntityManager().createNativeQuery("""
                insert into conversation_reads (agent_id, conversation_id, last_read_seq)
                select ?1, ?2, coalesce(max(seq), 0) from messages where conversation_id = ?2
                on conflict (agent_id, conversation_id)
                do update set last_read_seq = greatest(conversation_reads.last_read_seq, excluded.last_read_seq)""")
                .setParameter(1, agentId).setParameter(2, conversationId).executeUpdate();
    }

    static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case Timestamp t -> t.toInstant();
            case java.time.OffsetDateTime o -> o.toInstant();
            default -> throw new IllegalStateException("not a timestamp: " + value.getClass());
        };
    }

    private static String preview(String content) {
        if (content == null) {
            return "";
        }
        String oneLine = VisitorNames.withoutBidiControls(content).strip().replaceAll("\\s+", " ");
        return oneLine.length() <= PREVIEW ? oneLine : oneLine.substring(0, PREVIEW - 1) + "…";
    }
}
