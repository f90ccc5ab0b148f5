package dev.switchboard.dashboard;

import dev.switchboard.llm.ChatModelProvider;
import io.quarkus.arc.Arc;
import io.quarkus.qute.TemplateGlobal;

/** {@code {modelProblem}} on every dashboard page: agents see why the bot hands off more than it should. */
@TemplateGlobal
public class ModelBanner {

    /** Why the configured model cannot answer, or null. */
    static String modelProblem() {
        return Arc.container().instance(ChatModelProvider.class).get().problem().orElse(null);
    }
}
