package dev.switchboard.support;

import dev.switchboard.bot.BotPipeline;
import dev.switchboard.conversation.CustomerMessagePosted;
import io.quarkus.test.junit.QuarkusMock;

/**
 * For the platform's own tests that must see a conversation nobody answers: replaces the bot pipeline with one that
 * does nothing, for the current test only (QuarkusMock resets after each test).
 */
public final class NoBot {
    private NoBot() {
    }

    public static void install() {
        QuarkusMock.installMockForType(new BotPipeline() {
            @Override
            public void answer(CustomerMessagePosted posted, long receivedNanos) {
                // the test plays the bot itself
            }
        }, BotPipeline.class);
    }
}
