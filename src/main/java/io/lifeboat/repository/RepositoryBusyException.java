package io.lifeboat.repository;

/** The repository is in use by other operations, and one that needs it to itself did not get it in time. */
public final class RepositoryBusyException extends RepositoryException {
    public RepositoryBusyException(String message) {
        super(message);
    }
}
