package dev.switchboard.faq;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.faq.match.MatchResult;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/faqs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "FAQ", description = "Authorization: Bearer <API key>. Any change clears the workspace's cached model "
        + "answers.")
@RolesAllowed(Roles.API)
public class FaqResource {

    /**
     * question: 1..500 characters, answer: 1..4000 (as sent, padding included); variants: further phrasings of the question,
     * up to 50 of 1..500 characters (optional; on update the complete list); language: ISO 639-1 code of question
     * and answer (optional, default "en").
     */
    public record FaqInput(String question, String answer, List<String> variants, String language) {}

    public record VariantInput(String text) {}

    /** source: "author" (written with the entry) or "agent" (a customer's wording an agent answered with it). */
    public record VariantView(UUID id, String text, String source, Instant createdAt) {

        static VariantView of(FaqVariant v) {
            return new VariantView(v.id, v.text, v.source.name(), v.createdAt);
        }
    }

    public record FaqView(UUID id, String question, String answer, String language, List<VariantView> variants,
            Instant createdAt, Instant updatedAt, long hitCount) {

        static FaqView of(FaqEntry e, List<FaqVariant> variants) {
            return new FaqView(e.id, e.question, e.answer, e.language, variants.stream().map(VariantView::of).toList(),
                    e.createdAt, e.updatedAt, e.hitCount);
        }
    }

    /** verify: put a borderline match to the configured model, as the bot does (default false). */
    public record MatchInput(String message, Boolean verify) {}

    /**
     * What the bot decides for a message, without answering anyone. answerId: the entry it would send, or null;
     * refusal: the guard that keeps it from any FAQ answer (instructions, own-account, several-questions), or null;
     * micros: server-side time of embedding the message and matching it; modelAsked, modelPickId (in any language)
     * and verifyMicros: the model's second opinion on a borderline match, when verify asked for it; offers: the
     * entries a bot without a model offers the customer to pick from instead of handing off (empty with verify: a
     * bot with a model does not offer, and when answerId is set).
     */
    public record MatchView(UUID answerId, double score, double margin, boolean borderline, boolean wantsHuman,
            boolean smallTalk, String refusal, String language, List<UUID> nearest, long micros,
            boolean modelAsked, UUID modelPickId, long verifyMicros, List<UUID> offers) {}

    @Inject
    WorkspaceAuth auth;

    @Inject
    FaqService faqs;

    @Inject
    FaqMatching matching;

    @Inject
    SmallTalkReplies smallTalk;

    @Inject
    FaqSuggestions suggestions;

    @GET
    public Items<FaqView> list() {
        UUID workspaceId = auth.apiWorkspace();
        Map<UUID, List<FaqVariant>> variants = faqs.variants(workspaceId);
        return new Items<>(faqs.list(workspaceId).stream()
                .map(e -> FaqView.of(e, variants.getOrDefault(e.id, List.of()))).toList());
    }

    @GET
    @Path("{id}")
    public FaqView get(@PathParam("id") String id) {
        return view(auth.apiWorkspace(), faqs.get(auth.apiWorkspace(),
                Ids.parse(id, "FAQ entry")));
    }

