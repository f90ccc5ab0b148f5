package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Problem;
import dev.switchboard.conversation.AttachmentView;
import dev.switchboard.conversation.Attachments;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationEvents;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.InboxQuery;
import dev.switchboard.conversation.LabelView;
import dev.switchboard.conversation.Labels;
import dev.switchboard.conversation.Message;
import dev.switchboard.conversation.MessageRole;
import dev.switchboard.conversation.MessageView;
import dev.switchboard.conversation.OfferedEntry;
import dev.switchboard.conversation.SseSubscriber;
import dev.switchboard.faq.FaqEntry;
import dev.switchboard.faq.FaqMatching;
import dev.switchboard.faq.FaqService;
import dev.switchboard.workspace.Workspace;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One conversation: its history, live answer streaming, and the agent's actions on it. */
@Path("/agent/conversations/{id}")
@RolesAllowed(Roles.AGENT)
public class ConversationPages {

    /**
     * A message as the page shows it; a bot answer names its FAQ entry (question, if it still exists) or model, and
     * a bot message offering FAQ entries lists them.
     */
    public record MessageRow(UUID id, String role, String content, Instant createdAt, String authorName, UUID faqId,
            String faqQuestion, String model, AttachmentView attachment, List<OfferedEntry> offers) {

        /** An answer worth making an entry of: not the bot's question which entry the customer means. */
        public boolean promotable() {
            return offers.isEmpty() && (role.equals(MessageRole.BOT.code()) || role.equals(MessageRole.AGENT.code()));
        }
    }

    /** One choice of the assign form: {@code value} is "agent:<id>" or "team:<id>". */
    public record AssigneeOption(String value, String label, boolean selected) {}

    /** The conversation's assignee (names, or null) and the assign form's choices. */
    public record AssignmentPanel(String agentName, String teamName, boolean mine, List<AssigneeOption> agents,
            List<AssigneeOption> teams) {}

