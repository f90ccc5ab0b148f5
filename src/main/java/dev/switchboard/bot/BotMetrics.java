package dev.switchboard.bot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What the bot answered, for /q/metrics: answers by source, and how long answers took from the bot receiving the
 * committed customer message to the answer being committed. Handoffs are counted by reason where they happen, in
 * ConversationService ({@code switchboard.handoffs}).
 */
@ApplicationScoped
public class BotMetrics {

    private final Counter faqAnswers;
    private final Counter cachedAnswers;
    private final Counter modelAnswers;
    private final Timer faqLatency;
    private final Timer modelLatency;
    private final Counter offersMade;
    private final Counter offersPicked;

    public BotMetrics(MeterRegistry registry) {
        faqAnswers = answers(registry, "faq");
        cachedAnswers = answers(registry, "cache");
        modelAnswers = answers(registry, "model");
        faqLatency = latency(registry, "switchboard.bot.faq.latency", "FAQ answers");
        modelLatency = latency(registry, "switchboard.bot.model.latency", "model answers, streamed to the end");
        offersMade = offers(registry, "offered");
        offersPicked = offers(registry, "picked");
    }

    /** The bot offered FAQ entries to pick from instead of handing off. */
    void offered() {
        offersMade.increment();
    }

    /** The customer picked an offered entry and got its answer (counted as an FAQ answer too). */
    void offerPicked() {
        offersPicked.increment();
    }

    void faqAnswered(Duration latency) {
        faqAnswers.increment();
        faqLatency.record(latency);
    }

    void cacheAnswered() {
        cachedAnswers.increment();
    }

    void modelAnswered(Duration latency) {
        modelAnswers.increment();
        modelLatency.record(latency);
    }

    private static Counter answers(MeterRegistry registry, String source) {
        return Counter.builder("switchboard.bot.answers")
                .description("Answers the bot gave, by where they came from")
                .tag("source", source)
                .register(registry);
    }

    private static Counter offers(MeterRegistry registry, String outcome) {
        return Counter.builder("switchboard.bot.offers")
                .description("FAQ entries offered to the customer to pick from, and picks")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Timer latency(MeterRegistry registry, String name, String what) {
        return Timer.builder(name)
                .description("From the bot receiving the customer message to committing its answer: " + what)
                .publishPercentiles(0.5, 0.9, 0.99)
                // Cumulative buckets too: percentiles of any interval (one benchmark run) are their differences.
                .publishPercentileHistogram()
                .register(registry);
    }
}
