package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.conversation.ConversationStatus;
import dev.switchboard.common.Ids;
import dev.switchboard.conversation.InboxQuery;
import dev.switchboard.conversation.LabelView;
import dev.switchboard.conversation.Labels;
import dev.switchboard.conversation.SseSubscriber;
import dev.switchboard.conversation.WorkspaceEvents;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The inbox: a workspace's conversations by status. The page listens to the workspace's event feed and fetches its
 * list again (the {@code list} fragment) when a conversation changes, so it stays live without reloading.
 */
@Path("/agent/w/{workspace}")
@RolesAllowed(Roles.AGENT)
public class InboxPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance inbox(Nav nav, String status, String view, List<InboxQuery.Tab> tabs,
                List<InboxQuery.Row> rows, Map<UUID, String> names, LabelFilter labels);

        static native TemplateInstance list(Nav nav, String status, String view, List<InboxQuery.Tab> tabs,
                List<InboxQuery.Row> rows, Map<UUID, String> names, LabelFilter labels);
    }

    @Inject
    CurrentAgent current;

    @Inject
    InboxQuery inbox;

    @Inject
    WorkspaceEvents workspaceEvents;

    @Inject
    Teams teams;

    @Inject
    AgentService agents;

    @Inject
    Labels labels;

    @GET
    @Path("inbox")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("workspace") String workspace, @QueryParam("status") String status,
            @QueryParam("view") String view, @QueryParam("label") String label) {
        Workspace w = current.requireWorkspace(workspace);
        ConversationStatus s = status(status);
        InboxQuery.View v = view(w, view);
        UUID labelId = label(w, label);
        List<InboxQuery.Row> rows = inbox.rows(w.id, current.agent().id, s, v, labelId);
        return Templates.inbox(current.nav(w, "inbox"), s.code(), code(v), inbox.tabs(w.id, current.agent().id, v),
                rows, assigneeNames(w), labelFilter(w, labelId, rows));
    }

    @GET
    @Path("inbox/list")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@PathParam("workspace") String workspace, @QueryParam("status") String status,
            @QueryParam("view") String view, @QueryParam("label") String label) {
        Workspace w = current.requireWorkspace(workspace);
        ConversationStatus s = status(status);
        InboxQuery.View v = view(w, view);
        UUID labelId = label(w, label);
        List<InboxQuery.Row> rows = inbox.rows(w.id, current.agent().id, s, v, labelId);
        return Templates.list(current.nav(w, "inbox"), s.code(), code(v), inbox.tabs(w.id, current.agent().id, v),
                rows, assigneeNames(w), labelFilter(w, labelId, rows));
    }

    /** The names of the workspace's agents and teams, for the rows' assignees. */
    private Map<UUID, String> assigneeNames(Workspace w) {
        Map<UUID, String> names = new HashMap<>();
        agents.members(w.id).forEach(a -> names.put(a.id, a.displayName));
        teams.list(w.id).forEach(t -> names.put(t.team().id, "team " + t.team().name));
        return names;
    }

    /** all (the default), mine, unassigned, or team: assigned to one of the agent's teams in this workspace. */
    private InboxQuery.View view(Workspace w, String code) {
        String c = code == null || code.isBlank() ? "all" : code;
        return switch (c) {
            case "all" -> InboxQuery.View.ALL;
            case "mine" -> new InboxQuery.View(InboxQuery.View.Kind.MINE, List.of());
            case "unassigned" -> new InboxQuery.View(InboxQuery.View.Kind.UNASSIGNED, List.of());
            case "team" -> new InboxQuery.View(InboxQuery.View.Kind.TEAM,
                    teams.ofAgent(w.id, current.agent().id).stream().map(t -> t.id).toList());
            default -> throw ApiException.badRequest("Parameter 'view' must be one of all, mine, unassigned, team");
        };
    }

    private static String code(InboxQuery.View view) {
        return view.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The label to filter by: null for none; one of another workspace is a 404 like any id of theirs. */
    private UUID label(Workspace w, String label) {
        return label == null || label.isBlank() ? null : labels.get(w.id, Ids.parse(label.strip(), "label")).id;
    }

    private LabelFilter labelFilter(Workspace w, UUID selected, List<InboxQuery.Row> rows) {
        return new LabelFilter(labels.list(w.id).stream().map(LabelView::of).toList(), selected,
                labels.ofConversations(rows.stream().map(InboxQuery.Row::id).toList()));
    }

    /** The workspace feed (see {@link WorkspaceEvents}): one event per change of any of its conversations. */
    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("workspace") String workspace, @Context SseEventSink sink, @Context Sse sse) {
        Workspace w = current.requireWorkspace(workspace);
        workspaceEvents.subscribe(w.id, new SseSubscriber(sink, sse));
    }

    private static ConversationStatus status(String code) {
        if (code == null || code.isBlank()) {
            return ConversationStatus.PENDING; // what needs a human first
        }
        return Arrays.stream(ConversationStatus.values()).filter(s -> s.code().equals(code)).findFirst()
                .orElseThrow(() -> ApiException.badRequest("Parameter 'status' must be one of bot, pending, open, resolved"));
    }
}
