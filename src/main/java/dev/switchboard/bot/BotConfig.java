package dev.switchboard.bot;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the bot answers. The model's own settings are under {@code switchboard.inference}. */
@ConfigMapping(prefix = "switchboard.bot")
public interface BotConfig {

    /** How long a model answer is reused for the same question; FAQ changes drop it earlier. */
    @WithDefault("24h")
    Duration answerCacheTtl();

    /** How many recent messages of the conversation the model sees, the customer's new one included. */
    @WithDefault("10")
    int historyMessages();

    /** The longest model answer, in tokens. */
    @WithDefault("300")
    int maxTokens();

    @WithDefault("0.2")
    double temperature();
}
