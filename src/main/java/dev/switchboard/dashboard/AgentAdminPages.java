package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Admins create (invite) agents, change their role and workspaces, and remove them, within the workspaces they
 * belong to; owners do so everywhere and alone make owners. Agents get a 403 here.
 */
@Path("/agent/admin/agents")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
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
                boolean owner, Invited invited, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    AgentService agents;

    @Inject
    WorkspaceService workspaces;

    /** {@code w}: the workspace the admin came from, whose navigation the page keeps. */
    @GET
    public TemplateInstance list(@QueryParam("w") String workspace) {
        return page(workspace, null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("email") String email,
            @FormParam("displayName") String displayName, @FormParam("password") String password,
            @FormParam("role") String role, @FormParam("workspace") List<String> workspaces) {
        try {
            AgentRole r = grantable(role(role));
            Set<UUID> chosen = managedOnly(ids(workspaces));
            if (chosen.isEmpty() && !owner()) {
                throw ApiException.badRequest("Choose at least one of your workspaces for the new agent");
            }
            AgentService.Created created = agents.create(email, displayName, password, r, chosen);
            return Response.ok(page(null, new Invited(created.agent().email, created.generatedPassword()), null)).build();
        } catch (ApiException e) {
            return Response.status(e.status()).entity(page(null, null, e.detail())).build();
        }
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("id") String id,
            @FormParam("displayName") String displayName, @FormParam("role") String role,
            @FormParam("workspace") List<String> workspaces) {
        Agent target = manageable(Ids.parse(id, "agent"));
        if (target.id.equals(current.agent().id) && role(role) != current.agent().role) {
            return Response.status(409).entity(page(null, null, "You cannot change your own role")).build();
        }
        try {
            AgentRole r = target.role == role(role) ? target.role : grantable(role(role));
            // Memberships in workspaces this admin does not manage stay as they are.
            Set<UUID> kept = new HashSet<>(memberships(target.id));
            kept.removeAll(managedIds());
            kept.addAll(managedOnly(ids(workspaces)));
            agents.update(target.id, displayName, r, kept);
        } catch (ApiException e) {
            return Response.status(e.status()).entity(page(null, null, e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/admin/agents")).build();
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") String id) {
        Agent target = manageable(Ids.parse(id, "agent"));
        if (target.id.equals(current.agent().id)) {
            return Response.status(409).entity(page(null, null, "You cannot remove yourself")).build();
        }
        agents.delete(target.id);
        return Response.seeOther(URI.create("/agent/admin/agents")).build();
    }

    /** An owner sets a new generated password for an agent (shown once); the agent's sessions end. */
    @POST
    @Path("{id}/password")
    @RolesAllowed(Roles.OWNER)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance resetPassword(@PathParam("id") String id) {
        Agent target = manageable(Ids.parse(id, "agent"));
        String password = AgentService.newPassword();
        agents.changePassword(target.id, password);
        return page(null, new Invited(target.email, password), null);
    }

    private TemplateInstance page(String workspace, Invited invited, String error) {
        UUID self = current.agent().id;
        List<AgentRow> rows = agents.list().stream().map(a -> new AgentRow(a.id, a.email, a.displayName,
                a.role.code(), memberships(a.id), a.id.equals(self))).filter(this::visible).toList();
        return Templates.agents(current.nav(current.homeWorkspace(workspace), "agents"), rows, managed(), owner(), invited, error);
    }

    private boolean owner() {
        return current.agent().role == AgentRole.OWNER;
    }

    /** The workspaces this admin manages: every one for an owner, else those it is a member of. */
    private List<Workspace> managed() {
        return owner() ? workspaces.listByName() : current.workspaces();
    }

    private Set<UUID> managedIds() {
        return managed().stream().map(w -> w.id).collect(Collectors.toSet());
    }

    private Set<UUID> memberships(UUID agentId) {
        return agents.workspaces(agentId).stream().map(w -> w.id).collect(Collectors.toSet());
    }

    /** An owner sees every agent; an admin itself and the agents of its workspaces, no one else. */
    private boolean visible(AgentRow row) {
        return owner() || row.self() || row.workspaceIds().stream().anyMatch(managedIds()::contains);
    }

    /**
     * An agent this admin may change: a 404 for one it cannot see, a 403 for an owner or for one who also works in
     * workspaces this admin does not manage (an admin there, or an owner, decides about them).
     */
    private Agent manageable(UUID agentId) {
        Agent target = agents.get(agentId);
        Set<UUID> theirs = memberships(agentId);
        AgentRow row = new AgentRow(target.id, target.email, target.displayName, target.role.code(), theirs,
                target.id.equals(current.agent().id));
        if (!visible(row)) {
            throw PageError.missing("No agent with id '" + agentId + "'");
        }
        if (!owner() && !row.self() && (target.role == AgentRole.OWNER || !managedIds().containsAll(theirs))) {
            throw PageError.denied("This agent also works in workspaces you do not administer: an owner or an "
                    + "admin of all of them changes it");
        }
        return target;
    }

    /** Only owners make owners. */
    private AgentRole grantable(AgentRole role) {
        if (role == AgentRole.OWNER && !owner()) {
            throw PageError.denied("Only owners make owners");
        }
        return role;
    }

    /** The chosen workspaces, each one this admin manages (else a 404, as for workspaces it cannot see). */
    private Set<UUID> managedOnly(List<UUID> chosen) {
        Set<UUID> managed = managedIds();
        for (UUID id : chosen) {
            if (!managed.contains(id)) {
                throw PageError.missing("No workspace with id '" + id + "'");
            }
        }
        return new HashSet<>(chosen);
    }

    private static AgentRole role(String code) {
        try {
            return AgentRole.fromCode(code == null ? "" : code);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Field 'role' must be owner, admin or agent");
        }
    }

    private static List<UUID> ids(List<String> workspaces) {
        return workspaces == null ? List.of() : workspaces.stream().map(w -> Ids.parse(w, "workspace")).toList();
    }
}
