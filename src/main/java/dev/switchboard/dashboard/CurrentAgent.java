package dev.switchboard.dashboard;

import dev.switchboard.common.Ids;
import dev.switchboard.common.Secrets;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.workspace.Workspace;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/**
 * The agent of this dashboard request, from the session cookie; every dashboard page starts here. Without a live
 * session it throws {@link LoginRequired}. Other workspaces' data is a 404, as in the API.
 */
@RequestScoped
public class CurrentAgent {

    @Inject
    HttpServerRequest request;

    @Inject
    AgentSessions sessions;

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

    /** Every state-changing request carries the session's CSRF token (a form field, or X-CSRF-Token from scripts). */
    public void requireCsrf(String token) {
        load();
        if (token == null || !Secrets.constantTimeEquals(token, session.csrfToken)) {
            throw PageError.denied("The form's CSRF token is missing or wrong: reload the page and try again");
        }
    }

    public void requireAdmin() {
        if (!agent().admin()) {
            throw PageError.denied("Only admins manage agents");
        }
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

    public Nav nav(Workspace current, String section) {
        return new Nav(agent().displayName, agent.admin(), csrf(),
                workspaces().stream().map(w -> new Nav.WorkspaceLink(w.id, w.name)).toList(),
                current == null ? null : current.id, current == null ? null : current.name, section);
    }

    private void load() {
        if (session == null) {
            Cookie cookie = request.getCookie(AgentSessions.COOKIE);
            AgentSession s = sessions.resolve(cookie == null ? null : cookie.getValue()).orElseThrow(LoginRequired::new);
            agent = agents.get(s.agentId);
            workspaces = agents.workspaces(s.agentId);
            session = s;
        }
    }
}
