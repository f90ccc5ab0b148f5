package dev.switchboard.inference.sampling;

/**
 * Which queue a generation waits in: interactive requests (a customer is watching the tokens) are admitted before
 * batch work, which runs in the capacity they leave.
 */
public enum Priority {
    INTERACTIVE,
    BATCH
}
