package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.OfferedEntry;
import dev.switchboard.faq.FaqEntry;
import dev.switchboard.faq.FaqMatching;
import dev.switchboard.faq.FaqService;
import dev.switchboard.faq.FaqSuggestions;
import dev.switchboard.faq.FaqVariant;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.MatchResult;
import dev.switchboard.workspace.Workspace;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The workspace's FAQ: list and search with hit counts, create, edit (language and variants too, the ones learned
 * from agents marked), delete, "promote this answer" from a conversation, and entries suggested from agents' repeated
 * answers (accept or dismiss). The Try box shows what the bot would do with a customer's wording and lets it become
 * a variant of one of the nearest entries: the cheapest way to make the bot answer more. Every change goes through
 * {@link FaqService}, which also drops the workspace's cached model answers.
 */
@Path("/agent/w/{workspace}/faq")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.AGENT)
public class FaqPages {

    /**
     * The form's content; id is null for a new entry. variants: one phrasing per line; learned: those an agent's
     * answer taught (shown marked, removable like the others).
     */
    public record Form(UUID id, String question, String answer, String language, String variants,
            List<String> learned) {

        Form(UUID id, String question, String answer) {
            this(id, question, answer, "en", "", List.of());
        }

        static Form of(FaqEntry e, List<FaqVariant> variants) {
            return new Form(e.id, e.question, e.answer, e.language,
                    variants.stream().map(v -> v.text).collect(Collectors.joining("\n")),
                    variants.stream().filter(v -> v.source == FaqVariant.Source.agent).map(v -> v.text).toList());
        }
    }

    /**
     * What the bot would do with a tried message (the matcher alone, as without a model: no model is called from
     * this page). outcome: answer, borderline, human, small-talk, none, or the guard that refuses it
     * ({@link MatchResult#refusal}); answer: the entry's question when the bot answers at once; offers: the questions
     * of the entries a bot without a model offers the customer to pick from.
     */
    public record Trial(String message, String outcome, String answer, String language, List<Near> nearest,
                        List<String> offers) {}

    /** One of the entries nearest to a tried message, with the matcher's score. */
    public record Near(UUID id, String question, String score) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance faqList(Nav nav, String q, List<FaqEntry> entries,
                List<FaqSuggestions.Suggestion> suggestions, Trial trial);

