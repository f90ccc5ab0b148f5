package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.conversation.ConversationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** A workspace's canned responses, managed by its agents. */
@ApplicationScoped
public class CannedResponses {

    static final int MAX_TITLE = 100;

    @Inject
    Clock clock;

    public List<CannedResponse> list(UUID workspaceId) {
        return CannedResponse.list("workspaceId = ?1 order by title, id", workspaceId);
    }

    public CannedResponse get(UUID workspaceId, UUID id) {
        return CannedResponse.<CannedResponse>findByIdOptional(id).filter(c -> c.workspaceId.equals(workspaceId))
                .orElseThrow(() -> ApiException.notFound("No canned response with id '" + id + "'"));
    }

    @Transactional
    public CannedResponse create(UUID workspaceId, String title, String content) {
        CannedResponse c = new CannedResponse();
        c.id = UUID.randomUUID();
        c.workspaceId = workspaceId;
        fill(c, title, content);
        c.createdAt = Times.now(clock);
        c.persist();
        return c;
    }

    @Transactional
    public CannedResponse update(UUID workspaceId, UUID id, String title, String content) {
        CannedResponse c = get(workspaceId, id);
        fill(c, title, content);
        return c;
    }

    @Transactional
    public void delete(UUID workspaceId, UUID id) {
        get(workspaceId, id).delete();
    }

    private static void fill(CannedResponse c, String title, String content) {
        c.title = Validation.requireText(title, "title", MAX_TITLE).strip();
        c.content = Validation.requireText(content, "content", ConversationService.MAX_CONTENT).strip();
    }
}
