package dev.switchboard.inference.speculative;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the drafters propose from a sequence and a corpus, and how their draft length adapts. */
class DrafterTest {

    private static int[] propose(Drafter drafter, int[] tokens, int max) {
        int[] draft = new int[max];
        return Arrays.copyOf(draft, drafter.propose(tokens, tokens.length, max, draft));
    }

    @Test
    void promptLookupPrefersTheLongestMatch() {
        // The end "7 8 9" occurs once in full (followed by 1 2); "8 9" alone occurs later (followed by 5 5).
        int[] tokens = {7, 8, 9, 1, 2, 3, 4, 8, 9, 5, 5, 6, 7, 8, 9};
        assertArrayEquals(new int[] {1, 2, 3}, propose(new PromptLookupDrafter(4, 2), tokens, 3));
    }

    @Test
    void promptLookupPrefersTheLatestOccurrenceAndNeedsTheMinimumLength() {
        int[] tokens = {4, 5, 1, 9, 4, 5, 2, 9, 4, 5};
        assertArrayEquals(new int[] {2, 9}, propose(new PromptLookupDrafter(4, 2), tokens, 2));
        assertEquals(0, propose(new PromptLookupDrafter(4, 2), new int[] {1, 2, 3, 4, 2}, 4).length,
                "a single repeated token is shorter than the minimum n-gram");
        assertThrows(IllegalArgumentException.class, () -> new PromptLookupDrafter(1, 2));
    }

    @Test
    void suffixDrafterFindsTheSequenceEndInTheCorpusAndStopsAtTheDocumentEnd() {
        SuffixDrafter drafter = new SuffixDrafter(List.of(new int[] {1, 2, 3, 4, 5, 6}, new int[] {9, 9, 9}));
        assertArrayEquals(new int[] {4, 5, 6}, propose(drafter, new int[] {8, 2, 3}, 8),
                "a continuation never runs into the next document");
        SuffixDrafter fresh = new SuffixDrafter(List.of(new int[] {1, 2, 3, 4, 5, 6}, new int[] {9, 9, 9}));
        assertEquals(0, propose(fresh, new int[] {6, 9}, 4).length, "no match spans two documents");
        assertThrows(IllegalStateException.class, () -> fresh.addDocument(new int[] {1}));
        SuffixDrafter added = new SuffixDrafter(List.of());
        added.addDocument(new int[] {4, 4, 7, 1});
        assertArrayEquals(new int[] {7, 1}, propose(added, new int[] {4, 4}, 8));
    }

    @Test
    void suffixDrafterMatchesTheSequenceItselfAsItGrows() {
        SuffixDrafter drafter = new SuffixDrafter(List.of());
        int[] tokens = {5, 6, 7, 8, 1, 5, 6, 7, 8, 2, 3, 5, 6};
        int[] draft = new int[4];
        assertEquals(0, drafter.propose(tokens, 4, 4, draft), "nothing repeats yet");
        int n = drafter.propose(tokens, tokens.length, 4, draft);
        assertTrue(n > 0);
        assertArrayEquals(Arrays.copyOf(new int[] {7, 8, 1, 5}, n), Arrays.copyOf(draft, n),
                "the first earlier occurrence of 5 6 continues with 7 8 1 5");
        assertThrows(IllegalArgumentException.class, () -> drafter.propose(tokens, 3, 4, draft));
    }

    @Test
    void suffixDrafterAgreesWithABruteForceSearchOnRandomText() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int[] text = new int[400];
        for (int i = 0; i < text.length; i++) {
            text[i] = random.nextInt(4);
        }
        SuffixIndex index = new SuffixIndex();
        for (int len = 1; len <= text.length; len++) {
            index.append(text[len - 1]);
            int[] match = index.longestEarlierMatch(1);
            int expected = 0;
            for (int m = len - 1; m >= 1 && expected == 0; m--) {
                for (int end = m - 1; end < len - 1; end++) {
                    if (Arrays.equals(text, end - m + 1, end + 1, text, len - m, len)) {
                        expected = m;
                        break;
                    }
                }
            }
            assertEquals(expected, match == null ? 0 : match[0], "longest earlier match at length " + len);
            if (match != null) {
                int end = match[1];
                assertTrue(end < len - 1);
                assertTrue(Arrays.equals(text, end - match[0] + 1, end + 1, text, len - match[0], len));
            }
        }
    }

    @Test
    void draftLengthGrowsWithTheMatchAndShrinksWhenDraftsAreRejected() {
        DraftLength length = new DraftLength();
        assertTrue(length.length(8, 100, 32) > length.length(2, 100, 32), "a longer match drafts more");
        assertEquals(3, length.length(8, 3, 32), "never more than the source has");
        assertEquals(4, length.length(30, 100, 4), "never more than the caller's limit");
        int before = length.length(4, 100, 32);
        for (int i = 0; i < 10; i++) {
            length.accepted(8, 0);
        }
        int rejected = length.length(4, 100, 32);
        assertTrue(rejected < before, before + " -> " + rejected);
        for (int i = 0; i < 10; i++) {
            length.accepted(8, 8);
        }
        assertTrue(length.length(4, 100, 32) > rejected);
    }

    @Test
    void draftModesParseByName() {
        assertEquals(DraftMode.SUFFIX, DraftMode.parse("suffix"));
        assertTrue(DraftMode.PROMPT.newDrafter(null, List.of()) instanceof PromptLookupDrafter);
        assertEquals(null, DraftMode.NONE.newDrafter(null, List.of()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DraftMode.MODEL.newDrafter(null, List.of())).getMessage()
                .contains("none is loaded"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DraftMode.parse("medusa"));
        assertTrue(e.getMessage().contains("'medusa'") && e.getMessage().contains("prompt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Speculation(DraftMode.PROMPT, 0));
    }
}
