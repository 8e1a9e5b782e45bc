package io.lifeboat.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The repository's fixed parameters, sealed under the master key in the "config" object. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RepositoryConfig(int version, String id, int chunkMin, int chunkAvg, int chunkMax,
                               long packSize, String compression) {
    public static final int VERSION = 1;
    public static final long DEFAULT_PACK_SIZE = 16L * 1024 * 1024;
}
