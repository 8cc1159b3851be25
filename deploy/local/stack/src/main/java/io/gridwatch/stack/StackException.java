package io.gridwatch.stack;

/** A part of the local stack cannot be started or used; the message says what to do. */
public final class StackException extends RuntimeException {

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
