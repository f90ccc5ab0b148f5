package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.workspace.Workspace;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Agents, their bcrypt password hashes and the workspaces each may see. */
@ApplicationScoped
public class AgentService {

    public static final int MIN_PASSWORD = 10;
    /** bcrypt reads at most 72 bytes: a longer password would be silently truncated. */
    public static final int MAX_PASSWORD_BYTES = 72;
    static final int MAX_EMAIL = 200;
    static final int MAX_NAME = 100;
    /** Compared against when the e-mail is unknown, so a login takes as long whether or not the agent exists. */
    private static final String DUMMY_HASH = BcryptUtil.bcryptHash(Secrets.newToken("dummy-"));

    @Inject
    WorkspaceService workspaces;

    @Inject
    Clock clock;

    /** A new agent, and the generated first password when none was given (shown once to the admin). */
    public record Created(Agent agent, String generatedPassword) {}

    @Transactional
    public Created create(String email, String displayName, String password, AgentRole role,
            Collection<UUID> workspaceIds) {
        String normalized = normalizeEmail(email);
        if (Agent.findByEmail(normalized).isPresent()) {
            throw ApiException.conflict("An agent with e-mail '" + normalized + "' exists already");
        }
        String generated = password == null || password.isBlank() ? newPassword() : null;
        Agent agent = new Agent();
        agent.id = UUID.randomUUID();
        agent.email = normalized;
        agent.displayName = Validation.requireText(displayName, "displayName", MAX_NAME).strip();
        agent.passwordHash = BcryptUtil.bcryptHash(checkPassword(generated != null ? generated : password));
        agent.role = role;
        agent.createdAt = Times.now(clock);
        agent.persist();
        setWorkspaces(agent.id, workspaceIds);
        return new Created(agent, generated);
    }

    /** A random first (or reset) password, shown once to the admin or owner. */
    static String newPassword() {
        return Secrets.newToken("").substring(0, 20);
    }

    /** The agent with this e-mail and password, or empty (the same for an unknown e-mail and a wrong password). */
    @Transactional
    public Optional<Agent> authenticate(String email, String password) {
        if (email == null || password == null) {
            return Optional.empty();
        }
        Optional<Agent> agent = Agent.findByEmail(email.strip().toLowerCase(Locale.ROOT));
        boolean matches = BcryptUtil.matches(password, agent.map(a -> a.passwordHash).orElse(DUMMY_HASH));
        return matches ? agent : Optional.empty();
    }

    public List<Agent> list() {
        return Agent.list("order by email");
    }

    public Agent get(UUID agentId) {
        return Agent.<Agent>findByIdOptional(agentId)
                .orElseThrow(() -> ApiException.notFound("No agent with id '" + agentId + "'"));
    }

    public Optional<Agent> find(UUID agentId) {
        return Agent.findByIdOptional(agentId);
    }

    public Optional<Agent> findByEmail(String email) {
        return Agent.findByEmail(email);
    }

    /** The agents of the workspace, by e-mail. */
    public List<Agent> members(UUID workspaceId) {
        return Agent.list("id in (select m.agentId from AgentMembership m where m.workspaceId = ?1) order by email",
                workspaceId);
    }

    /** The workspaces the agent belongs to, by name. */
    public List<Workspace> workspaces(UUID agentId) {
        return workspaces.byName(AgentMembership.<AgentMembership>list("agentId", agentId).stream()
                .map(m -> m.workspaceId).toList());
    }

    @Transactional
    public void update(UUID agentId, String displayName, AgentRole role, Collection<UUID> workspaceIds) {
        Agent agent = get(agentId);
        agent.displayName = Validation.requireText(displayName, "displayName", MAX_NAME).strip();
        agent.role = role;
        setWorkspaces(agentId, workspaceIds);
    }

    @Transactional
    public void changePassword(UUID agentId, String password) {
        get(agentId).passwordHash = BcryptUtil.bcryptHash(checkPassword(password));
        AgentSession.delete("agentId", agentId); // every other session of a changed password ends
    }

    @Transactional
    public void delete(UUID agentId) {
        get(agentId).delete();
    }

    private void setWorkspaces(UUID agentId, Collection<UUID> workspaceIds) {
        for (UUID id : workspaceIds) {
            if (workspaces.find(id).isEmpty()) {
                throw ApiException.badRequest("No workspace with id '" + id + "'");
            }
        }
        AgentMembership.delete("agentId", agentId);
        workspaceIds.stream().distinct().forEach(id -> {
            AgentMembership m = new AgentMembership();
            m.agentId = agentId;
            m.workspaceId = id;
            m.persist();
        });
    }

    private static String normalizeEmail(String email) {
        String e = Validation.requireText(email, "email", MAX_EMAIL).strip().toLowerCase(Locale.ROOT);
        int at = e.indexOf('@');
        if (at < 1 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.badRequest("Field 'email' must be an e-mail address like ada@example.com");
        }
        return e;
    }

    private static String checkPassword(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD) {
            throw ApiException.badRequest("A password needs at least " + MIN_PASSWORD + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw ApiException.badRequest("A password may have at most " + MAX_PASSWORD_BYTES + " bytes (bcrypt's limit)");
        }
        return password;
    }
}
