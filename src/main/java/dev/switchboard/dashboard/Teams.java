package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A workspace's teams and their members (agents of that workspace). */
@ApplicationScoped
public class Teams {

    static final int MAX_NAME = 100;

    @Inject
    Clock clock;

    /** A team with its members' ids. */
    public record WithMembers(Team team, List<UUID> memberIds) {}

    @Transactional
    public WithMembers create(UUID workspaceId, String name, Collection<UUID> memberIds) {
        String n = Validation.requireText(name, "name", MAX_NAME).strip();
        if (Team.count("workspaceId = ?1 and lower(name) = lower(?2)", workspaceId, n) > 0) {
            throw ApiException.conflict("The workspace has a team named '" + n + "' already");
        }
        Team t = new Team();
        t.id = UUID.randomUUID();
        t.workspaceId = workspaceId;
        t.name = n;
        t.createdAt = Times.now(clock);
        t.persist();
        return setMembers(workspaceId, t.id, memberIds);
    }

    @Transactional
    public List<WithMembers> list(UUID workspaceId) {
        return Team.<Team>list("workspaceId = ?1 order by name", workspaceId).stream()
                .map(t -> new WithMembers(t, memberIds(t.id))).toList();
    }

    /** The workspace's team; a 404 for unknown teams and other workspaces' alike. */
    @Transactional
    public Team get(UUID workspaceId, UUID teamId) {
        return find(workspaceId, teamId).orElseThrow(() -> ApiException.notFound("No team with id '" + teamId + "'"));
    }

    public Optional<Team> find(UUID workspaceId, UUID teamId) {
        return Team.<Team>findByIdOptional(teamId).filter(t -> t.workspaceId.equals(workspaceId));
    }

    /** Replaces the team's members; each must be an agent of the team's workspace (400 otherwise). */
    @Transactional
    public WithMembers setMembers(UUID workspaceId, UUID teamId, Collection<UUID> memberIds) {
        Team t = get(workspaceId, teamId);
        List<UUID> ids = memberIds == null ? List.of() : memberIds.stream().distinct().toList();
        for (UUID agentId : ids) {
            if (agentId == null || AgentMembership.count("agentId = ?1 and workspaceId = ?2", agentId, workspaceId) == 0) {
                throw ApiException.badRequest("Field 'memberIds' has '" + agentId + "', not an agent of this workspace");
            }
        }
        TeamMember.delete("teamId", t.id);
        ids.forEach(agentId -> {
            TeamMember m = new TeamMember();
            m.teamId = t.id;
            m.agentId = agentId;
            m.persist();
        });
        return new WithMembers(t, ids);
    }

    @Transactional
    public void delete(UUID workspaceId, UUID teamId) {
        get(workspaceId, teamId).delete();
    }

    public List<UUID> memberIds(UUID teamId) {
        return TeamMember.<TeamMember>list("teamId = ?1 order by agentId", teamId).stream().map(m -> m.agentId).toList();
    }

    /** The agent's teams in the workspace. */
    @Transactional
    public List<Team> ofAgent(UUID workspaceId, UUID agentId) {
        return Team.list("workspaceId = ?1 and id in (select m.teamId from TeamMember m where m.agentId = ?2)"
                + " order by name", workspaceId, agentId);
    }
}
