package dev.switchboard.dashboard;

import dev.switchboard.common.Ids;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.workspace.Workspace;
import dev.switchboard.common.security.Identities;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/**
 * The agent of this dashboard request, from the identity AgentSessionMechanism made of the session cookie; every
 * dashboard page starts here. Without a live session it throws {@link LoginRequired}. Other workspaces' data is a
 * 404, as in the API.
 */
@RequestScoped
public class CurrentAgent {

    @Inject
    SecurityIdentity identity;

    @Inject
    AgentService agents;

    @Inject
    ConversationService conversations;

    private AgentSession session;
    private Agent agent;
    private List<Workspace> workspaces;

    public Agent agent() {
        load();
        return agent;
    }

    public String csrf() {
        load();
        return session.csrfToken;
    }

    public List<Workspace> workspaces() {
        load();
        return workspaces;
    }

    /** The workspace of a path parameter; a 404 for malformed ids, unknown workspaces and others' alike. */
    public Workspace requireWorkspace(String workspaceId) {
        return requireWorkspace(Ids.parse(workspaceId, "workspace"));
    }

    public Workspace requireWorkspace(UUID workspaceId) {
        return workspaces().stream().filter(w -> w.id.equals(workspaceId)).findFirst()
                .orElseThrow(() -> PageError.missing("No workspace with id '" + workspaceId + "'"));
    }

    public Conversation requireConversation(UUID conversationId) {
        return conversations.findConversation(conversationId)
                .filter(c -> workspaces().stream().anyMatch(w -> w.id.equals(c.workspaceId)))
                .orElseThrow(() -> PageError.missing("No conversation with id '" + conversationId + "'"));
    }

    /**
     * The workspace whose navigation a page outside any workspace (Agents) keeps: the one the agent came from
     * ({@code preferred}, when it is one of theirs), else their first; null when they have none.
     */
    public Workspace homeWorkspace(String preferred) {
        List<Workspace> mine = workspaces();
        return mine.stream().filter(w -> w.id.toString().equals(preferred)).findFirst()
                .orElse(mine.isEmpty() ? null : mine.getFirst());
    }

    public Nav nav(Workspace current, String section) {
        return new Nav(agent().displayName, agent.admin(), csrf(),
                workspaces().stream().map(w -> new Nav.WorkspaceLink(w.id, w.name)).toList(),
                current == null ? null : current.id, current == null ? null : current.name, section);
    }

    private void load() {
        if (session == null) {
            AgentSession s = identity.isAnonymous() ? null : Identities.session(identity);
            if (s == null) {
                throw new LoginRequired();
            }
            agent = agents.get(s.agentId);
            workspaces = agents.workspaces(s.agentId);
            session = s;
        }
    }
}
