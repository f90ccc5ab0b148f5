package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.ConversationSignals;
import dev.switchboard.conversation.ConversationStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Who works on a conversation: assignment to an agent or a team (checked against the conversation's workspace), and
 * auto-assignment of handoffs round-robin among the online agents of the conversation's team (or of the workspace,
 * when it has no team), skipping agents at their cap of pending and open conversations.
 */
@ApplicationScoped
public class Assignments {

    private static final Logger LOG = Logger.getLogger(Assignments.class);
    /** The advisory lock key of auto-assignment (an arbitrary constant of this application). */
    private static final long AUTO_ASSIGN_LOCK = 0x5357_4153_5347_4eL;

    @Inject
    ConversationService conversations;

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    Teams teams;

    @Inject
    Presence presence;

    @Inject
    AgentService agents;

    @Inject
    AssignmentConfig config;

    @Inject
    Notifications notifications;

    /**
     * Assigns the workspace's conversation to an agent of the workspace and/or one of its teams (both null:
     * unassigned). A 404 for a conversation of another workspace, a 400 for an agent or team not of this one.
     */
    @Transactional
    public Conversation assign(UUID workspaceId, UUID conversationId, UUID agentId, UUID teamId) {
        Conversation c = conversations.findConversation(conversationId).filter(x -> x.workspaceId.equals(workspaceId))
                .orElseThrow(() -> ApiException.notFound("No conversation with id '" + conversationId + "'"));
        Agent agent = agentId == null ? null : agentOf(workspaceId, agentId)
                .orElseThrow(() -> ApiException.badRequest("Field 'agentId' names no agent of this workspace"));
        Team team = teamId == null ? null : teams.find(workspaceId, teamId)
                .orElseThrow(() -> ApiException.badRequest("Field 'teamId' names no team of this workspace"));
        return conversations.assign(c.id, new ConversationService.Assignee(agentId,
                agent == null ? null : agent.displayName, teamId, team == null ? null : team.name), false);
    }

    /** The agent, if a member of the workspace. */
    public Optional<Agent> agentOf(UUID workspaceId, UUID agentId) {
        return AgentMembership.count("agentId = ?1 and workspaceId = ?2", agentId, workspaceId) == 0
                ? Optional.empty() : agents.find(agentId);
    }

    /** After a handoff's commit: assign it (when on), then tell the people concerned. */
    void onHumanNeeded(@Observes(during = TransactionPhase.AFTER_SUCCESS) ConversationSignals.HumanNeeded signal) {
        try {
            if (config.auto()) {
                autoAssign(signal.conversationId());
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not auto-assign conversation %s; it stays unassigned", signal.conversationId());
        }
        notifications.humanNeeded(signal.conversationId());
    }

    /**
     * Assigns a pending conversation without an assigned agent to the online agent (of its team, else of its
     * workspace) below the cap whose last auto-assignment is the oldest; returns that agent, or empty when nobody
     * qualifies (the conversation stays for whoever takes it).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<UUID> autoAssign(UUID conversationId) {
        // One choice at a time, on every replica: two handoffs at once must not both take the last free place of one
        // agent, nor both go to the same agent in turn. Taken before reading the conversation, so the read is fresh.
        Team.getEntityManager().createNativeQuery("select count(*) from (select pg_advisory_xact_lock(?1)) l")
                .setParameter(1, AUTO_ASSIGN_LOCK).getSingleResult();
        Conversation c = conversations.findConversation(conversationId).orElse(null);
        if (c == null || c.assigneeAgentId != null || c.status != ConversationStatus.PENDING) {
            return Optional.empty();
        }
        Team team = c.assigneeTeamId == null ? null : Team.findById(c.assigneeTeamId);
        List<UUID> candidates = team != null ? teams.memberIds(team.id)
                : AgentMembership.<AgentMembership>list("workspaceId", c.workspaceId).stream().map(m -> m.agentId).toList();
        Set<UUID> online = presence.online(candidates);
        Map<UUID, Long> open = conversationQueries.openAssignedCounts(c.workspaceId, online);
        Map<UUID, Instant> lastAssigned = presence.lastAssigned(online);
        Optional<UUID> chosen = online.stream().filter(id -> open.getOrDefault(id, 0L) < config.maxOpenPerAgent())
                .min(Comparator.<UUID, Instant>comparing(id -> lastAssigned.getOrDefault(id, Instant.MIN))
                        .thenComparing(UUID::toString));
        if (chosen.isEmpty()) {
            LOG.debugf("Conversation %s: no online agent below the cap of %d, left unassigned", c.id,
                    config.maxOpenPerAgent());
            return Optional.empty();
        }
        Agent agent = agents.get(chosen.get());
        conversations.assign(c.id, new ConversationService.Assignee(agent.id, agent.displayName,
                team == null ? null : team.id, team == null ? null : team.name), true);
        presence.assigned(agent.id);
        return chosen;
    }
}
