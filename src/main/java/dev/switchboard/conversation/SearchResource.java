package dev.switchboard.conversation;

import dev.switchboard.common.Validation;
import dev.switchboard.common.security.Roles;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/search")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Search", description = "Authorization: Bearer <API key>")
@RolesAllowed(Roles.API)
public class SearchResource {

    @Inject
    WorkspaceAuth auth;

    @Inject
    MessageSearch search;

    @GET
    @Operation(summary = "Full-text search over the workspace's conversations",
            description = "Every word of q must occur in one message (as a word or the start of one; any language, "
                    + "no stemming). One hit per conversation, most recently active first, with the snippet of its latest "
                    + "matching message: HTML, "
                    + "the text escaped and the matched words in <mark>. Customer, bot and agent messages are "
                    + "searched, not handoff notices. Filters: status, label (id), assignee (an agent's id, or none "
                    + "for no agent), team (id), from/to (on the message's time: a UTC day, to inclusive, or an "
                    + "instant, to exclusive). Pass nextCursor as cursor for the next page; null on the last.")
    @APIResponse(responseCode = "400", description = "A parameter is missing or wrong (problem+json naming it)")
    public MessageSearch.Page search(
            @QueryParam("q") @Parameter(required = true, description = "1 to 8 words") String q,
            @QueryParam("status") @Parameter(schema = @Schema(implementation = ConversationStatus.class)) String status,
            @QueryParam("label") @Parameter(description = "a label id") String label,
            @QueryParam("assignee") @Parameter(description = "an agent's id, or none") String assignee,
            @QueryParam("team") @Parameter(description = "a team id") String team,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, defaultValue = "20",
                    minimum = "1", maximum = "50")) String limit) {
        UUID workspaceId = auth.apiWorkspace();
        return search.search(workspaceId, search.query(workspaceId, q,
                new MessageSearch.Filters(status, label, assignee, team, from, to), cursor,
                Validation.wholeNumber(limit, "limit", 20)));
    }
}
