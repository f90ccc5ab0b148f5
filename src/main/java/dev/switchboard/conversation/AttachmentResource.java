package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.security.Roles;
import dev.switchboard.protection.RateLimiter;
import dev.switchboard.workspace.Caller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/conversations/{id}/attachments")
@Tag(name = "Conversations")
@RolesAllowed({Roles.API, Roles.WIDGET})
public class AttachmentResource {

    @Inject
    ConversationAccess access;

    @Inject
    ConversationService conversations;

    @Inject
    Attachments attachments;

    @Inject
    RateLimiter rateLimiter;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The customer sends a file: a PNG, JPEG, GIF or WebP image or a PDF",
            description = "The body is the file's bytes; its type is read from the bytes (the Content-Type and the "
                    + "name are not trusted; HTML, SVG and anything else is refused). Stored as a customer message "
                    + "whose content is the file's name and whose attachment describes the file (images get a "
                    + "thumbnail). Counted like a message against the widget's rate limits.")
    @APIResponse(responseCode = "201", description = "The stored message with its attachment",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "400", description = "Empty body, an unreadable image, or too many pixels")
    @APIResponse(responseCode = "404", description = "No such conversation for this caller")
    @APIResponse(responseCode = "413", description = "Larger than switchboard.attachments.max-size")
    @APIResponse(responseCode = "415", description = "Not an accepted type")
    @APIResponse(responseCode = "429", description = "Over the widget's message rate limit")
    public Response upload(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @QueryParam("filename") String filename, byte[] body) {
        Caller caller = access.caller(credentials);
        Conversation c = access.accessible(caller, credentials, id);
        if (!caller.viaApiKey()) {
            rateLimiter.widgetMessage(caller.workspaceId());
        }
        Message m = conversations.postCustomerAttachment(caller, c.id, credentials.visitorToken(),
                attachments.prepare(body, filename));
        return Response.created(URI.create("/api/v1/conversations/" + c.id + "/messages/" + m.id))
                .entity(attachments.views(c.id, java.util.List.of(m)).getFirst()).build();
    }

    @GET
    @Path("{attachmentId}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "The file, to the conversation's participants only",
            description = "Images inline, PDFs as a download (Content-Disposition), with nosniff and a CSP that "
                    + "lets nothing run. From the widget, site_key and visitor_token may be query parameters (for "
                    + "<img>).")
    @APIResponse(responseCode = "200", description = "The file's bytes, typed as sniffed")
    @APIResponse(responseCode = "404", description = "No such attachment in a conversation of this caller")
    public Response file(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @PathParam("attachmentId") String attachmentId) {
        return serve(credentials, id, attachmentId, false);
    }

    @GET
    @Path("{attachmentId}/thumbnail")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "A PNG thumbnail of an image attachment (at most 240 pixels a side)")
    @APIResponse(responseCode = "200", description = "The thumbnail")
    @APIResponse(responseCode = "404", description = "No such image attachment, or it has no thumbnail (WebP)")
    public Response thumbnail(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @PathParam("attachmentId") String attachmentId) {
        return serve(credentials, id, attachmentId, true);
    }

    private Response serve(ConversationCredentials credentials, String id, String attachmentId, boolean thumbnail) {
        Conversation c = access.accessible(credentials, id);
        return attachments.file(c.id, Ids.parse(attachmentId, "attachment"), thumbnail)
                .map(Attachments.File::response)
                .orElseThrow(() -> ApiException.notFound("No attachment with id '" + attachmentId + "'"));
    }
}
