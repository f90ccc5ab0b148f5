package dev.switchboard.faq;

import dev.switchboard.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/faqs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "FAQ", description = "Authorization: Bearer <API key>. Any change clears the workspace's cached model "
        + "answers.")
@RolesAllowed(Roles.API)
public class FaqResource {

    /** question: 1..500 characters, answer: 1..4000 (as sent, padding included). */
    public record FaqInput(String question, String answer) {}

    public record FaqView(UUID id, String question, String answer, Instant createdAt, Instant updatedAt,
            long hitCount) {

        static FaqView of(FaqEntry e) {
            return new FaqView(e.id, e.question, e.answer, e.createdAt, e.updatedAt, e.hitCount);
        }
    }

    @Inject
    WorkspaceAuth auth;

    @Inject
    FaqService faqs;

    @GET
    public Items<FaqView> list() {
        return new Items<>(faqs.list(auth.apiWorkspace()).stream().map(FaqView::of).toList());
    }

    @GET
    @Path("{id}")
    public FaqView get(@PathParam("id") String id) {
        return FaqView.of(faqs.get(auth.apiWorkspace(), Ids.parse(id, "FAQ entry")));
    }

    @POST
    @Operation(summary = "Add an FAQ entry")
    @APIResponse(responseCode = "201", description = "The new entry; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FaqView.class)))
    public Response create(FaqInput body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        FaqEntry entry = faqs.create(workspaceId, body.question(), body.answer());
        return Response.created(URI.create("/api/v1/faqs/" + entry.id)).entity(FaqView.of(entry)).build();
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Replace an FAQ entry's question and answer")
    public FaqView update(@PathParam("id") String id,
            FaqInput body) {
        UUID workspaceId = auth.apiWorkspace();
        UUID faqId = Ids.parse(id, "FAQ entry");
        Validation.requireBody(body);
        return FaqView.of(faqs.update(workspaceId, faqId, body.question(), body.answer()));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        faqs.delete(auth.apiWorkspace(), Ids.parse(id, "FAQ entry"));
        return Response.noContent().build();
    }
}
