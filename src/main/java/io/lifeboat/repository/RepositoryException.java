package io.lifeboat.repository;

/** A problem a user can act on (wrong password, missing repository, unknown snapshot); its message says which. */
public class RepositoryException extends RuntimeException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
