package dev.switchboard.llm;

/** The model could not produce an answer: unreachable, refused the request, timed out, or broke the protocol. */
public class ChatModelException extends RuntimeException {

    public ChatModelException(String message) {
        super(message);
    }

    public ChatModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
