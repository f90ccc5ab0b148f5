package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.workspace.Workspace;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
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
import java.util.Set;
import java.util.UUID;

/** Admins create (invite) agents, change their role and workspaces, and remove them. Agents get a 403 here. */
@Path("/agent/admin/agents")
@Produces(MediaType.TEXT_HTML)
public class AgentAdminPages {

    /** An agent as the page lists it, with the ids of its workspaces. */
    public record AgentRow(UUID id, String email, String displayName, String role, Set<UUID> workspaceIds,
            boolean self) {
        public boolean member(UUID workspaceId) {
            return workspaceIds.contains(workspaceId);
        }
    }

    /** Shown once after creating an agent: the login and, when generated, the first password. */
    public record Invited(String email, String password) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance agents(Nav nav, List<AgentRow> agents, List<Workspace> workspaces,
                Invited invited, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    AgentService agents;

    @Inject
    WorkspaceService workspaces;

    @GET
    public TemplateInstance list() {
        current.requireAdmin();
        return page(null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("_csrf") String csrf, @FormParam("email") String email,
            @FormParam("displayName") String displayName, @FormParam("password") String password,
            @FormParam("role") String role, @FormParam("workspace") List<String> workspaces) {
        current.requireCsrf(csrf);
        current.requireAdmin();
        try {
            AgentService.Created created = agents.create(email, displayName, password, role(role), ids(workspaces));
            return Response.ok(page(new Invited(created.agent().email, created.generatedPassword()), null)).build();
        } catch (ApiException e) {
            return Response.status(e.status()).entity(page(null, e.detail())).build();
        }
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("id") String id, @FormParam("_csrf") String csrf,
            @FormParam("displayName") String displayName, @FormParam("role") String role,
            @FormParam("workspace") List<String> workspaces) {
        current.requireCsrf(csrf);
        current.requireAdmin();
        UUID agentId = Ids.parse(id, "agent");
        agents.get(agentId);
        if (agentId.equals(current.agent().id) && role(role) != AgentRole.ADMIN) {
            return Response.status(409).entity(page(null, "You cannot take away your own admin role")).build();
        }
        try {
            agents.update(agentId, displayName, role(role), ids(workspaces));
        } catch (ApiException e) {
            return Response.status(e.status()).entity(page(null, e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/admin/agents")).build();
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") String id, @FormParam("_csrf") String csrf) {
        current.requireCsrf(csrf);
        current.requireAdmin();
        UUID agentId = Ids.parse(id, "agent");
        if (agentId.equals(current.agent().id)) {
            return Response.status(409).entity(page(null, "You cannot remove yourself")).build();
        }
        agents.delete(agentId);
        return Response.seeOther(URI.create("/agent/admin/agents")).build();
    }

    private TemplateInstance page(Invited invited, String error) {
        UUID self = current.agent().id;
        List<AgentRow> rows = agents.list().stream().map(a -> new AgentRow(a.id, a.email, a.displayName,
                a.role.code(), Set.copyOf(agents.workspaces(a.id).stream().map(w -> w.id).toList()),
                a.id.equals(self))).toList();
        return Templates.agents(current.nav(null, "agents"), rows, workspaces.listByName(), invited,
                error);
    }

    private static AgentRole role(String code) {
        try {
            return AgentRole.fromCode(code == null ? "" : code);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Field 'role' must be admin or agent");
        }
    }

    private static List<UUID> ids(List<String> workspaces) {
        return workspaces == null ? List.of() : workspaces.stream().map(w -> Ids.parse(w, "workspace")).toList();
    }
}
