package dev.switchboard.faq;

import dev.switchboard.faq.match.HybridFaqMatcher;
import dev.switchboard.faq.match.MatchSettings;
import dev.switchboard.faq.match.MiniLmEmbedder;
import dev.switchboard.faq.match.TextEmbedder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes the embedder and the matcher injectable. Every {@code switchboard.faq.*} key is optional and overrides the
 * tuned default in {@link MatchSettings#DEFAULTS}; change them only with a fresh evaluation run. The products are
 * {@code @Singleton} (no client proxy): both classes are final and thread-safe. The matcher bean serves both
 * {@code FaqMatcher} and {@code SameQuestion} injection points.
 */
@ApplicationScoped
public class FaqMatchingProducer {

    @ConfigProperty(name = "switchboard.faq.semantic-weight") Optional<Double> semanticWeight;
    @ConfigProperty(name = "switchboard.faq.lexical-weight") Optional<Double> lexicalWeight;
    @ConfigProperty(name = "switchboard.faq.answer-threshold") Optional<Double> answerThreshold;
    @ConfigProperty(name = "switchboard.faq.min-margin") Optional<Double> minMargin;
    @ConfigProperty(name = "switchboard.faq.min-cosine") Optional<Double> minCosine;
    @ConfigProperty(name = "switchboard.faq.mismatched-cosine") Optional<Double> mismatchedCosine;
    @ConfigProperty(name = "switchboard.faq.strong-lexical") Optional<Double> strongLexical;
    @ConfigProperty(name = "switchboard.faq.nearest-count") Optional<Integer> nearestCount;
    @ConfigProperty(name = "switchboard.faq.same-question-cosine") Optional<Double> sameQuestionCosine;
    @ConfigProperty(name = "switchboard.faq.same-question-overlap") Optional<Double> sameQuestionOverlap;
    @ConfigProperty(name = "switchboard.faq.answer-weight") Optional<Double> answerWeight;
    @ConfigProperty(name = "switchboard.faq.explained-weight") Optional<Double> explainedWeight;
    @ConfigProperty(name = "switchboard.faq.margin-weight") Optional<Double> marginWeight;
    @ConfigProperty(name = "switchboard.faq.borderline-band") Optional<Double> borderlineBand;
    @ConfigProperty(name = "switchboard.faq.offer-band") Optional<Double> offerBand;

    @Produces
    @Singleton
    TextEmbedder embedder() {
        return new MiniLmEmbedder();
    }

    @Produces
    @Singleton
    HybridFaqMatcher matcher(TextEmbedder embedder) {
        MatchSettings d = MatchSettings.DEFAULTS;
        return new HybridFaqMatcher(new MatchSettings(
                semanticWeight.orElse(d.semanticWeight()),
                lexicalWeight.orElse(d.lexicalWeight()),
                answerThreshold.orElse(d.answerThreshold()),
                minMargin.orElse(d.minMargin()),
                minCosine.orElse(d.minCosine()),
                mismatchedCosine.orElse(d.mismatchedCosine()),
                strongLexical.orElse(d.strongLexical()),
                nearestCount.orElse(d.nearestCount()),
                sameQuestionCosine.orElse(d.sameQuestionCosine()),
                sameQuestionOverlap.orElse(d.sameQuestionOverlap()),
                answerWeight.orElse(d.answerWeight()),
                explainedWeight.orElse(d.explainedWeight()),
                marginWeight.orElse(d.marginWeight()),
                borderlineBand.orElse(d.borderlineBand()),
                offerBand.orElse(d.offerBand())), embedder);
    }
}
