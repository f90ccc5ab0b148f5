package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.security.Roles;
import dev.switchboard.conversation.LabelView;
import dev.switchboard.conversation.Labels;
import dev.switchboard.conversation.MessageSearch;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.util.List;

/** Searching a workspace's conversations by what was written in them, with the API's filters. */
@Path("/agent/w/{workspace}/search")
@RolesAllowed(Roles.AGENT)
public class SearchPage {

    static final int PAGE = 20;
    static final String ME = "me";

    /** What the form was filled in with, kept on the form and on the next page's link. */
    public record Form(String q, String status, String label, String assignee, String from, String to) {

        String text(String value) {
            return value == null ? "" : value;
        }

        public String next(String workspace, String cursor) {
            return UriBuilder.fromPath("/agent/w/{w}/search").queryParam("q", text(q))
                    .queryParam("status", text(status)).queryParam("label", text(label))
                    .queryParam("assignee", text(assignee)).queryParam("from", text(from))
                    .queryParam("to", text(to)).queryParam("cursor", cursor).build(workspace).toString();
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance search(Nav nav, Form form, List<LabelView> labels, MessageSearch.Page page,
                String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    MessageSearch search;

    @Inject
    Labels labels;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response page(@PathParam("workspace") String workspace, @QueryParam("q") String q,
            @QueryParam("status") String status, @QueryParam("label") String label,
            @QueryParam("assignee") String assignee, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("cursor") String cursor) {
        Workspace w = current.requireWorkspace(workspace);
        Form form = new Form(q, status, label, assignee, from, to);
        List<LabelView> all = labels.list(w.id).stream().map(LabelView::of).toList();
        if (q == null || q.isBlank()) {
            return Response.ok(Templates.search(current.nav(w, "search"), form, all, null, null)).build();
        }
        try {
            // The form offers "me" (the signed-in agent) and "none"; the API's filter takes an agent's id.
            String agent = ME.equals(assignee) ? current.agent().id.toString() : assignee;
            MessageSearch.Page page = search.search(w.id, search.query(w.id, q,
                    new MessageSearch.Filters(status, label, agent, null, from, to), cursor, PAGE));
            return Response.ok(Templates.search(current.nav(w, "search"), form, all, page, null)).build();
        } catch (ApiException e) {
            return Response.status(e.status())
                    .entity(Templates.search(current.nav(w, "search"), form, all, null, e.detail())).build();
        }
    }
}