        static native TemplateInstance faqForm(Nav nav, Form form, String error, List<String> picked);
    }

    @Inject
    CurrentAgent current;

    @Inject
    FaqService faq;

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    FaqSuggestions suggestions;

    @Inject
    FaqMatching matching;

    /** The list; with {@code try}, also what the bot would do with that customer message. */
    @GET
    public TemplateInstance list(@PathParam("workspace") String workspace, @QueryParam("q") String q,
            @QueryParam("try") String tried) {
        Workspace w = current.requireWorkspace(workspace);
        String needle = q == null ? "" : q.strip().toLowerCase(Locale.ROOT);
        List<FaqEntry> entries = faq.list(w.id).stream()
                .filter(e -> needle.isEmpty() || e.question.toLowerCase(Locale.ROOT).contains(needle)
                        || e.answer.toLowerCase(Locale.ROOT).contains(needle))
                .toList();
        Trial trial = tried == null || tried.isBlank() ? null : trial(w, tried.strip());
        return Templates.faqList(current.nav(w, "faq"), q == null ? "" : q, entries, suggestions.list(w.id), trial);
    }

    /** The tried message becomes a variant of entry {@code id}; back to the trial, which the entry now answers. */
    @POST
    @Path("{id}/variants")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addVariant(@PathParam("workspace") String workspace, @PathParam("id") String id,
            @FormParam("text") String text) {
        Workspace w = current.requireWorkspace(workspace);
        try {
            faq.addVariant(w.id, Ids.parse(id, "FAQ entry"), text, FaqVariant.Source.author);
        } catch (ApiException e) {
            throw new PageError(e.status(), e.title(), e.detail());
        }
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/faq?try="
                + URLEncoder.encode(text.strip(), StandardCharsets.UTF_8))).build();
    }

    private Trial trial(Workspace w, String message) {
        if (message.length() > FaqService.MAX_QUESTION) {
            throw new PageError(400, "Bad Request", "A tried message may have at most " + FaqService.MAX_QUESTION
                    + " characters");
        }
        MatchResult r = matching.dryRun(w.id, message, false).result();
        String outcome = r.wantsHuman() ? "human" : r.smallTalk() ? "small-talk" : r.refusal() != null ? r.refusal()
                : r.answer() != null ? "answer" : r.borderline() ? "borderline" : "none";
        List<Near> nearest = r.nearest().stream().map(n -> new Near(UUID.fromString(n.entry().id()),
                n.entry().question(), String.format(Locale.ROOT, "%.2f", n.score()))).toList();
        return new Trial(message, outcome, r.answer() == null ? null : r.answer().question(), r.language(), nearest,
                r.offers().stream().map(FaqCandidate::question).toList());
    }

    /** A new entry's form; with {@code message}, prefilled from that answer and the customer question before it. */
    @GET
    @Path("new")
    public TemplateInstance newForm(@PathParam("workspace") String workspace, @QueryParam("message") String message) {
        Workspace w = current.requireWorkspace(workspace);
        Form form = message == null || message.isBlank() ? new Form(null, "", "")
                : promoted(w, Ids.parse(message, "message"));
        return Templates.faqForm(current.nav(w, "faq"), form, null, List.of());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@PathParam("workspace") String workspace, @FormParam("question") String question, @FormParam("answer") String answer,
            @FormParam("language") String language, @FormParam("variants") String variants) {
        Workspace w = current.requireWorkspace(workspace);
        try {
            faq.create(w.id, new FaqService.Draft(question, answer, lines(variants), blankToNull(language)));
        } catch (ApiException e) {
            return invalid(w, new Form(null, question, answer, language, variants, List.of()), e);
        }
        return toList(w);
    }

    @GET
    @Path("{id}/edit")
    public TemplateInstance editForm(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        FaqEntry e = faq.get(w.id, Ids.parse(id, "FAQ entry"));
        List<FaqVariant> variants = faq.variants(w.id, e.id);
        return Templates.faqForm(current.nav(w, "faq"), Form.of(e, variants), null, picked(w, e, variants));
    }

    /**
     * What customers wrote before picking this entry from those the bot offered, less what the entry already says
     * (latest 200 picks, at most 20 wordings): each is a wording the bot was unsure of, and as a variant the bot
     * answers it at once.
     */
    private List<String> picked(Workspace w, FaqEntry e, List<FaqVariant> variants) {
        Set<String> seen = new HashSet<>();
        seen.add(OfferedEntry.comparable(e.question));
        variants.forEach(v -> seen.add(OfferedEntry.comparable(v.text)));
        return conversationQueries.wordingsPicking(w.id, e.id, 200).stream()
                .map(String::strip)
                .filter(p -> seen.add(OfferedEntry.comparable(p)))
                .limit(20)
                .toList();
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("workspace") String workspace, @PathParam("id") String id,
            @FormParam("question") String question,
            @FormParam("answer") String answer, @FormParam("language") String language,
            @FormParam("variants") String variants) {
        Workspace w = current.requireWorkspace(workspace);
        UUID entryId = Ids.parse(id, "FAQ entry");
        faq.get(w.id, entryId); // a 404 stays a 404, not a form error
        try {
            faq.update(w.id, entryId, new FaqService.Draft(question, answer, lines(variants), blankToNull(language)));
        } catch (ApiException e) {
            return invalid(w, new Form(entryId, question, answer, language, variants, List.of()), e);
        }
        return toList(w);
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        faq.delete(w.id, Ids.parse(id, "FAQ entry"));
        return toList(w);
    }

    /** Creates the suggested entry as suggested; it can be edited like any other afterwards. */
    @POST
    @Path("suggestions/{id}/accept")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response acceptSuggestion(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        suggestions.accept(w.id, Ids.parse(id, "suggestion"), null, null);
        return toList(w);
    }

    @POST
    @Path("suggestions/{id}/dismiss")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response dismissSuggestion(@PathParam("workspace") String workspace, @PathParam("id") String id) {
        Workspace w = current.requireWorkspace(workspace);
        suggestions.dismiss(w.id, Ids.parse(id, "suggestion"));
        return toList(w);
    }

    /** The answer (a bot's or an agent's) becomes the entry's answer, the customer's question before it its question. */
    private Form promoted(Workspace w, UUID messageId) {
        ConversationQueries.AnswerToQuestion promoted = conversationQueries.answerToQuestion(w.id, messageId)
                .orElseThrow(() -> ApiException.notFound("No answer with id '" + messageId + "' in this workspace"));
        return new Form(null, promoted.question(), promoted.answer());
    }

    /** One variant per non-blank line; no field at all is no variants. */
    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private Response invalid(Workspace w, Form form, ApiException e) {
        return Response.status(e.status())
                .entity(Templates.faqForm(current.nav(w, "faq"), form, e.detail(), List.of())).build();
    }

    private static Response toList(Workspace w) {
        return Response.seeOther(URI.create("/agent/w/" + w.id + "/faq")).build();
    }
}
