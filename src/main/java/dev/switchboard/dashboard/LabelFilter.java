package dev.switchboard.dashboard;

import dev.switchboard.conversation.LabelView;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The labels a list page shows: the workspace's (to filter by), the one selected (null: all) and those on each
 * listed conversation.
 */
public record LabelFilter(List<LabelView> all, UUID selected, Map<UUID, List<LabelView>> byConversation) {

    public List<LabelView> on(UUID conversationId) {
        return byConversation.getOrDefault(conversationId, List.of());
    }

    public boolean isSelected(UUID labelId) {
        return labelId.equals(selected);
    }

    /** The query string part that keeps the filter on links and the live list's URL. */
    public String param() {
        return selected == null ? "" : "&label=" + selected;
    }
}