    /** The visitor beside the conversation: the profile, its custom attributes as text, the other conversations. */
    public record ProfilePanel(ConversationQueries.VisitorProfileView view, List<Map.Entry<String, String>> attributes,
            List<ConversationQueries.PastConversation> others) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance conversation(Nav nav, Conversation conversation, String status,
                String handoffReason, List<MessageRow> messages, long lastEventId, List<CannedResponse> canned,
                List<FaqEntry> faq, String error, AssignmentPanel assignment, ProfilePanel profile,
                LabelFilter labels);
    }

    @Inject
    CurrentAgent current;

    @Inject
    ConversationService conversations;

    @Inject
    ConversationEvents events;

    @Inject
    InboxQuery inbox;

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    FaqService faq;

    @Inject
    CannedResponses cannedResponses;

    @Inject
    FaqService faqs;

    @Inject
    FaqMatching faqMatching;

    @Inject
    Assignments assignments;

    @Inject
    AgentService agents;

    @Inject
    Teams teams;

    @Inject
    Presence presence;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @Inject
    Labels labels;

    @Inject
    Attachments attachments;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("id") String id, @QueryParam("error") String error) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        Workspace w = current.requireWorkspace(c.workspaceId);
        // Read before the messages: the page's stream resumes after it, so nothing committed meanwhile is missed
        // (what is both rendered and replayed, the script shows once).
        long lastEventId = conversationQueries.lastEventId(c.id);
        List<Message> messages = conversations.messages(c.id);
        Map<UUID, AttachmentView> files = attachments.views(c.id, messages).stream()
                .filter(v -> v.attachment() != null)
                .collect(Collectors.toMap(MessageView::id, MessageView::attachment));
        Map<UUID, String> faqQuestions = messages.stream().filter(m -> m.sourceFaqId != null)
                .map(m -> m.sourceFaqId).distinct()
                .flatMap(faqId -> faq.find(w.id, faqId).stream())
                .collect(Collectors.toMap(e -> e.id, e -> e.question));
        inbox.markRead(current.agent().id, c.id);
        return Templates.conversation(current.nav(w, "inbox"), c, c.status.code(),
                c.handoffReason == null ? null : c.handoffReason.code().replace('_', ' '), messages.stream().map(m -> new MessageRow(m.id,
                m.role.code(), m.content, m.createdAt, m.authorName, m.sourceFaqId, faqQuestions.get(m.sourceFaqId),
                m.sourceModel, files.get(m.id), m.offers())).toList(), lastEventId, cannedResponses.list(w.id), faqs.list(w.id),
                error, assignmentPanel(c), profilePanel(c), new LabelFilter(labels.list(w.id).stream().map(LabelView::of)
                        .toList(), null, labels.ofConversations(List.of(c.id))));
    }

    private ProfilePanel profilePanel(Conversation c) {
        ConversationQueries.VisitorProfileView view = conversationQueries.visitorProfile(c.workspaceId, c.visitorId);
        List<Map.Entry<String, String>> attributes = new java.util.ArrayList<>();
        try {
            json.readTree(view.attributesJson()).properties().forEach(e -> attributes.add(
                    Map.entry(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored visitor attributes are not JSON", e);
        }
        return new ProfilePanel(view, attributes,
                view.conversations().stream().filter(p -> !p.id().equals(c.id)).toList());
    }

    private AssignmentPanel assignmentPanel(Conversation c) {
        List<Agent> members = agents.members(c.workspaceId);
        java.util.Set<UUID> online = presence.online(members.stream().map(a -> a.id).toList());
        List<Team> workspaceTeams = teams.list(c.workspaceId).stream().map(Teams.WithMembers::team).toList();
        return new AssignmentPanel(
                members.stream().filter(a -> a.id.equals(c.assigneeAgentId)).map(a -> a.displayName).findFirst()
                        .orElse(null),
                workspaceTeams.stream().filter(t -> t.id.equals(c.assigneeTeamId)).map(t -> t.name).findFirst()
                        .orElse(null),
                current.agent().id.equals(c.assigneeAgentId),
                members.stream().map(a -> new AssigneeOption("agent:" + a.id,
                        a.displayName + (online.contains(a.id) ? " (online)" : ""), a.id.equals(c.assigneeAgentId)))
                        .toList(),
                workspaceTeams.stream().map(t -> new AssigneeOption("team:" + t.id, t.name,
                        c.assigneeAgentId == null && t.id.equals(c.assigneeTeamId))).toList());
    }

    /** The conversation's event stream (as the API's), for the page's live updates and the answer being streamed. */
    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventIdHeader,
            @QueryParam("last_event_id") String lastEventIdParam, @Context SseEventSink sink, @Context Sse sse) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        // The browser's reconnect sends the header, which is newer than the page's parameter.
        events.subscribe(c.id, lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParam,
                new SseSubscriber(sink, sse));
    }

    /**
     * Assigns the conversation: {@code assignee} is "me", "agent:<id>", "team:<id>" or empty (unassign). Choosing an
     * agent keeps the conversation's team when the agent is one of its members.
     */
    @POST
    @Path("assign")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response assign(@PathParam("id") String id, @FormParam("assignee") String assignee) {
        return act(id, c -> {
            String value = assignee == null ? "" : assignee.strip();
            if (value.equals("me")) {
                value = "agent:" + current.agent().id;
            }
            if (value.isEmpty()) {
                return assignments.assign(c.workspaceId, c.id, null, null);
            }
            if (value.startsWith("team:")) {
                return assignments.assign(c.workspaceId, c.id, null, Ids.parse(value.substring(5), "team"));
            }
            if (!value.startsWith("agent:")) {
                throw ApiException.badRequest("Field 'assignee' must be me, agent:<id>, team:<id> or empty");
            }
            UUID agentId = Ids.parse(value.substring(6), "agent");
            UUID team = c.assigneeTeamId != null && teams.memberIds(c.assigneeTeamId).contains(agentId)
                    ? c.assigneeTeamId : null;
            return assignments.assign(c.workspaceId, c.id, agentId, team);
        });
    }

    @POST
    @Path("takeover")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response takeOver(@PathParam("id") String id) {
        return act(id, c -> conversations.takeOver(c.id, current.agent().displayName));
    }

    @POST
    @Path("reply")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reply(@PathParam("id") String id,
            @FormParam("content") String content) {
        return act(id, c -> conversations.agentReply(c.id, current.agent().id, current.agent().displayName,
                content));
    }

    /**
     * Answers with an FAQ entry, as the agent; the customer's latest message becomes a variant of the entry (and
     * confirms or corrects the matcher for this workspace's calibration), so the next customer who writes it gets
     * the answer from the bot.
     */
    @POST
    @Path("faq-answer")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response sendFaqAnswer(@PathParam("id") String id, @FormParam("faqId") String faqId) {
        return act(id, c -> {
            FaqEntry entry = faqs.get(c.workspaceId, Ids.parse(faqId, "FAQ entry"));
            String customer = conversations.messages(c.id).stream().filter(m -> m.role == MessageRole.CUSTOMER)
                    .reduce((a, b) -> b).map(m -> m.content).orElse(null);
            conversations.agentReply(c.id, current.agent().id, current.agent().displayName, entry.answer);
            if (customer != null) {
                faqMatching.learn(c.workspaceId, entry.id, customer);
            }
            return entry;
        });
    }

    @POST
    @Path("handback")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response handBack(@PathParam("id") String id) {
        return act(id, c -> conversations.handBack(c.id));
    }

    @POST
    @Path("resolve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resolve(@PathParam("id") String id) {
        return act(id, c -> conversations.resolve(c.id));
    }

    @POST
    @Path("reopen")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reopen(@PathParam("id") String id) {
        return act(id, c -> conversations.reopen(c.id, current.agent().displayName));
    }

    @POST
    @Path("labels")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addLabel(@PathParam("id") String id, @FormParam("labelId") String labelId) {
        return act(id, c -> labels.attach(c.id, Ids.parse(labelId, "label")));
    }

    @POST
    @Path("labels/{labelId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response removeLabel(@PathParam("id") String id, @PathParam("labelId") String labelId) {
        return act(id, c -> labels.detach(c.id, Ids.parse(labelId, "label")));
    }

    /**
     * The agent sends a file (the body is its bytes, from the page's script with the CSRF header): a reply, which
     * takes the conversation over as a typed reply does. 201 with the message; errors as problem+json for the script.
     */
    @POST
    @Path("attachments")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response attach(@PathParam("id") String id, @QueryParam("filename") String filename, byte[] body) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        try {
            Message m = conversations.agentAttachment(c.id, current.agent().displayName,
                    attachments.prepare(body, filename));
            return Response.status(Response.Status.CREATED).entity(attachments.views(c.id, List.of(m)).getFirst())
                    .build();
        } catch (ApiException e) {
            return Response.status(e.status()).type(Problem.MEDIA_TYPE)
                    .entity(new Problem(e.title(), e.status(), e.detail(), null)).build();
        }
    }

    /** A file of the conversation, to agents of its workspace (404 to anyone else), served as the API serves it. */
    @GET
    @Path("attachments/{attachmentId}")
    public Response attachment(@PathParam("id") String id, @PathParam("attachmentId") String attachmentId) {
        return serve(id, attachmentId, false);
    }

    @GET
    @Path("attachments/{attachmentId}/thumbnail")
    public Response thumbnail(@PathParam("id") String id, @PathParam("attachmentId") String attachmentId) {
        return serve(id, attachmentId, true);
    }

    private Response serve(String id, String attachmentId, boolean thumbnail) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        return attachments.file(c.id, Ids.parse(attachmentId, "attachment"), thumbnail)
                .map(Attachments.File::response).orElseThrow(() -> PageError.missing("No such attachment"));
    }

    /** The open page saw the messages that arrived live: they are no longer unread (called by the page's script). */
    @POST
    @Path("read")
    public Response read(@PathParam("id") String id) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        inbox.markRead(current.agent().id, c.id);
        return Response.noContent().build();
    }

    /**
     * Checks access first (404; the CSRF filter ran before), then acts and shows the conversation again; a refused
     * action (such as taking over a resolved conversation) comes back as a message on the page.
     */
    private Response act(String id, Function<Conversation, ?> action) {
        Conversation c = current.requireConversation(Ids.parse(id, "conversation"));
        UriBuilder back = UriBuilder.fromPath("/agent/conversations/{id}");
        try {
            action.apply(c);
        } catch (ApiException e) {
            back.queryParam("error", e.detail());
        }
        return Response.seeOther(back.build(c.id)).build();
    }
}
