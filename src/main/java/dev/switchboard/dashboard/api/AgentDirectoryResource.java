package dev.switchboard.dashboard.api;

import dev.switchboard.common.Items;
import dev.switchboard.common.security.Roles;
import dev.switchboard.dashboard.AgentService;
import dev.switchboard.dashboard.Presence;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Agents", description = "Authorization: Bearer <API key>. The workspace's dashboard agents (to assign "
        + "conversations to), and whether each is online (their dashboard is open).")
@RolesAllowed(Roles.API)
public class AgentDirectoryResource {

    public record AgentView(UUID id, String displayName, String email, boolean online) {}

    @Inject
    WorkspaceAuth auth;

    @Inject
    AgentService agents;

    @Inject
    Presence presence;

    @GET
    @Operation(summary = "The workspace's agents, by e-mail, with their presence")
    public Items<AgentView> list() {
        var members = agents.members(auth.apiWorkspace());
        Set<UUID> online = presence.online(members.stream().map(a -> a.id).toList());
        return new Items<>(members.stream()
                .map(a -> new AgentView(a.id, a.displayName, a.email, online.contains(a.id))).toList());
    }
}