    @POST
    @Operation(summary = "Add an FAQ entry")
    @APIResponse(responseCode = "201", description = "The new entry; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FaqView.class)))
    public Response create(FaqInput body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        FaqEntry entry = faqs.create(workspaceId, draft(body));
        return Response.created(URI.create("/api/v1/faqs/" + entry.id)).entity(view(workspaceId, entry)).build();
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Replace an FAQ entry's question, answer, language and variants")
    public FaqView update(@PathParam("id") String id,
            FaqInput body) {
        UUID workspaceId = auth.apiWorkspace();
        UUID faqId = Ids.parse(id, "FAQ entry");
        Validation.requireBody(body);
        return view(workspaceId, faqs.update(workspaceId, faqId, draft(body)));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        faqs.delete(auth.apiWorkspace(), Ids.parse(id, "FAQ entry"));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/variants")
    @Operation(summary = "Add a phrasing of the entry's question")
    public Response addVariant(@PathParam("id") String id, VariantInput body) {
        UUID workspaceId = auth.apiWorkspace();
        UUID faqId = Ids.parse(id, "FAQ entry");
        Validation.requireBody(body);
        FaqVariant v = faqs.addVariant(workspaceId, faqId, body.text(), FaqVariant.Source.author);
        return Response.created(URI.create("/api/v1/faqs/" + faqId + "/variants/" + v.id))
                .entity(VariantView.of(v)).build();
    }

    @DELETE
    @Path("{id}/variants/{variantId}")
    @Operation(summary = "Remove a phrasing (also one learned from an agent)")
    public Response removeVariant(@PathParam("id") String id, @PathParam("variantId") String variantId) {
        faqs.removeVariant(auth.apiWorkspace(), Ids.parse(id, "FAQ entry"),
                Ids.parse(variantId, "variant"));
        return Response.noContent().build();
    }

    @GET
    @Path("small-talk")
    @Operation(summary = "The bot's replies to greetings and thanks")
    public SmallTalkReplies.Replies smallTalk() {
        return smallTalk.get(auth.apiWorkspace());
    }

    @PUT
    @Path("small-talk")
    @Operation(summary = "Set the bot's replies to greetings and thanks (1..500 characters; null: the default)")
    public SmallTalkReplies.Replies setSmallTalk(SmallTalkReplies.Replies body) {
        return smallTalk.set(auth.apiWorkspace(), body);
    }

    @POST
    @Path("match")
    @Operation(summary = "What the bot would decide for a message (dry run: nothing is sent or stored; verify: a "
            + "borderline match goes to the configured model, as the bot does)")
    public MatchView match(MatchInput body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        String message = Validation.requireText(body.message(), "message", 4000);
        FaqMatching.Timed t = matching.dryRun(workspaceId, message, Boolean.TRUE.equals(body.verify()));
        MatchResult r = t.result();
        return new MatchView(t.answer().map(a -> UUID.fromString(a.id())).orElse(null), r.score(), r.margin(),
                r.borderline(), r.wantsHuman(), r.smallTalk(), r.refusal(), r.language(),
                r.nearest().stream().map(n -> UUID.fromString(n.entry().id())).toList(), t.nanos() / 1000,
                t.modelAsked(), t.modelPick().map(p -> UUID.fromString(p.id())).orElse(null), t.verifyNanos() / 1000,
                Boolean.TRUE.equals(body.verify()) ? List.of()
                        : r.offers().stream().map(o -> UUID.fromString(o.id())).toList());
    }

    /** question and answer: as accepted (null or left out: as suggested). */
    public record AcceptInput(String question, String answer) {}

    @GET
    @Path("suggestions")
    @Operation(summary = "New entries suggested from questions agents answered by hand in several conversations")
    public Items<FaqSuggestions.Suggestion> suggestions() {
        return new Items<>(suggestions.list(auth.apiWorkspace()));
    }

    @POST
    @Path("suggestions/{id}/accept")
    @Operation(summary = "Create the suggested entry, the customers' wordings as variants")
    @APIResponse(responseCode = "201", description = "The new entry; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FaqView.class)))
    public Response acceptSuggestion(@PathParam("id") String id, AcceptInput body) {
        UUID workspaceId = auth.apiWorkspace();
        FaqEntry entry = suggestions.accept(workspaceId, Ids.parse(id, "suggestion"),
                body == null ? null : body.question(), body == null ? null : body.answer());
        return Response.created(URI.create("/api/v1/faqs/" + entry.id)).entity(view(workspaceId, entry)).build();
    }

    @POST
    @Path("suggestions/{id}/dismiss")
    @Operation(summary = "Drop the suggestion: its questions are not suggested again")
    @APIResponse(responseCode = "204", description = "Dismissed")
    @Consumes(MediaType.WILDCARD) // no body
    public Response dismissSuggestion(@PathParam("id") String id) {
        suggestions.dismiss(auth.apiWorkspace(), Ids.parse(id, "suggestion"));
        return Response.noContent().build();
    }

    private FaqView view(UUID workspaceId, FaqEntry entry) {
        return FaqView.of(entry, faqs.variants(workspaceId, entry.id));
    }

    private static FaqService.Draft draft(FaqInput body) {
        return new FaqService.Draft(body.question(), body.answer(), body.variants(), body.language());
    }
}
