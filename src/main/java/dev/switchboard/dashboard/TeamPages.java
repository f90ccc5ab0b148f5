package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * A workspace's teams: its admins create them, choose their members among the workspace's agents and delete them
 * (the same {@link Teams} the REST API uses). Conversations are assigned to a team from the conversation view.
 */
@Path("/agent/w/{workspace}/teams")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
public class TeamPages {

    /** One of the workspace's agents, and whether the team has them. */
    public record Member(UUID id, String name, boolean in) {}

    /** A team as the page shows it: every agent of the workspace, its members checked. */
    public record Row(UUID id, String name, List<Member> agents) {

        public List<String> memberNames() {
            return agents.stream().filter(Member::in).map(Member::name).toList();
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance teams(Nav nav, List<Row> teams, List<Member> agents, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    Teams teams;

    @Inject
    AgentService agents;

    @GET
    public TemplateInstance list(@PathParam("workspace") String workspace) {
        return page(current.requireWorkspace(workspace), null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@PathParam("workspace") String workspace, @FormParam("name") String name,
            @FormParam("memberId") List<String> memberIds) {
        Workspace w = current.requireWorkspace(workspace);
        return change(w, () -> teams.create(w.id, name, ids(memberIds)));
    }

    @POST
    @Path("{id}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response members(@PathParam("workspace") String workspace, @PathParam("id") String id,
            @FormParam("memberId") List<String> memberIds) {
        Workspace w = current.requireWorkspace(workspace);
        UUID team = Ids.parse(id, "team");
        return change(w, () -> teams.setMembers(w.id, team, ids(memberIds)));
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        teams.delete(w.id, Ids.parse(id, "team"));
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/teams")).build();
    }

    private static List<UUID> ids(List<String> memberIds) {
        return memberIds == null ? List.of()
                : memberIds.stream().map(m -> Validation.id(m, "memberId", "an agent's id")).toList();
    }

    /** Back to the list, or the list again with the refusal (a name taken, an agent of another workspace). */
    private Response change(Workspace w, Runnable change) {
        try {
            change.run();
        } catch (ApiException e) {
            return Response.status(e.status()).entity(page(w, e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/teams")).build();
    }

    private TemplateInstance page(Workspace w, String error) {
        List<Member> all = agents.members(w.id).stream().map(a -> new Member(a.id, a.displayName, false)).toList();
        List<Row> rows = teams.list(w.id).stream().map(t -> new Row(t.team().id, t.team().name, all.stream()
                .map(a -> new Member(a.id(), a.name(), t.memberIds().contains(a.id()))).toList())).toList();
        return Templates.teams(current.nav(w, "teams"), rows, all, error);
    }
}
